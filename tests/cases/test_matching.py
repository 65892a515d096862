import datetime as dt

import pytest

from cases.matching import name_key, name_similarity, normalise_link, similar_people
from cases.models import LinkKind, Person

TODAY = dt.date(2026, 11, 20)


# --- normalise_link --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("AB12CDE", "AB12CDE"),
        ("ab12 cde", "AB12CDE"),
        ("AB12-CDE", "AB12CDE"),
        ("  Ab 12 c de ", "AB12CDE"),
        ("a123 bcd", "A123BCD"),
        ("abc 123d", "ABC123D"),
        ("abz 1234", "ABZ1234"),
    ],
)
def test_registrations_compare_without_spaces_hyphens_or_case(typed, normalised):
    assert normalise_link("vehicle", typed) == normalised


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("silver  Ford\tfocus", "SILVER FORD FOCUS"),
        ("Ford", "FORD"),
        ("white van, no plates", "WHITE VAN, NO PLATES"),
    ],
)
def test_vehicle_descriptions_keep_their_words_in_capitals(typed, normalised):
    assert normalise_link("vehicle", typed) == normalised


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("12 High St, sw1a1aa", "12 SW1A 1AA"),
        ("12, High Street, London, SW1A 1AA", "12 SW1A 1AA"),
        ("12 high street london sw1a  1aa", "12 SW1A 1AA"),
        ("12a Station Rd, Birmingham B33 8TH", "12A B33 8TH"),
        ("Flat above the shop, m1 1ae", "M1 1AE"),
        ("EC1A1BB", "EC1A 1BB"),
    ],
)
def test_addresses_with_a_postcode_compare_on_house_number_and_postcode(typed, normalised):
    assert normalise_link("address", typed) == normalised


def test_two_spellings_of_one_address_match():
    assert normalise_link("address", "12 High St, SW1A 1AA") == normalise_link(
        "address", "12 high street, westminster, london sw1a1aa"
    )


def test_same_postcode_different_house_numbers_do_not_match():
    assert normalise_link("address", "12 High St, SW1A 1AA") != normalise_link(
        "address", "14 High St, SW1A 1AA"
    )


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Flat 3,  The Old Mill", "flat 3 the old mill"),
        ("The Café, Market Square", "the cafe market square"),
        # Inward codes never use C, I, K, M, O or V: "2CI" is not the end of a postcode.
        ("Unit B1 2CI, Trading Estate", "unit b1 2ci trading estate"),
    ],
)
def test_addresses_without_a_postcode_compare_on_their_words(typed, normalised):
    assert normalise_link("address", typed) == normalised


@pytest.mark.parametrize(
    "typed", ["07400 123456", "07400123456", "+44 7400 123456", "0044 (0)7400-123456"]
)
def test_phone_numbers_compare_in_the_contacts_directory_form(typed):
    assert normalise_link("phone", typed) == "+447400123456"


def test_uk_short_codes_compare_as_their_digits():
    assert normalise_link("phone", " 101 ") == "101"


def test_numbers_that_cannot_be_dialled_compare_on_their_digits():
    assert normalise_link("phone", "0740 012") == "0740012"
    assert normalise_link("phone", "(0740) 012") == "0740012"
    assert normalise_link("phone", "not known") == ""


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("  Big  Dave!! ", "big dave"),
        ("BIG-DAVE", "big dave"),
        ("O'Brien", "obrien"),
        ("O\u2019Brien", "obrien"),
        ("José 'Papi' Núñez", "jose papi nunez"),
        ("Mr. K.", "mr k"),
    ],
)
def test_exploiter_names_compare_without_case_accents_or_punctuation(typed, normalised):
    assert normalise_link("exploiter", typed) == normalised


@pytest.mark.parametrize("kind", LinkKind.values)
def test_blank_details_normalise_to_nothing(kind):
    assert normalise_link(kind, "   ") == ""
    assert normalise_link(kind, "") == ""


def test_link_kind_members_are_accepted_as_kinds():
    assert normalise_link(LinkKind.VEHICLE, "ab12 cde") == "AB12CDE"


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown kind of link: 'boat'"):
        normalise_link("boat", "Sea Breeze")


# --- name_key and name_similarity ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Popescu, Maria", "maria popescu"),
        ("  MARIA   popescu ", "maria popescu"),
        ("Ana-María", "ana maria"),
        ("O'Brien, Seán", "obrien sean"),
        ("", ""),
    ],
)
def test_name_key_ignores_accents_case_punctuation_and_word_order(name, key):
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("first", "second", "low", "high"),
    [
        ("Maria Popescu", "Popescu, Maria", 1.0, 1.0),
        ("Ana-María Lungu", "ana maria LUNGU", 1.0, 1.0),
        ("Maria Popescu", "Maria Popesku", 0.9, 0.95),
        ("Maria Elena Popescu", "Maria Popescu", 0.8, 0.85),
        ("Maria Popescu", "Maria Ionescu", 0.4, 0.45),
        ("Maria", "Maria Popescu", 0.55, 0.6),
        ("Maria Popescu", "", 0.0, 0.0),
        ("", "", 0.0, 0.0),
    ],
)
def test_name_similarity(first, second, low, high):
    assert low <= name_similarity(first, second) <= high
    assert name_similarity(second, first) == name_similarity(first, second)


# --- similar_people --------------------------------------------------------------------------


def person(name="", *, aliases="", dob=None, age=None, nationalities="", reference="P-1"):
    return Person(
        reference=reference,
        name=name,
        aliases=aliases,
        date_of_birth=dob,
        estimated_age=age,
        nationalities=nationalities,
    )


def candidate(name="", *, aliases="", dob=None, age=None, nationalities=""):
    return {
        "name": name,
        "aliases": aliases,
        "date_of_birth": dob,
        "estimated_age": age,
        "nationalities": nationalities,
    }


def matches(cand, people):
    return [
        (p.reference, score, reasons)
        for p, score, reasons in similar_people(cand, people, today=TODAY)
    ]


def test_reordered_name_is_a_strong_match():
    maria = person("Popescu, Maria")

    assert matches(candidate("Maria Popescu"), [maria]) == [
        ("P-1", 60, ["similar name: Maria Popescu / Popescu, Maria"])
    ]


def test_a_candidate_alias_matching_a_recorded_name_is_a_match():
    maria = person("Popescu, Maria")

    assert matches(candidate("Mary Pope", aliases="Mari, Maria Popescu"), [maria]) == [
        ("P-1", 60, ["similar name: Maria Popescu / Popescu, Maria"])
    ]


def test_a_name_matching_a_recorded_alias_is_a_match():
    maria = person("Mary Pope", aliases=" Maria Popescu ,Mari")

    assert matches(candidate("Popescu, Maria"), [maria]) == [
        ("P-1", 60, ["similar name: Popescu, Maria / Maria Popescu"])
    ]


def test_accents_and_hyphens_do_not_hide_a_match():
    ana = person("Ana Maria Lungu")

    assert matches(candidate("Ana-María Lungu"), [ana]) == [
        ("P-1", 60, ["similar name: Ana-María Lungu / Ana Maria Lungu"])
    ]


def test_a_misspelt_name_matches_less_strongly_than_an_exact_one():
    [(_, score, reasons)] = matches(candidate("Maria Popesku"), [person("Maria Popescu")])

    assert 50 <= score < 60
    assert reasons == ["similar name: Maria Popesku / Maria Popescu"]


def test_same_name_and_date_of_birth_is_a_very_strong_match():
    maria = person("Maria Popescu", dob=dt.date(2008, 3, 4))

    assert matches(candidate("Popescu Maria", dob=dt.date(2008, 3, 4)), [maria]) == [
        ("P-1", 90, ["similar name: Popescu Maria / Maria Popescu", "same date of birth"])
    ]


def test_every_reason_is_given_in_words():
    maria = person("Popescu, Maria", dob=dt.date(2008, 3, 4), nationalities="Romanian")

    assert matches(
        candidate("Maria Popescu", dob=dt.date(2008, 3, 4), nationalities="romanian"), [maria]
    ) == [
        (
            "P-1",
            100,
            [
                "similar name: Maria Popescu / Popescu, Maria",
                "same date of birth",
                "same nationality: Romanian",
            ],
        )
    ]


def test_a_name_only_just_similar_enough_needs_a_similar_age_or_nationality_too():
    # 80% alike, the least that counts: 48 points, short of the threshold of 50.
    recorded = person("Maria Ilinca Popescu", age=17, nationalities="Romanian")

    assert matches(candidate("Maria Popescu", age=30), [recorded]) == []
    assert matches(candidate("Maria Popescu", age=19), [recorded]) == [
        ("P-1", 58, ["similar name: Maria Popescu / Maria Ilinca Popescu", "similar age: 19 / 17"])
    ]
    assert matches(candidate("Maria Popescu", nationalities="Romanian"), [recorded]) == [
        (
            "P-1",
            58,
            ["similar name: Maria Popescu / Maria Ilinca Popescu", "same nationality: Romanian"],
        )
    ]


def test_ages_from_a_date_of_birth_and_an_estimate_are_compared_two_years_either_way():
    # 18 on TODAY: their birthday was yesterday.
    recorded = person("Maria Ilinca Popescu", dob=dt.date(2008, 11, 19))

    def reasons_for(age):
        found = matches(candidate("Maria Popescu", age=age), [recorded])
        return found[0][2][1:] if found else None

    assert reasons_for(15) is None
    assert reasons_for(16) == ["similar age: 16 / 18"]
    assert reasons_for(20) == ["similar age: 20 / 18"]
    assert reasons_for(21) is None


def test_different_dates_of_birth_still_compare_ages():
    recorded = person("Maria Elena Popescu", dob=dt.date(2008, 3, 4))

    [(_, score, reasons)] = matches(candidate("Maria Popescu", dob=dt.date(2009, 1, 1)), [recorded])

    assert score == 60
    assert reasons[1] == "similar age: 17 / 18"


def test_different_people_with_a_common_first_name_are_not_matched():
    maria = person("Maria Popescu", dob=dt.date(2008, 3, 4), nationalities="Romanian")

    assert (
        matches(
            candidate("Maria Ionescu", dob=dt.date(2008, 5, 6), nationalities="Romanian"), [maria]
        )
        == []
    )


def test_a_shared_date_of_birth_and_nationality_without_a_name_are_not_a_match():
    maria = person("Maria Popescu", dob=dt.date(2008, 3, 4), nationalities="Romanian")

    assert (
        matches(
            candidate("Elena Dumitru", dob=dt.date(2008, 3, 4), nationalities="Romanian"), [maria]
        )
        == []
    )


def test_a_first_name_alone_is_not_a_name_match():
    assert (
        matches(
            candidate("Maria", age=17, nationalities="Romanian"),
            [person("Maria Popescu", age=17, nationalities="Romanian")],
        )
        == []
    )


def test_unnamed_people_never_match_on_their_empty_names():
    unnamed = person("", aliases="", age=17, nationalities="Vietnamese")

    assert matches(candidate("", age=17, nationalities="Vietnamese"), [unnamed]) == []


def test_one_shared_nationality_among_several_counts():
    maria = person("Maria Popescu", nationalities="Moldovan, Romanian")

    [(_, score, reasons)] = matches(
        candidate("Maria Popescu", nationalities="romanian; Ukrainian"), [maria]
    )

    assert score == 70
    assert reasons[-1] == "same nationality: Romanian"


def test_best_matches_come_first_and_ties_keep_the_order_given():
    people = [
        person("Maria Popesku", reference="P-MISSPELT"),
        person("Elena Dumitru", reference="P-OTHER"),
        person("Popescu, Maria", reference="P-NAME-1"),
        person("Maria Popescu", dob=dt.date(2008, 3, 4), reference="P-NAME-DOB"),
        person("Maria Popescu", reference="P-NAME-2"),
    ]

    found = matches(candidate("Maria Popescu", dob=dt.date(2008, 3, 4)), iter(people))

    assert [(reference, score) for reference, score, _ in found] == [
        ("P-NAME-DOB", 90),
        ("P-NAME-1", 60),
        ("P-NAME-2", 60),
        ("P-MISSPELT", 55),
    ]


def test_missing_keys_and_blank_aliases_are_tolerated():
    found = similar_people({"name": "Maria Popescu", "aliases": None}, [person("Maria Popescu")])

    assert [score for _, score, _ in found] == [60]
