"""Writes on users, memberships and invitations."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import ROLES_BY_KIND, InvitationStatus
from accounts.models import Invitation, Membership, Organisation, User
from accounts.permissions import can_invite
from accounts.scoping import forget_memberships
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.links import read_signed
from core.notifications import notify

INVITATION_SALT = "solimob.invitation"


def user_create(
    *,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    email_verified: bool = False,
    **extra,
) -> User:
    """Create a user and the allauth e-mail address row that sign-in relies on."""
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        **extra,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


def membership_grant(
    *, user: User, organisation: Organisation, role: str, actor=None
) -> Membership:
    """Give `user` the `role` in `organisation` (reactivating a former membership)."""
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ApplicationError(
            _("Le rôle « %(role)s » n'existe pas pour ce type d'organisation.") % {"role": role},
            code=ErrorCode.ROLE_NOT_ALLOWED,
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"active": True}
    )
    reactivated = not created and not membership.active
    if reactivated:
        membership.active = True
        membership.save(update_fields=["active", "updated_at"])
    forget_memberships(user)
    if not (created or reactivated):
        return membership
    audit_log(
        actor=actor,
        action="membership.granted",
        target=membership,
        data={"user": user.pk, "organisation": organisation.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership_id: int, actor: User) -> Membership:
    from accounts.permissions import can_manage_members

    membership = Membership.objects.select_related("organisation").get(pk=membership_id)
    if not can_manage_members(actor, membership.organisation):
        raise NotFoundError(_("Appartenance introuvable."))
    membership.active = False
    membership.save(update_fields=["active", "updated_at"])
    forget_memberships(membership.user)
    audit_log(actor=actor, action="membership.revoked", target=membership)
    return membership


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str
) -> Invitation:
    """Invite someone by e-mail; the message carries a signed link valid a few days."""
    email = User.objects.normalize_email(email).strip().lower()
    if not can_invite(actor, organisation, role):
        raise PermissionDeniedError(
            _("Vous ne pouvez pas inviter de membre avec ce rôle dans cette organisation."),
            code=ErrorCode.ROLE_NOT_ALLOWED,
        )
    if Membership.objects.filter(
        user__email=email, organisation=organisation, role=role, active=True
    ).exists():
        raise ConflictError(
            _("Cette personne a déjà ce rôle dans l'organisation."), code=ErrorCode.ALREADY_MEMBER
        )
    Invitation.objects.filter(
        organisation=organisation, email=email, role=role, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.REVOKED, updated_at=timezone.now())
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=actor
    )
    audit_log(
        actor=actor,
        action="invitation.created",
        target=invitation,
        data={"email": email, "role": role, "organisation": organisation.pk},
    )
    notify(
        template="accounts/invitation",
        channel="email",
        recipient=email,
        user=User.objects.filter(email=email).first(),
        context={
            "organisation": organisation.name,
            "role": invitation.get_role_display(),
            "inviter": actor.get_full_name() or actor.email,
            "url": invitation_url(invitation),
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind a link, or an error saying why the link no longer works."""
    payload = read_signed(
        token,
        salt=INVITATION_SALT,
        max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        expired=ApplicationError(
            _("Ce lien d'invitation a expiré. Demandez une nouvelle invitation."),
            code=ErrorCode.INVITATION_INVALID,
        ),
        invalid=ApplicationError(
            _("Ce lien d'invitation n'est pas valide."), code=ErrorCode.INVITATION_INVALID
        ),
    )
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=payload.get("i"), email=payload.get("e"))
        .first()
    )
    if invitation is None or invitation.status == InvitationStatus.REVOKED:
        raise ApplicationError(
            _("Cette invitation a été annulée."), code=ErrorCode.INVITATION_INVALID
        )
    if invitation.status == InvitationStatus.ACCEPTED:
        raise ApplicationError(
            _("Cette invitation a déjà été utilisée. Connectez-vous avec votre adresse e-mail."),
            code=ErrorCode.INVITATION_INVALID,
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> tuple[Invitation, User]:
    """Accept an invitation: as the signed-in user it was sent to, or by creating the account.

    The link proves the address, so the new account's e-mail is verified.
    """
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise ApplicationError(
            _("Cette invitation a déjà été utilisée."), code=ErrorCode.INVITATION_INVALID
        )
    if user is not None and user.is_authenticated:
        if user.email != invitation.email:
            raise PermissionDeniedError(
                _(
                    "Cette invitation a été envoyée à une autre adresse. "
                    "Déconnectez-vous puis rouvrez le lien."
                ),
                code=ErrorCode.INVITATION_INVALID,
            )
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    else:
        if User.objects.filter(email=invitation.email).exists():
            raise ConflictError(
                _("Un compte existe déjà pour cette adresse : connectez-vous pour accepter."),
                code=ErrorCode.INVITATION_INVALID,
            )
        candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code=ErrorCode.INVALID) from exc
        try:
            user = user_create(
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email_verified=True,
            )
        except IntegrityError as exc:
            raise ConflictError(
                _("Un compte existe déjà pour cette adresse."), code=ErrorCode.INVITATION_INVALID
            ) from exc
    membership_grant(
        user=user, organisation=invitation.organisation, role=invitation.role, actor=user
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    audit_log(actor=user, action="invitation.accepted", target=invitation)
    return invitation, user


@transaction.atomic
def invitation_revoke(*, invitation_id: int, actor: User) -> Invitation:
    from accounts.permissions import can_manage_members

    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    if not can_manage_members(actor, invitation.organisation):
        raise NotFoundError(_("Invitation introuvable."))
    if invitation.status != InvitationStatus.PENDING:
        raise ConflictError(
            _("Seule une invitation en attente peut être annulée."),
            code=ErrorCode.INVALID_TRANSITION,
        )
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="invitation.revoked", target=invitation)
    return invitation


# --- ProConnect ---------------------------------------------------------------------------

# The claims kept in the audit log of a ProConnect sign-in: how the person authenticated
# (`acr`: the level, e.g. eidas1; `amr`: the methods, e.g. pwd, mfa) and where (`idp_id`, the
# identity provider ProConnect used; `siret`, the organisation it vouches for).
PROCONNECT_AUDITED_CLAIMS = ("acr", "amr", "idp_id", "siret", "auth_time")


@transaction.atomic
def proconnect_sign_in_record(*, user: User, claims: dict, uid: str) -> None:
    """Record a session opened through ProConnect, with its acr/amr claims."""
    data = {key: claims[key] for key in PROCONNECT_AUDITED_CLAIMS if key in claims}
    audit_log(actor=user, action="proconnect.signed_in", target=user, data={"sub": uid, **data})


@transaction.atomic
def proconnect_refusal_record(*, email: str, reason: str, claims: dict) -> None:
    """Record a refused ProConnect sign-in (nobody is signed in: no actor)."""
    data = {key: claims[key] for key in PROCONNECT_AUDITED_CLAIMS if key in claims}
    audit_log(actor=None, action="proconnect.refused",
              data={"email": email, "reason": reason, **data})  # fmt: skip
