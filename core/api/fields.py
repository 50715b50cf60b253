from rest_framework import serializers


class MoneyField(serializers.DecimalField):
    """Euros as a string with two decimals ("35.00"); never negative unless allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)
