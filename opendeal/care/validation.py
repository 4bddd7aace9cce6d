"""Checks on what practitioners type: NHS numbers, UK phone numbers, dates that cannot be in
the future. Each raises a `ValidationError` in plain words, or returns the tidy value."""

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone

NHS_NUMBER_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit of nine digits, or None when no check digit can make them a
    valid NHS number (the remainder gives 10)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, NHS_NUMBER_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def clean_nhs_number(text: str | None) -> str:
    """Ten digits (spaces and hyphens allowed, as in "943 476 5919") whose last digit is the
    Modulus 11 check digit of the first nine. Empty stays empty: the NHS number is optional."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not digits:
        return ""
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919")
    if nhs_number_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError("This is not a valid NHS number: check the digits and try again")
    return digits


def format_nhs_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def clean_uk_phone(text: str | None) -> str:
    """A UK phone number in E.164 form (+441614960123), from how people write it
    ("0161 496 0123", "+44 161 496 0123"). Empty stays empty."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError("Enter a UK phone number, like 0161 496 0123 or +44 161 496 0123")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """How a stored number is shown: "0161 496 0123"."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, "GB")
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def not_in_future(day: datetime.date | None, what: str) -> None:
    """Refuse a date after today (UK time) for something that has already happened."""
    if day is not None and day > timezone.localdate():
        raise ValidationError(f"{what} must be today or in the past")
