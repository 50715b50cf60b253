from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.enums import InvitationStatus, OrganisationKind, Role
from accounts.models import Invitation, Membership, Organisation, User
from accounts.permissions import can_manage_members, is_beneficiary
from core.errors import NotFoundError

# The organisations whose staff ProConnect serves (issue 19: platforms, partners, prescribers).
STAFF_KINDS = (OrganisationKind.PLATFORM, OrganisationKind.PARTNER, OrganisationKind.PRESCRIBER)


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


def network_platform_ids() -> list[int]:
    """Every platform of the deployment (the network), for the tasks that go through them.
    One query."""
    return list(
        Organisation.objects.filter(kind=OrganisationKind.PLATFORM).order_by("pk")
        .values_list("pk", flat=True)
    )  # fmt: skip


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


# --- ProConnect: who may sign in with it --------------------------------------------------


class ProConnectRefusal:
    """Why ProConnect cannot open a session (the audit's `reason`, and the French message)."""

    NO_EMAIL = "no_email"
    UNKNOWN = "unknown"
    INVITED = "invited"
    BENEFICIARY = "beneficiary"
    INACTIVE = "inactive"
    UNVERIFIED = "unverified"
    NO_MEMBERSHIP = "no_membership"
    NONCE = "nonce"

    MESSAGES = {
        NO_EMAIL: _("ProConnect n'a pas transmis votre adresse e-mail : connexion impossible."),
        UNKNOWN: _(
            "Aucun compte Solimob n'utilise l'adresse %(email)s. ProConnect ne crée pas de "
            "compte : demandez une invitation à votre plateforme de mobilité."
        ),
        INVITED: _(
            "Une invitation vous attend pour %(email)s : créez d'abord votre compte avec le "
            "lien reçu par e-mail, puis connectez-vous avec ProConnect."
        ),
        BENEFICIARY: _(
            "ProConnect est réservé aux professionnels. Connectez-vous avec votre adresse "
            "e-mail et votre mot de passe, ou un code reçu par e-mail."
        ),
        INACTIVE: _("Ce compte est désactivé. Contactez votre plateforme de mobilité."),
        UNVERIFIED: _(
            "Confirmez d'abord l'adresse %(email)s depuis le lien reçu par e-mail, puis "
            "connectez-vous avec ProConnect."
        ),
        NO_MEMBERSHIP: _(
            "Votre compte n'est rattaché à aucune équipe active. Demandez à votre plateforme "
            "de mobilité de vous inviter."
        ),
        NONCE: _("La réponse de ProConnect n'a pas pu être vérifiée. Réessayez."),
    }

    @classmethod
    def message(cls, reason: str, email: str = "") -> str:
        return str(cls.MESSAGES[reason]) % {"email": email}


def proconnect_account_for(*, email: str, user: User | None = None) -> tuple[User | None, str]:
    """The account ProConnect may open for this e-mail, or why not: `(user, "")` or
    `(None, reason)`. Only an existing, active staff account (a membership in an active
    platform, partner or prescriber organisation) whose address is verified; never a
    beneficiary's. `user` is the account already linked to this ProConnect identity, if any:
    it is checked the same way."""
    email = (email or "").strip()
    if user is None:
        if not email:
            return None, ProConnectRefusal.NO_EMAIL
        user = User.objects.filter(email__iexact=email).first()
    if user is None:
        invited = Invitation.objects.filter(
            email__iexact=email, status=InvitationStatus.PENDING
        ).exists()
        return None, ProConnectRefusal.INVITED if invited else ProConnectRefusal.UNKNOWN
    if is_beneficiary(user):
        return None, ProConnectRefusal.BENEFICIARY
    if not user.is_active:
        return None, ProConnectRefusal.INACTIVE
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return None, ProConnectRefusal.UNVERIFIED
    staff = Membership.objects.filter(
        user=user,
        active=True,
        organisation__is_active=True,
        organisation__kind__in=STAFF_KINDS,
    )
    if not staff.exists():
        return None, ProConnectRefusal.NO_MEMBERSHIP
    return user, ""
