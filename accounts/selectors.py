from decimal import Decimal

from django.db.models import QuerySet

from accounts.enums import InvitationStatus, Role
from accounts.models import Invitation, Membership, Organisation
from accounts.permissions import can_manage_members
from core.errors import NotFoundError


def organisation_list_for(*, user) -> QuerySet[Organisation]:
    return Organisation.objects.restrict(user).filter(is_active=True).order_by("kind", "name")


def managed_organisations_for(*, user) -> list[Organisation]:
    """Organisations whose members this user may manage (invite, revoke)."""
    return [org for org in organisation_list_for(user=user) if can_manage_members(user, org)]


def organisation_get_for_management(*, user, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.restrict(user).filter(pk=organisation_id).first()
    if organisation is None or not can_manage_members(user, organisation):
        raise NotFoundError("Organisation introuvable.")
    return organisation


def member_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )


def pending_invitation_list(*, organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organisation=organisation, status=InvitationStatus.PENDING)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def adviser_memberships(*, platform_ids) -> list[tuple[int, str, Decimal]]:
    """(user id, name, FTE) of the active advisers of these platforms (None: all), for the
    reporting of active files against the norm per full-time referent. One query."""
    advisers = Membership.objects.filter(role=Role.ADVISER, active=True, user__is_active=True)
    if platform_ids is not None:
        advisers = advisers.filter(organisation_id__in=platform_ids)
    rows = advisers.order_by("user__last_name", "user__first_name", "user_id").values_list(
        "user_id", "user__first_name", "user__last_name", "fte"
    )
    merged: dict[int, tuple[int, str, Decimal]] = {}
    for user_id, first, last, fte in rows:
        if user_id in merged:  # an adviser of several platforms: their posts add up
            fte = merged[user_id][2] + fte
        merged[user_id] = (user_id, f"{first} {last}".strip(), fte)
    return list(merged.values())
