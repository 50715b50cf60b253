"""What a user belongs to. Every selector scopes its queryset through these helpers.

Memberships are read once per user object (one query) and reused by every predicate and
selector during the request.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from accounts.enums import PLATFORM_ROLES, OrganisationKind

_CACHE_ATTR = "_solimob_memberships"


@dataclass(frozen=True)
class MembershipInfo:
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    platform_id: int | None
    role: str


def memberships(user) -> tuple[MembershipInfo, ...]:
    """The user's active memberships in active organisations, cached on the user object."""
    if user is None or not user.is_authenticated:
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from accounts.models import Membership

        rows = (
            Membership.objects.filter(user=user, active=True, organisation__is_active=True)
            .order_by("organisation__name", "role")
            .values_list(
                "organisation_id",
                "organisation__name",
                "organisation__kind",
                "organisation__platform_id",
                "role",
            )
        )
        cached = tuple(MembershipInfo(*row) for row in rows)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the cache after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def organisation_ids(user, roles: Iterable[str] | None = None, kind: str | None = None) -> set[int]:
    wanted = set(roles) if roles is not None else None
    return {
        m.organisation_id
        for m in memberships(user)
        if (wanted is None or m.role in wanted) and (kind is None or m.organisation_kind == kind)
    }


def platform_ids(user, roles: Iterable[str] | None = None) -> set[int]:
    """Platforms where the user holds one of `roles` (any platform role by default)."""
    wanted = set(roles) if roles is not None else PLATFORM_ROLES
    return organisation_ids(user, roles=wanted, kind=OrganisationKind.PLATFORM)


def partner_organisation_ids(user, roles: Iterable[str] | None = None) -> set[int]:
    return organisation_ids(user, roles=roles, kind=OrganisationKind.PARTNER)


def prescriber_organisation_ids(user) -> set[int]:
    return organisation_ids(user, kind=OrganisationKind.PRESCRIBER)
