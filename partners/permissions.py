"""Who may see and change partner data."""

from django.utils import timezone

from accounts import permissions as account_permissions
from accounts.scoping import partner_organisation_ids, platform_ids


def _agreed_platform_ids(partner) -> set[int]:
    """Platforms with an agreement in force today (uses prefetched agreements when there)."""
    today = timezone.localdate()
    return {
        a.platform_id
        for a in partner.agreements.all()
        if a.active and a.since <= today and (a.until is None or a.until >= today)
    }


def can_manage_partner(user, partner) -> bool:
    """Partner managers edit their own partner; platform admins edit the partners they
    onboarded or have an agreement with."""
    organisation = partner.organisation
    if account_permissions.is_partner_manager(user, organisation):
        return True
    admin_platforms = platform_ids(user, roles=["admin"])
    if organisation.platform_id in admin_platforms:
        return True
    return bool(_agreed_platform_ids(partner) & admin_platforms)


def can_view_partner_portal(user, partner) -> bool:
    return partner.organisation_id in partner_organisation_ids(user) or can_manage_partner(
        user, partner
    )


def can_suspend_partner(user, partner) -> bool:
    """Suspension is the platform's decision, not the partner's own."""
    admin_platforms = platform_ids(user, roles=["admin"])
    return partner.organisation.platform_id in admin_platforms or bool(
        _agreed_platform_ids(partner) & admin_platforms
    )
