import re
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def decimal_pattern(*, whole_digits: int, decimal_places: int, signed: bool, positive: bool) -> str:
    """The pattern (ECMA and Python alike: ASCII digits, no `\\d`) of a decimal written as text:
    up to `whole_digits` digits, then optionally a point and up to `decimal_places` digits."""
    number = rf"[0-9]{{1,{whole_digits}}}"
    if decimal_places:
        number += rf"(?:\.[0-9]{{1,{decimal_places}}})?"
    if positive:  # at least one non-zero digit: the smallest amount is one unit of the last place
        return rf"^(?=[0-9.]*[1-9]){number}$"
    return rf"^{'-?' if signed else ''}{number}$"


class DecimalStringField(serializers.DecimalField):
    """A decimal sent and returned as a JSON string (DESIGN §6: "35.00"), never a JSON number
    (a float loses cents). Input: ASCII digits, a point, at most `decimal_places` decimals
    ("35", "35.5", "35.00"), no sign when `min_value` is 0 or more; the pattern is checked here
    and published by the OpenAPI schema, so the two cannot disagree. Output: always
    `decimal_places` decimals. A `max_value` needs an explicit `pattern` saying it."""

    default_error_messages = {
        "format": _("Écrivez le nombre en texte, avec un point pour les décimales : « 35.00 »."),
    }

    def __init__(self, *, pattern: str | None = None, **kwargs):
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)
        minimum = self.min_value
        smallest = Decimal(1).scaleb(-self.decimal_places)
        if pattern is None and (
            self.max_value is not None or (minimum is not None and 0 < minimum != smallest)
        ):
            raise ImproperlyConfigured("Give the pattern that says this field's bounds.")
        signed = minimum is None or minimum < 0
        self.input_pattern = pattern or decimal_pattern(
            whole_digits=self.max_whole_digits,
            decimal_places=self.decimal_places,
            signed=signed,
            positive=minimum is not None and minimum > 0,
        )
        self.output_pattern = (
            rf"^{'-?' if signed else ''}[0-9]{{1,{self.max_whole_digits}}}"
            + (rf"\.[0-9]{{{self.decimal_places}}}" if self.decimal_places else "")
            + "$"
        )
        self._input_regex = re.compile(self.input_pattern)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self._input_regex.fullmatch(data):
            self.fail("format")
        return super().to_internal_value(data)


class MoneyField(DecimalStringField):
    """Euros as a string with two decimals ("35.00"); never negative unless allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


class StrictBooleanField(serializers.BooleanField):
    """`true` or `false` (in a form: "true"/"false"), as the schema says; not DRF's other
    spellings (0, 1, "yes", "on"...), which a client sending them believes mean something."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid", input=data)


class TextField(serializers.CharField):
    """Text as a JSON string, as the schema says; DRF's CharField would also take a number
    and turn it into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class PatternField(serializers.RegexField):
    """A JSON string matching `regex` (not a number that would, once turned into text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
