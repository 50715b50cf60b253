"""Pure predicates about what a user may do. They read memberships through `scoping` only."""

from accounts.enums import PARTNER_ROLES, PLATFORM_ROLES, ROLES_BY_KIND, OrganisationKind, Role
from accounts.scoping import memberships


def _org_id(organisation) -> int | None:
    if organisation is None:
        return None
    return organisation if isinstance(organisation, int) else organisation.pk


def has_role(user, role: str, organisation=None) -> bool:
    """True when the user holds `role` (in `organisation`, or anywhere when it is None)."""
    org_id = _org_id(organisation)
    return any(
        m.role == role and (org_id is None or m.organisation_id == org_id)
        for m in memberships(user)
    )


def is_platform_admin(user, platform=None) -> bool:
    return has_role(user, Role.ADMIN, platform)


def is_adviser(user, platform=None) -> bool:
    return has_role(user, Role.ADVISER, platform)


def is_finance_officer(user, platform=None) -> bool:
    return has_role(user, Role.FINANCE_OFFICER, platform)


def is_platform_staff(user, platform=None) -> bool:
    """Any platform role: admin, adviser or finance officer."""
    return any(has_role(user, role, platform) for role in PLATFORM_ROLES)


def is_partner_manager(user, partner=None) -> bool:
    return has_role(user, Role.PARTNER_MANAGER, partner)


def is_partner_member(user, partner=None) -> bool:
    """Partner manager or partner staff."""
    return any(has_role(user, role, partner) for role in PARTNER_ROLES)


def is_prescriber(user, organisation=None) -> bool:
    return has_role(user, Role.PRESCRIBER, organisation)


def is_staff_member(user) -> bool:
    """Anyone who works in an organisation (as opposed to a beneficiary)."""
    return bool(memberships(user))


def is_beneficiary(user) -> bool:
    """A signed-in person followed by a platform, linked to their Beneficiary record."""
    if user is None or not user.is_authenticated:
        return False
    try:
        return user.beneficiary is not None
    except user.__class__.beneficiary.RelatedObjectDoesNotExist:
        return False


def can_manage_members(user, organisation) -> bool:
    """Platform admins manage their platform and the organisations attached to it;
    partner managers manage their own partner organisation."""
    if organisation.kind == OrganisationKind.PLATFORM:
        return is_platform_admin(user, organisation)
    if organisation.kind == OrganisationKind.PARTNER and is_partner_manager(user, organisation):
        return True
    return organisation.platform_id is not None and is_platform_admin(
        user, organisation.platform_id
    )


def can_invite(user, organisation, role: str) -> bool:
    return role in ROLES_BY_KIND[organisation.kind] and can_manage_members(user, organisation)
