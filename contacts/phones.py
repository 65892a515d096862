"""Phone numbers: checked and stored in one form, shown the way people in the UK write them.

Stored as E.164 ("+448000121700") for full numbers, or as the digits for UK short codes
("999", "101", "111"), which are not E.164 numbers but are what a lead must be able to dial.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import shortnumberinfo

INVALID = (
    "Enter a UK phone number, like 020 7946 0000 or 0800 123 4567, a UK short number like 101, "
    "or an international number starting with +"
)


def normalise(raw: str) -> str:
    """The stored form of what someone typed, or a ValidationError saying what to fix."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number")
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID) from None
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and shortnumberinfo.is_valid_short_number_for_region(
        phonenumbers.parse(digits, "GB"), "GB"
    ):
        return digits
    raise ValidationError(INVALID)


def display(stored: str) -> str:
    """UK numbers in the usual UK spacing; others in international format; short codes as is."""
    if not stored.startswith("+"):
        return stored
    number = phonenumbers.parse(stored)
    if number.country_code != 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = str(number.national_number)
    # Freephone numbers are advertised as "08000 121 700" and "0800 555 111", which the
    # library would print as "0800 012 1700" and "0800 555111".
    if national.startswith("8000") and len(national) == 10:
        return f"0{national[:4]} {national[4:7]} {national[7:]}"
    if national.startswith("800") and len(national) == 9:
        return f"0{national[:3]} {national[3:6]} {national[6:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def tel_uri(stored: str) -> str:
    return f"tel:{stored}"
