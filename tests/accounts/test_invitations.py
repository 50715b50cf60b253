import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.enums import InvitationStatus, Role
from accounts.models import Invitation, Membership, User
from core.errors import ApplicationError, ConflictError, PermissionDeniedError
from core.models import AuditLog
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Velo-Solidaire-2026"


def invitation_path(message_body: str) -> str:
    url = re.search(r"https?://\S+/invitation/\S+/", message_body).group(0)
    return url.split("127.0.0.1:8000", 1)[1]


@pytest.mark.django_db
def test_invitation_flow_end_to_end(
    client, admin_user, platform, django_capture_on_commit_callbacks
):
    # The admin invites from the team page.
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisation_members", args=[platform.pk]),
            {"email": "Nouvelle.Conseillere@Exemple.test", "role": Role.ADVISER},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("nouvelle.conseillere@exemple.test", "adviser")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle.conseillere@exemple.test"]
    path = invitation_path(mail.outbox[0].body)
    client.logout()

    # The invited person opens the link and creates the account.
    page = client.get(path)
    assert page.status_code == 200
    assert "Conseiller·ère mobilité" in page.content.decode()
    response = client.post(
        path,
        {
            "first_name": "Inès",
            "last_name": "Morel",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.url == reverse("home")
    user = User.objects.get(email="nouvelle.conseillere@exemple.test")
    assert user.get_full_name() == "Inès Morel"
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(user=user, organisation=platform, role="adviser").exists()
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by == user
    home = client.get(reverse("home"))
    assert "Conseil mobilité" in home.content.decode()  # signed in, with the new role
    assert AuditLog.objects.filter(action="invitation.accepted", actor=user).count() == 1

    # The link is single-use.
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "déjà été utilisée" in again.content.decode()


@pytest.mark.django_db
def test_existing_user_accepts_while_signed_in(client, admin_user, platform, partner_org):
    user = UserFactory(email="marc@exemple.test")
    invitation = services.invitation_create(
        actor=admin_user,
        organisation=partner_org,
        email="marc@exemple.test",
        role="partner_manager",
    )
    token = services.invitation_token(invitation)
    client.force_login(user)
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, organisation=partner_org).exists()


@pytest.mark.django_db
def test_signed_in_as_someone_else_is_refused(client, admin_user, platform):
    invitation = services.invitation_create(
        actor=admin_user, organisation=platform, email="x@exemple.test", role="adviser"
    )
    client.force_login(UserFactory(email="y@exemple.test"))
    response = client.post(
        reverse("invitation_accept", args=[services.invitation_token(invitation)])
    )
    assert response.status_code == 403
    assert "autre adresse" in response.content.decode()
    assert not Membership.objects.filter(user__email="y@exemple.test").exists()


@pytest.mark.django_db
def test_anonymous_cannot_take_over_an_existing_account(admin_user, platform):
    UserFactory(email="deja@exemple.test")
    invitation = services.invitation_create(
        actor=admin_user, organisation=platform, email="deja@exemple.test", role="adviser"
    )
    with pytest.raises(ConflictError):
        services.invitation_accept(
            token=services.invitation_token(invitation),
            first_name="A",
            last_name="B",
            password=NEW_PASSWORD,
        )
    assert User.objects.get(email="deja@exemple.test").check_password(PASSWORD)


@pytest.mark.django_db
def test_bad_expired_and_revoked_links_say_why_in_french(client, admin_user, platform, settings):
    assert (
        "pas valide" in client.get(reverse("invitation_accept", args=["forged"])).content.decode()
    )
    with time_machine.travel(timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)):
        old = services.invitation_create(
            actor=admin_user, organisation=platform, email="old@exemple.test", role="adviser"
        )
        old_token = services.invitation_token(old)
    response = client.get(reverse("invitation_accept", args=[old_token]))
    assert response.status_code == 400 and "a expiré" in response.content.decode()

    revoked = services.invitation_create(
        actor=admin_user, organisation=platform, email="r@exemple.test", role="adviser"
    )
    services.invitation_revoke(invitation_id=revoked.pk, actor=admin_user)
    response = client.get(reverse("invitation_accept", args=[services.invitation_token(revoked)]))
    assert response.status_code == 400 and "annulée" in response.content.decode()


@pytest.mark.django_db
def test_form_errors_are_in_french_and_nothing_is_created(client, admin_user, platform):
    invitation = services.invitation_create(
        actor=admin_user, organisation=platform, email="f@exemple.test", role="adviser"
    )
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    response = client.post(
        path, {"first_name": "", "last_name": "M", "password1": "123", "password2": "456"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez votre prénom." in html
    assert "ne sont pas identiques" in html
    response = client.post(
        path,
        {"first_name": "A", "last_name": "M", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 400
    assert "entièrement numérique" in response.content.decode()
    assert not User.objects.filter(email="f@exemple.test").exists()


@pytest.mark.django_db
def test_invite_form_errors(client, admin_user, platform):
    client.force_login(admin_user)
    url = reverse("organisation_members", args=[platform.pk])
    response = client.post(url, {"email": "pas-une-adresse", "role": "adviser"})
    assert response.status_code == 400
    assert "adresse e-mail n&#x27;est pas valide" in response.content.decode()
    response = client.post(url, {"email": "a@exemple.test", "role": "partner_staff"})
    assert response.status_code == 400  # not a role of a platform
    assert Invitation.objects.count() == 0
    response = client.post(url, {"email": admin_user.email, "role": "admin"})
    assert response.status_code == 409  # the service's conflict, on the form
    assert "déjà ce rôle" in response.content.decode()


@pytest.mark.django_db
def test_reinviting_replaces_the_pending_invitation(admin_user, platform):
    first = services.invitation_create(
        actor=admin_user, organisation=platform, email="a@exemple.test", role="adviser"
    )
    second = services.invitation_create(
        actor=admin_user, organisation=platform, email="a@exemple.test", role="adviser"
    )
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert second.status == InvitationStatus.PENDING
    with pytest.raises(ApplicationError):
        services.invitation_from_token(services.invitation_token(first))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role_fixture", ["adviser", "finance_officer", "partner_staff", "prescriber"]
)
def test_team_pages_are_403_for_those_who_cannot_manage(client, request, role_fixture, platform):
    """Their role has no member pages in the need-to-know table."""
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert client.get(reverse("organisation_members", args=[platform.pk])).status_code == 403
    with pytest.raises(PermissionDeniedError):
        services.invitation_create(
            actor=user, organisation=platform, email="z@exemple.test", role="adviser"
        )


@pytest.mark.django_db
def test_partner_manager_manages_own_team_only(client, partner_manager, partner_org, platform):
    client.force_login(partner_manager)
    page = client.get(reverse("organisation_members", args=[partner_org.pk]))
    assert page.status_code == 200
    options = re.findall(r'<option value="(\w+)"', page.content.decode())
    assert set(options) >= {"partner_manager", "partner_staff"}
    assert "adviser" not in options
    assert client.get(reverse("organisation_members", args=[platform.pk])).status_code == 404


@pytest.mark.django_db
def test_admin_revokes_membership_and_invitation(client, admin_user, adviser, platform):
    client.force_login(admin_user)
    membership = Membership.objects.get(user=adviser)
    response = client.post(reverse("membership_revoke", args=[platform.pk, membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.active is False
    invitation = services.invitation_create(
        actor=admin_user, organisation=platform, email="q@exemple.test", role="adviser"
    )
    client.post(reverse("invitation_revoke", args=[platform.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert (
        client.get(reverse("invitation_revoke", args=[platform.pk, invitation.pk])).status_code
        == 405
    )
