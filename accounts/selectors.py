from django.db.models import QuerySet

from accounts.enums import InvitationStatus
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
