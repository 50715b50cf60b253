import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalize_phone(value: str) -> str:
    """Turn what people type into E.164; French numbers may be written the French way.

    "06 12 34 56 78" → "+33612345678"; "+262 692 12 34 56" → "+262692123456".
    Anything that is not a plausible number is returned stripped, for the validator to refuse.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        digits = "+33" + digits[1:]
    return digits


def validate_phone(value: str) -> None:
    if value and not E164.match(value):
        raise ValidationError(
            _("Numéro de téléphone invalide : écrivez par exemple 06 12 34 56 78."),
            code="invalid_phone",
        )


def validate_siret(value: str) -> None:
    """14 digits passing the Luhn check (La Poste's establishments use a digit sum rule)."""
    if not value:
        return
    if not re.fullmatch(r"\d{14}", value):
        raise ValidationError(_("Le SIRET compte 14 chiffres."), code="invalid_siret")
    if value.startswith("356000000"):
        valid = sum(int(d) for d in value) % 5 == 0
    else:
        total = 0
        for index, char in enumerate(reversed(value)):
            digit = int(char)
            if index % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        valid = total % 10 == 0
    if not valid:
        raise ValidationError(
            _("Ce SIRET n'existe pas (vérifiez les chiffres)."), code="invalid_siret"
        )


def validate_territory(value: str) -> None:
    """A French département code: 01–95, 2A, 2B, or 971–976."""
    if value and not re.fullmatch(r"(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])", value):
        raise ValidationError(
            _("Code de département invalide (par exemple 03, 2A ou 974)."),
            code="invalid_territory",
        )
