"""Fields and small helpers the partner portal forms share: choices, French numbers and lists,
local times, and service errors put back next to the right fields (date and time fields are
`core.forms`')."""

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [
    ("fr", _("français")),
    ("en", _("anglais")),
    ("ar", _("arabe")),
    ("pt", _("portugais")),
    ("es", _("espagnol")),
    ("tr", _("turc")),
    ("ro", _("roumain")),
    ("de", _("allemand")),
    ("it", _("italien")),
]
TIMEZONE_CHOICES = [
    ("Europe/Paris", _("Métropole (Europe/Paris)")),
    ("Indian/Reunion", _("La Réunion (Indian/Reunion)")),
    ("America/Guadeloupe", _("Guadeloupe (America/Guadeloupe)")),
    ("America/Martinique", _("Martinique (America/Martinique)")),
    ("America/Cayenne", _("Guyane (America/Cayenne)")),
    ("Indian/Mayotte", _("Mayotte (Indian/Mayotte)")),
    ("Pacific/Noumea", _("Nouvelle-Calédonie (Pacific/Noumea)")),
    ("Pacific/Tahiti", _("Polynésie française (Pacific/Tahiti)")),
]


class ServiceErrorsMixin:
    """A form whose service's `ValidationError` names fields under the model's names: this
    maps them to the form's (`core.web.run_service` puts each error next to its field; keys
    the form does not have become errors of the whole form)."""

    error_fields: dict[str, str] = {}


class FrenchDecimalField(forms.DecimalField):
    """Accepts "35", "35.00", "35,00" and "1 200,50", whatever the page language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs["error_messages"] = {
            "invalid": _("Écrivez un nombre, par exemple 35 ou 35,50."),
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            value = value.replace("€", "").replace(",", ".")
        if value in self.empty_values:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return str(value).replace(".", ",")
        return value


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The aware moment a date and a wall-clock time name in the partner's time zone."""
    return datetime.combine(day, at).replace(tzinfo=tz)


class CommuneListField(forms.CharField):
    """ "Moulins, Yzeure ; 03410" → the communes, each resolved by name or postcode.

    Unknown or ambiguous entries are all reported at once, in French."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(getattr(c, "name", str(c)) for c in value)
        return value

    def clean(self, value):
        from core.places import PlaceError, resolve_place

        text = super().clean(value)
        parts = list(dict.fromkeys(p.strip() for p in text.replace(";", ",").split(",")))
        communes, errors = [], []
        for part in filter(None, parts):
            try:
                communes.append(resolve_place(part).commune)
            except PlaceError as exc:
                errors.append(exc.message)
        if errors:
            raise forms.ValidationError(errors)
        return list(dict.fromkeys(communes))
