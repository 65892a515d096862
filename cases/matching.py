"""How reports and people are compared: pure functions, no queries.

`normalise_link` gives the form in which two reports' shared details (a car, an address, a
phone, a suspected exploiter) are compared, stored in `ConcernLink.normalised`;
`exploiter_details` gives a case record's exploiter's details in that form
(`ExploiterLink`), so that they meet concerns' details and other cases' exploiters'.
`similar_people` is the possible-duplicate check a lead sees before opening a new case.
"""

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts import phones

from .models import LinkKind, Person

# --- Shared details on reports ---------------------------------------------------------------

# Current (AB12 CDE), prefix (A123 BCD), suffix (ABC 123D), dateless and Northern Irish plates
# are all 2 to 7 letters and digits once spaces are gone; at least one of each tells a plate
# from a word like "Ford" or a number like "2".
_REGISTRATION = re.compile(r"(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{2,7}")
_POSTCODE = re.compile(
    # Outward code (SW1A, M1, B33), optional space, inward code (1AA). Inward letters never
    # include C, I, K, M, O or V, which keeps "Flat 2 3AC"-like text from reading as one.
    r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_HOUSE_NUMBER = re.compile(r"\s*([0-9]+[A-Z]?)\b", re.IGNORECASE)
_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_WORD = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form: "Ana-María" and "ANA-MARIA" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _words(text: str) -> list[str]:
    """The words of a folded text: apostrophes join (O'Brien is "obrien"), anything else that
    is not a letter or digit separates (Ana-María is "ana", "maria")."""
    return _WORD.findall(_APOSTROPHES.sub("", _fold(text)))


def normalise_link(kind: str, value: str) -> str:
    """The form in which two reports' details are compared; equal forms mean a shared detail.

    vehicle: a UK registration however it was typed ("ab12 cde", "AB12-CDE") becomes its
        letters and digits in capitals ("AB12CDE"). Anything else, such as "silver Ford
        Focus", is kept in capitals with single spaces, so only identical descriptions match.
    address: the postcode decides. If the text contains a UK postcode, spaced or not, in any
        case, the form is the postcode written the standard way ("SW1A 1AA"), preceded by the
        house number when the address starts with one ("12 High St, sw1a1aa" is
        "12 SW1A 1AA"). Street names are left out because they are spelt, abbreviated and
        punctuated in too many ways. Without a postcode, the words of the address in lower
        case with single spaces ("Flat 3, The Old Mill" is "flat 3 the old mill").
    phone: the number as the contacts directory stores it: E.164 ("+447400123456") for a full
        number, or the digits of a UK short code ("101"). If it is not a number that can be
        dialled, its digits alone, so that two reports with the same mistyping still match
        (and "" if it has none).
    exploiter: a name or nickname in lower case without accents or punctuation, with single
        spaces ("Big-Dave!" is "big dave", "O'Brien" is "obrien").

    Empty or blank text normalises to "", which matches nothing: callers should not store it.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if kind == LinkKind.VEHICLE:
        compact = re.sub(r"[\s-]", "", text.upper())
        if _REGISTRATION.fullmatch(compact):
            return compact
        return " ".join(text.upper().split())
    if kind == LinkKind.ADDRESS:
        postcodes = _POSTCODE.findall(text)
        if postcodes:
            # The last one: a postcode ends a UK address, and an earlier match is more likely
            # to be something else that happens to look like one.
            outward, inward = postcodes[-1]
            postcode = f"{outward.upper()} {inward.upper()}"
            number = _HOUSE_NUMBER.match(text)
            return f"{number.group(1).upper()} {postcode}" if number else postcode
        return " ".join(_WORD.findall(_fold(text)))
    if kind == LinkKind.PHONE:
        try:
            return phones.normalise(text)
        except ValidationError:
            return "".join(ch for ch in text if ch.isdigit())
    if kind == LinkKind.EXPLOITER:
        return " ".join(_words(text))
    raise ValueError(f"Unknown kind of link: {kind!r}")


# A link's columns are 300 characters; a longer line is compared by its first 300, as stored.
LINK_LENGTH = 300
# Names and nicknames may be typed several to the field ("Marius, Big M"); the other details
# are one a line, and an address has commas of its own.
_NAME_SEPARATORS = re.compile(r"[,;\n]")


def exploiter_details(
    *, names: str, nicknames: str, vehicles: str, phones: str, addresses: str
) -> list[tuple[str, str, str]]:
    """An exploiter's details as (kind, value as typed, normalised form), in the order typed.

    Each name and nickname (separated by commas, semicolons or new lines) is a detail of kind
    exploiter; each line of vehicles, phones and addresses one of its kind. A blank part, or
    one that normalises to nothing (a phone line without digits), is no detail; the same
    detail typed twice, in any form ("AB12 CDE" and "ab12cde"), is one, as first typed.
    """
    parts = [
        *((LinkKind.EXPLOITER, part) for part in _NAME_SEPARATORS.split(names or "")),
        *((LinkKind.EXPLOITER, part) for part in _NAME_SEPARATORS.split(nicknames or "")),
        *((LinkKind.VEHICLE, line) for line in (vehicles or "").splitlines()),
        *((LinkKind.PHONE, line) for line in (phones or "").splitlines()),
        *((LinkKind.ADDRESS, line) for line in (addresses or "").splitlines()),
    ]
    details: dict[tuple[str, str], str] = {}
    for kind, text in parts:
        value = " ".join(text.split())[:LINK_LENGTH]
        normalised = normalise_link(kind, value)[:LINK_LENGTH]
        if normalised:
            details.setdefault((str(kind), normalised), value)
    return [(kind, value, normalised) for (kind, normalised), value in details.items()]


# --- Possible duplicate people ---------------------------------------------------------------

# Out of 100. A name is the main evidence: the same name alone is enough to show a lead, a
# date of birth alone is not (many people share one). Age and nationality only add weight.
NAME_POINTS = 60
DATE_OF_BIRTH_POINTS = 30
AGE_POINTS = 10
NATIONALITY_POINTS = 10
THRESHOLD = 50
# A close match: opening a new case for someone who scores this against a person with a case
# needs an explicit confirmation (cases.services.case_open). A name alone (60) is not close;
# the same name with the same date of birth (90), or with a similar age and a nationality in
# common (80), is.
CLOSE_MATCH = 80

# How alike two names must be (0 to 1, see name_similarity) to count at all, and how alike two
# words must be to count as the same word spelt differently ("Popesku" for "Popescu" is 0.86;
# "Ionescu" for "Popescu" is 0.71, a different family).
NAME_MATCH = 0.8
WORD_MATCH = 0.75
AGE_TOLERANCE_YEARS = 2


def name_key(name: str) -> str:
    """A name's words without accents, case or punctuation, in alphabetical order.

    "Popescu, Maria", "maria POPESCU" and "María Popescu" all give "maria popescu". Useful as
    a search index column as well as for comparing names.
    """
    return " ".join(sorted(_words(name)))


def name_similarity(first: str, second: str) -> float:
    """How alike two names are, from 0 (nothing in common) to 1 (the same words in any order).

    Each word is paired with the most similar unpaired word of the other name (difflib's
    ratio), so word order does not matter. Words less than WORD_MATCH alike are not paired.
    The result is the share of all the letters of both names that sit in paired words, each
    pair weighted by how alike its words are. So a shared first name with a different family
    name scores low ("Maria Popescu" and "Maria Ionescu": 0.42), a misspelling scores high
    ("Maria Popescu" and "Maria Popesku": 0.92), and a missing middle name costs only its own
    letters ("Maria Elena Popescu" and "Maria Popescu": 0.83).
    """
    words_a, words_b = _name_words(first), _name_words(second)
    if not words_a or not words_b:
        return 0.0
    pairs = []
    for i, a in enumerate(words_a):
        for j, b in enumerate(words_b):
            ratio = 1.0 if a == b else _word_ratio(a, b)
            if ratio >= WORD_MATCH:
                pairs.append((ratio, i, j))
    pairs.sort(reverse=True)
    used_a, used_b = set(), set()
    matched = 0.0
    for ratio, i, j in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched += ratio * (len(words_a[i]) + len(words_b[j]))
    total = sum(map(len, words_a)) + sum(map(len, words_b))
    return matched / total


@functools.lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    # A close-match check folds each of thousands of names: the same few words recur.
    return tuple(_words(name))


@functools.lru_cache(maxsize=65536)
def _word_ratio(a: str, b: str) -> float:
    """difflib's ratio of two words where it may reach WORD_MATCH, else 0. Its two cheap upper
    bounds come first: most pairs of words are nothing alike, and a close-match check compares
    a name with thousands of people's (issue 22), so the result is the same and quicker."""
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < WORD_MATCH or matcher.quick_ratio() < WORD_MATCH:
        return 0.0
    return matcher.ratio()


def names_of(name: str, aliases: str) -> list[str]:
    """A person's name and each of their aliases (separated by commas), trimmed."""
    return [n for n in (s.strip() for s in [name or "", *(aliases or "").split(",")]) if n]


def _nationalities(text: str) -> dict[str, str]:
    """Folded form to the words as typed: "Romanian, Moldovan" has two."""
    found = {}
    for part in re.split(r"[,;/]", text or ""):
        if key := " ".join(_words(part)):
            found.setdefault(key, part.strip())
    return found


def similar_people(
    candidate: dict, people: Iterable[Person], *, today: dt.date | None = None
) -> list[tuple[Person, int, list[str]]]:
    """People who may be the one a lead is about to record, best match first.

    `candidate` has the keys name, aliases (separated by commas), date_of_birth (a date or
    None), estimated_age (a number or None) and nationalities (text). `people` must already
    be limited to those the user may see: nothing here checks access.

    Each person scores out of 100:
    - name: NAME_POINTS times the best name_similarity between any of the candidate's name
      and aliases and any of the person's, when it is at least NAME_MATCH;
    - the same date of birth: DATE_OF_BIRTH_POINTS;
    - otherwise ages (from a date of birth or an estimate) at most AGE_TOLERANCE_YEARS apart:
      AGE_POINTS;
    - a nationality in common: NATIONALITY_POINTS.
    People scoring at least THRESHOLD come back as (person, score, reasons), highest score
    first, then in the order given; reasons are sentences a lead can read, such as
    "similar name: Maria Popescu / Popescu, Maria".
    """
    today = today or timezone.localdate()
    cand_names = names_of(candidate.get("name", ""), candidate.get("aliases", ""))
    cand_dob = candidate.get("date_of_birth")
    # Ages by Person.age_on's rule, as for recorded people: a date of birth beats an estimate.
    as_person = Person(date_of_birth=cand_dob, estimated_age=candidate.get("estimated_age"))
    cand_age = as_person.age_on(today)
    cand_nationalities = _nationalities(candidate.get("nationalities", ""))

    results = []
    for person in people:
        score, reasons = 0, []

        best, pair = 0.0, None
        for ours in cand_names:
            for theirs in names_of(person.name, person.aliases):
                similarity = name_similarity(ours, theirs)
                if similarity > best:
                    best, pair = similarity, (ours, theirs)
        if pair and best >= NAME_MATCH:
            score += round(NAME_POINTS * best)
            reasons.append(f"similar name: {pair[0]} / {pair[1]}")

        if cand_dob and person.date_of_birth == cand_dob:
            score += DATE_OF_BIRTH_POINTS
            reasons.append("same date of birth")
        else:
            age = person.age_on(today)
            if (
                cand_age is not None
                and age is not None
                and abs(cand_age - age) <= AGE_TOLERANCE_YEARS
            ):
                score += AGE_POINTS
                reasons.append(f"similar age: {cand_age} / {age}")

        shared = [
            typed
            for key, typed in _nationalities(person.nationalities).items()
            if key in cand_nationalities
        ]
        if shared:
            score += NATIONALITY_POINTS
            reasons.append(f"same nationality: {', '.join(shared)}")

        if score >= THRESHOLD:
            results.append((person, score, reasons))
    results.sort(key=lambda result: result[1], reverse=True)
    return results
