"""`{{ person.phone|phone }}`: a stored E.164 number read the French way (core.phones)."""

from django import template

from core.phones import display_phone

register = template.Library()


@register.filter(name="phone")
def phone(value: str | None) -> str:
    return display_phone(value)
