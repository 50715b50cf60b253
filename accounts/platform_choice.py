"""The platform a page is about, for people who work for several: the ones they may pick,
and the one picked (`?platform=`)."""

from django.utils.translation import gettext_lazy as _

from accounts.need_to_know import DataKind, Mode, platforms_where
from accounts.scoping import memberships
from core.errors import NotFoundError


def platform_choices(user, kind: DataKind, mode: Mode = Mode.READ) -> list[tuple[int, str]]:
    """The platforms where the user may read (write) this kind, as (id, name) in the order of
    their names: what a page about one platform lets them pick (no query: the memberships)."""
    allowed = platforms_where(user, kind, mode)
    names: dict[int, str] = {}
    for m in memberships(user):
        if m.organisation_id in allowed:
            names.setdefault(m.organisation_id, m.organisation_name)
    return list(names.items())


def platform_chosen(user, kind: DataKind, mode: Mode = Mode.READ, *,
                    asked=None) -> tuple[int, list[tuple[int, str]]]:  # fmt: skip
    """The platform a page is about, and the user's `platform_choices`: `asked` (an id, or
    its text from a query string) among them, the first by default. Another platform, or
    none to choose from: NotFoundError."""
    choices = platform_choices(user, kind, mode)
    if asked is None or asked == "":
        chosen = choices[0][0] if choices else None
    else:
        chosen = int(asked) if str(asked).isdigit() else None
    if chosen is None or chosen not in dict(choices):
        raise NotFoundError(_("Plateforme introuvable."))
    return chosen, choices
