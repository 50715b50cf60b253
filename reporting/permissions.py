"""Who sees which dashboard (pure predicates over the memberships, no query of their own):
the platform's admin everything, an adviser their own file, a finance officer the money; a
funder's member the programmes it pays for."""

from dataclasses import dataclass

from accounts.enums import OrganisationKind, Role
from accounts.need_to_know import DataKind, platforms_where
from accounts.platform_choice import platform_choices, platform_chosen
from accounts.scoping import memberships, organisation_ids
from reporting.enums import ADMIN_FAMILIES, ADVISER_FAMILIES, FINANCE_FAMILIES, Family


@dataclass(frozen=True)
class Viewer:
    platform_id: int
    platform_name: str
    role: str
    families: tuple[Family, ...]
    adviser_id: int | None  # an adviser sees their own file

    @property
    def sees_people(self) -> bool:
        """Whether the dashboard may list people (the overdue follow-ups)."""
        return self.role in (Role.ADMIN, Role.ADVISER)


ORDER = (Role.ADMIN, Role.ADVISER, Role.FINANCE_OFFICER)


def platforms_of(user) -> list[tuple[int, str]]:
    return platform_choices(user, DataKind.INDICATORS)


def viewer_for(user, platform_id: int | None = None) -> Viewer:
    """The user's dashboard on a platform (the first of theirs by default); 404 elsewhere."""
    platform_id, platforms = platform_chosen(user, DataKind.INDICATORS, asked=platform_id)
    roles = {m.role for m in memberships(user) if m.organisation_id == platform_id}
    role = next(r for r in ORDER if r in roles)
    families = {Role.ADMIN: ADMIN_FAMILIES, Role.ADVISER: ADVISER_FAMILIES,
                Role.FINANCE_OFFICER: FINANCE_FAMILIES}[role]  # fmt: skip
    adviser_id = user.pk if role == Role.ADVISER else None
    return Viewer(platform_id, dict(platforms)[platform_id], role, tuple(families), adviser_id)


def funder_ids_of(user) -> set[int]:
    """The funder organisations whose figures this user reads as their member."""
    return organisation_ids(user, roles=[Role.FUNDER], kind=OrganisationKind.FUNDER)


def admin_platform_ids(user) -> set[int]:
    """Platforms whose admin may look at what their funders see (their own programmes)."""
    return platforms_where(user, DataKind.FUNDER_REPORT)
