"""Where free text may identify the person: pure functions, no queries.

An anonymous Duty to Notify keeps the account in the words the practitioner and the person
used, and those words may name them, give their birthday or a number to ring. `find` says
where, so that the lead's preview can mark each place before the notice is sent. It answers
with spans and reasons, never with the values it looked for, so that a caller cannot write
them into a log or an audit detail by accident.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from cases.matching import _APOSTROPHES, _POSTCODE, _WORD, _fold, _words


class Reason:
    NAME = "a word of their name or other names"
    DATE_OF_BIRTH = "their date of birth"
    PHONE = "a phone number"
    EMAIL = "an email address"
    POSTCODE = "a postcode"
    ADDRESS = "a street address"
    PERSON_REFERENCE = "their person reference"
    HOME_OFFICE_REFERENCE = "their Home Office reference"
    PLACE_OF_BIRTH = "their place of birth"


# Ten to fifteen digits, spaced, dashed or bracketed as people write them ("07700 900 123",
# "+44 (0)7700-900123"), on one line: fewer is a date or a crime reference, more is not a
# phone.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \t().-]{8,20}\d(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STREET = re.compile(
    r"\b(?:flat\s+\d+\w?,?\s+)?\d+[a-z]?,?\s+(?:[a-z][\w'-]*\s+){1,3}"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|crescent|court|place|"
    r"terrace|gardens|grove|hill|park|row|square|walk|mews)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Identity:
    """What would identify the person, as the matcher needs it. Build it with `identity`."""

    name_words: frozenset[str] = frozenset()
    dates_of_birth: tuple[re.Pattern, ...] = ()
    exact: tuple[tuple[str, str], ...] = ()  # (folded value, reason)
    own_phone_digits: frozenset[str] = frozenset()
    own_email: str = ""


def _date_patterns(day: dt.date) -> tuple[re.Pattern, ...]:
    d, m, y, yy = day.day, day.month, day.year, day.year % 100
    month = day.strftime("%B")
    numeric = [
        rf"0?{d}\s*[/.-]\s*0?{m}\s*[/.-]\s*(?:{y}|{yy:02d})",  # 7/3/1994, 07.03.94
        rf"{y}\s*[/.-]\s*0?{m}\s*[/.-]\s*0?{d}",  # 1994-03-07
        rf"0?{d}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{month}|{month[:3]})\.?,?\s+(?:{y}|'?{yy:02d})",
        rf"(?:{month}|{month[:3]})\.?\s+0?{d}(?:st|nd|rd|th)?,?\s+{y}",  # March 7, 1994
    ]
    return tuple(re.compile(rf"(?<!\d){p}(?!\d)", re.IGNORECASE) for p in numeric)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def identity(
    *,
    names: list[str],
    date_of_birth: dt.date | None = None,
    person_reference: str = "",
    home_office_reference: str = "",
    place_of_birth: str = "",
    phones: list[str] = (),
    email: str = "",
    postal_address: str = "",
) -> Identity:
    words = frozenset(w for name in names for w in _words(name or "") if len(w) >= 2)
    exact = []
    for value, reason in (
        (person_reference, Reason.PERSON_REFERENCE),
        (home_office_reference, Reason.HOME_OFFICE_REFERENCE),
        (place_of_birth, Reason.PLACE_OF_BIRTH),
    ):
        if value and value.strip():
            exact.append((_fold(value.strip()), reason))
    for outward, inward in _POSTCODE.findall(postal_address or ""):
        exact.append((_fold(f"{outward} {inward}"), Reason.POSTCODE))
    return Identity(
        name_words=words,
        dates_of_birth=_date_patterns(date_of_birth) if date_of_birth else (),
        exact=tuple(exact),
        own_phone_digits=frozenset(d[-10:] for d in map(_digits, phones) if len(d) >= 10),
        own_email=_fold(email.strip()),
    )


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    reasons: tuple[str, ...]


@dataclass
class _Folded:
    """A text folded as `cases.matching._fold` folds it, with where each folded character
    came from, so that a match in the folded text marks the right characters of the text."""

    text: str
    origin: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> "_Folded":
        folded, origin = [], []
        for i, ch in enumerate(text):
            if _APOSTROPHES.fullmatch(ch):
                continue  # O'Brien folds to "obrien", as names are compared
            decomposed = unicodedata.normalize("NFKD", ch)
            part = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
            folded.append(part)
            origin += [i] * len(part)
        return cls("".join(folded), origin)

    def span(self, start: int, end: int, reason: str) -> Span:
        return Span(self.origin[start], self.origin[end - 1] + 1, (reason,))


def find(text: str, who: Identity, *, patterns: bool = True) -> list[Span]:
    """Where `text` may identify the person, in order and without overlaps. `patterns` looks
    for any phone, email, postcode or street address as well as their own; a field that is
    meant to hold someone else's (an exploiter's phones) passes False."""
    if not text:
        return []
    folded = _Folded.of(text)
    spans = []
    for match in _WORD.finditer(folded.text):
        if match.group() in who.name_words:
            spans.append(folded.span(match.start(), match.end(), Reason.NAME))
    for pattern in who.dates_of_birth:
        spans += [Span(m.start(), m.end(), (Reason.DATE_OF_BIRTH,)) for m in pattern.finditer(text)]
    for value, reason in who.exact:
        for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", folded.text):
            spans.append(folded.span(match.start(), match.end(), reason))
    for match in _PHONE.finditer(text):
        digits = _digits(match.group())
        own = digits[-10:] in who.own_phone_digits
        if 10 <= len(digits) <= 15 and (patterns or own):
            spans.append(Span(match.start(), match.end(), (Reason.PHONE,)))
    for match in _EMAIL.finditer(text):
        if patterns or _fold(match.group()) == who.own_email:
            spans.append(Span(match.start(), match.end(), (Reason.EMAIL,)))
    if patterns:
        spans += [Span(m.start(), m.end(), (Reason.POSTCODE,)) for m in _POSTCODE.finditer(text)]
        spans += [Span(m.start(), m.end(), (Reason.ADDRESS,)) for m in _STREET.finditer(text)]
    return _without_overlaps(spans)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Overlapping spans as one, with every reason (a name inside an address is both)."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if kept and span.start < kept[-1].end:
            last = kept[-1]
            reasons = last.reasons + tuple(r for r in span.reasons if r not in last.reasons)
            kept[-1] = Span(last.start, max(last.end, span.end), reasons)
            continue
        kept.append(span)
    return kept
