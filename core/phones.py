"""Phone numbers (phonenumbers): typed the French way, stored as E.164, read the French way.

A number written nationally ("06 12 34 56 78", "0692 12 34 56") follows the French numbering
plan, overseas departments included: 0692 is a Réunion mobile (+262), 0590 a Guadeloupe line
(+590). phonenumbers parses a national number for one region at a time, so a number written
with France's 0 (or with +33 / 0033) is tried in the overseas departments first, then in
metropolitan France.
"""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

HOME = "FR"
# Réunion, Mayotte, Guadeloupe (with Saint-Barthélemy and Saint-Martin), Martinique, Guyane.
OVERSEAS = ("RE", "YT", "GP", "MQ", "GF")
OVERSEAS_CODES = frozenset({262, 590, 594, 596})
# Numbers that belong to a territory; 08 numbers (free, shared cost) are national, so +33.
TERRITORIAL = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.VOIP,
    }
)
TEXTABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _overseas(national: str) -> PhoneNumber | None:
    for region in OVERSEAS:
        try:
            number = phonenumbers.parse(national, region)
        except NumberParseException:
            return None
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in TERRITORIAL:
            return number
    return None


def phone_number(value: str | None) -> PhoneNumber | None:
    """The valid number `value` stands for, or None (blank, not a number, not assigned)."""
    raw = (value or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, HOME)
    except NumberParseException:
        return None
    if number.country_code == 33:
        # The French plan: "0692…" (or a mistaken "+33 692…") is Réunion's, not the metropole's.
        national = "0" + phonenumbers.national_significant_number(number)
        overseas = _overseas(national)
        if overseas is not None:
            return overseas
    return number if phonenumbers.is_valid_number(number) else None


def is_valid_phone(value: str | None) -> bool:
    return phone_number(value) is not None


def normalise_phone(value: str | None) -> str:
    """E.164 for a valid number ("06 12 34 56 78" → "+33612345678", "0692 12 34 56" →
    "+262692123456"); "" for blank; anything else comes back stripped, for the validator to
    refuse."""
    number = phone_number(value)
    if number is None:
        return (value or "").strip()
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display_phone(value: str | None) -> str:
    """How a French reader writes it: "06 12 34 56 78" in metropolitan France, "0692 12 34 56"
    overseas, "+44 20 7946 0958" abroad. A value that is not a valid number is shown as
    stored."""
    number = phone_number(value)
    if number is None:
        return (value or "").strip()
    if number.country_code == 33 or number.country_code in OVERSEAS_CODES:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def can_receive_sms(value: str | None) -> bool:
    """A mobile number (a landline, 08 or VoIP number cannot be texted)."""
    number = phone_number(value)
    return number is not None and phonenumbers.number_type(number) in TEXTABLE
