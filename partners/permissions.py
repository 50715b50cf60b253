"""Who may see and change partner data."""

from accounts import permissions as account_permissions
from accounts.scoping import partner_organisation_ids, platform_ids


def can_manage_partner(user, partner) -> bool:
    """Partner managers edit their own partner; platform admins edit the partners they
    onboarded or have an agreement with."""
    organisation = partner.organisation
    if account_permissions.is_partner_manager(user, organisation):
        return True
    admin_platforms = platform_ids(user, roles=["admin"])
    if organisation.platform_id in admin_platforms:
        return True
    return any(a.platform_id in admin_platforms for a in partner.agreements.all())


def can_view_partner_portal(user, partner) -> bool:
    return partner.organisation_id in partner_organisation_ids(user) or can_manage_partner(
        user, partner
    )


def can_suspend_partner(user, partner) -> bool:
    """Suspension is the platform's decision, not the partner's own."""
    admin_platforms = platform_ids(user, roles=["admin"])
    return partner.organisation.platform_id in admin_platforms or any(
        a.platform_id in admin_platforms for a in partner.agreements.all()
    )
