import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret

from core.phones import is_valid_phone


def validate_phone(value: str) -> None:
    """Any valid number (core.phones: French rules for national numbers, overseas included)."""
    if value and not is_valid_phone(value):
        raise ValidationError(
            _("Numéro de téléphone invalide : écrivez par exemple 06 12 34 56 78."),
            code="invalid_phone",
        )


def validate_siret(value: str) -> None:
    """A SIRET as stored, 14 digits; python-stdnum checks them (Luhn, and La Poste's own rule
    for its establishments)."""
    if not value:
        return
    if not re.fullmatch(r"\d{14}", value):
        raise ValidationError(_("Le SIRET compte 14 chiffres."), code="invalid_siret")
    try:
        siret.validate(value)
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("Ce SIRET n'existe pas (vérifiez les chiffres)."), code="invalid_siret"
        ) from None


def validate_territory(value: str) -> None:
    """A French département code: 01–95, 2A, 2B, or 971–976."""
    if value and not re.fullmatch(r"(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])", value):
        raise ValidationError(
            _("Code de département invalide (par exemple 03, 2A ou 974)."),
            code="invalid_territory",
        )
