"""The agenda's navigation: the « Types de rendez-vous » tab only for the platform's admins."""

from django import template

from accounts.need_to_know import DataKind, Mode, platforms_where

register = template.Library()


@register.simple_tag(takes_context=True)
def sets_kinds(context) -> bool:
    """May the signed-in user set the appointment kinds of a platform?"""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(
        user and user.is_authenticated and platforms_where(user, DataKind.RULES, Mode.WRITE)
    )
