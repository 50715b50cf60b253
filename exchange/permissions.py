"""Who manages an organisation's webhooks: the organisation's admins — a platform's admins
(coordination), a partner's managers — and, as for its members, the admins of the platform
that onboarded an organisation (a partner, a prescriber). Everyone else gets 404."""

from accounts.enums import OrganisationKind, Role
from accounts.need_to_know import DataKind, Mode, may
from accounts.scoping import memberships


def webhook_organisation_ids(user) -> tuple[set[int], set[int]]:
    """(organisations the user manages directly, platforms whose attached organisations
    they manage too). No query: memberships are cached on the user."""
    own, platforms = set(), set()
    for m in memberships(user):
        if not may(user, DataKind.WEBHOOKS, Mode.WRITE, organisation=m.organisation_id):
            continue
        if m.organisation_kind == OrganisationKind.PLATFORM and m.role == Role.ADMIN:
            own.add(m.organisation_id)
            platforms.add(m.organisation_id)
        elif m.organisation_kind == OrganisationKind.PARTNER and m.role == Role.PARTNER_MANAGER:
            own.add(m.organisation_id)
    return own, platforms


def can_manage_webhooks(user, organisation) -> bool:
    own, platforms = webhook_organisation_ids(user)
    return organisation.pk in own or (
        organisation.platform_id is not None and organisation.platform_id in platforms
    )
