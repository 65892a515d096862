import pytest
from django.core.exceptions import ValidationError

from contacts import phones


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("08000 121 700", "+448000121700", "08000 121 700"),
        ("0800 808 3733", "+448008083733", "0800 808 3733"),
        ("0800 555 111", "+44800555111", "0800 555 111"),
        ("020 7736 6994", "+442077366994", "020 7736 6994"),
        ("(0300) 123-1100", "+443001231100", "0300 123 1100"),
        ("+44 161 496 0100", "+441614960100", "0161 496 0100"),
        ("0044 161 496 0100", "+441614960100", "0161 496 0100"),
        ("+33 1 42 68 53 00", "+33142685300", "+33 1 42 68 53 00"),
        ("999", "999", "999"),
        ("101", "101", "101"),
        (" 111 ", "111", "111"),
    ],
)
def test_numbers_are_stored_in_one_form_and_shown_in_uk_spacing(typed, stored, shown):
    assert phones.normalise(typed) == stored
    assert phones.display(stored) == shown
    assert phones.tel_uri(stored) == f"tel:{stored}"


@pytest.mark.parametrize("typed", ["12345", "0161 496", "call reception", "+44 99", "0800-HELP"])
def test_numbers_that_cannot_be_dialled_are_refused_with_what_to_type(typed):
    with pytest.raises(ValidationError) as error:
        phones.normalise(typed)

    assert "Enter a UK phone number, like 020 7946 0000" in error.value.messages[0]


def test_a_blank_number_asks_for_one():
    with pytest.raises(ValidationError, match="Enter a phone number"):
        phones.normalise("  ")
