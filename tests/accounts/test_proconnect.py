"""ProConnect sign-in against a local fake provider (tests/accounts/fake_proconnect.py):
existing staff accounts only, never an account created, never a beneficiary; acr/amr
audited; the nonce and the signatures checked."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.enums import InvitationStatus, Role
from accounts.models import Invitation, Membership, User
from core.models import AuditLog
from tests.accounts.fake_proconnect import FakeProConnect, proconnect_settings
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

LOGIN_URL = "/comptes/oidc/proconnect/login/"


@pytest.fixture
def fake(settings):
    with FakeProConnect() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = proconnect_settings(provider)
        yield provider


def sign_in(client, fake, email: str, **claims):
    """Click « S'identifier avec ProConnect », sign in at the fake, come back."""
    fake.sign_in_as(email, **claims)
    response = client.post(LOGIN_URL)
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(fake.url + "/authorize")
    back = requests.get(authorize, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlparse(back.headers["Location"])
    assert callback.path == reverse("proconnect_callback")
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client):
    from django.contrib.auth import get_user

    return get_user(client)


def messages_of(client, response) -> list[str]:
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


def test_the_authorisation_request_carries_nonce_pkce_acr_and_scopes(client, fake):
    fake.sign_in_as("agent@exemple.test")
    response = client.post(LOGIN_URL)
    query = parse_qs(urlparse(response["Location"]).query)
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["eidas1"]
    assert set(query["scope"][0].split()) >= {"openid", "email", "usual_name", "siret"}


def test_a_staff_member_signs_in_and_acr_amr_are_recorded(client, fake, platform):
    adviser = member(Role.ADVISER, platform, email="camille.agent@exemple.test")
    response = sign_in(client, fake, "Camille.Agent@exemple.test", amr=("pwd", "mfa"))
    assert response.status_code == 302
    assert signed_in_user(client) == adviser
    account = SocialAccount.objects.get(user=adviser)
    assert account.provider == "proconnect"
    entry = AuditLog.objects.get(action="proconnect.signed_in")
    assert entry.actor == adviser
    assert entry.data["acr"] == "eidas1"
    assert entry.data["amr"] == ["pwd", "mfa"]
    assert entry.data["siret"] == "21030190000015"
    session = client.session["proconnect"]
    assert (session["acr"], session["amr"]) == ("eidas1", ["pwd", "mfa"])
    assert session["id_token"] == fake.issued_id_tokens[-1]  # the hint for the logout
    # No role given, nothing created: the same single membership.
    assert list(Membership.objects.filter(user=adviser).values_list("role", flat=True)) == [
        Role.ADVISER
    ]


def test_the_linked_identity_signs_in_again(client, fake, partner_org):
    manager = member(Role.PARTNER_MANAGER, partner_org, email="garage@exemple.test")
    sign_in(client, fake, "garage@exemple.test", sub="sub-42")
    client.logout()
    sign_in(client, fake, "garage@exemple.test", sub="sub-42")
    assert signed_in_user(client) == manager
    assert SocialAccount.objects.filter(user=manager).count() == 1
    assert AuditLog.objects.filter(action="proconnect.signed_in").count() == 2


def test_a_prescriber_signs_in(client, fake, prescriber):
    sign_in(client, fake, prescriber.email)
    assert signed_in_user(client) == prescriber


def test_an_unknown_email_is_refused_and_no_account_is_created(client, fake, platform):
    users_before = User.objects.count()
    response = sign_in(client, fake, "inconnu@exemple.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert not signed_in_user(client).is_authenticated
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    (message,) = messages_of(client, response)
    assert "Aucun compte Solimob n'utilise l'adresse inconnu@exemple.test" in message
    refusal = AuditLog.objects.get(action="proconnect.refused")
    assert refusal.data["reason"] == "unknown"
    assert refusal.data["acr"] == "eidas1"


def test_an_invited_person_is_told_to_open_the_invitation_first(client, fake, admin_user,
                                                                 platform):  # fmt: skip
    Invitation.objects.create(
        email="nouvelle@exemple.test", organisation=platform, role=Role.ADVISER,
        invited_by=admin_user, status=InvitationStatus.PENDING,
    )  # fmt: skip
    response = sign_in(client, fake, "nouvelle@exemple.test")
    assert not User.objects.filter(email="nouvelle@exemple.test").exists()
    (message,) = messages_of(client, response)
    assert "Une invitation vous attend" in message


def test_a_beneficiary_account_is_refused(client, fake, platform):
    user = UserFactory(email="personne@exemple.test")
    BeneficiaryFactory(platform=platform, user=user)
    response = sign_in(client, fake, "personne@exemple.test")
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    (message,) = messages_of(client, response)
    assert "réservé aux professionnels" in message


def test_a_beneficiary_who_is_also_staff_is_refused(client, fake, platform):
    adviser = member(Role.ADVISER, platform, email="double@exemple.test")
    BeneficiaryFactory(platform=platform, user=adviser)
    sign_in(client, fake, "double@exemple.test")
    assert not signed_in_user(client).is_authenticated


def test_an_account_without_an_active_membership_is_refused(client, fake, platform):
    adviser = member(Role.ADVISER, platform, email="ancien@exemple.test")
    Membership.objects.filter(user=adviser).update(active=False)
    response = sign_in(client, fake, "ancien@exemple.test")
    assert not signed_in_user(client).is_authenticated
    assert "aucune équipe active" in messages_of(client, response)[0]


def test_an_unverified_address_is_refused(client, fake, platform):
    member(Role.ADVISER, platform, email="pasconfirme@exemple.test", verified_email=False)
    sign_in(client, fake, "pasconfirme@exemple.test")
    assert not signed_in_user(client).is_authenticated


def test_a_revoked_member_with_a_linked_identity_is_refused(client, fake, platform):
    adviser = member(Role.ADVISER, platform, email="parti@exemple.test")
    sign_in(client, fake, "parti@exemple.test", sub="sub-7")
    client.logout()
    Membership.objects.filter(user=adviser).update(active=False)
    sign_in(client, fake, "parti@exemple.test", sub="sub-7")
    assert not signed_in_user(client).is_authenticated


def test_an_id_token_with_another_nonce_is_refused(client, fake, platform):
    member(Role.ADVISER, platform, email="agent@exemple.test")
    fake.tamper_nonce = True
    response = sign_in(client, fake, "agent@exemple.test")
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    assert "n'a pas pu être vérifiée" in messages_of(client, response)[0]


def test_a_token_signed_with_another_key_is_refused(client, fake, platform):
    member(Role.ADVISER, platform, email="agent@exemple.test")
    published = fake.jwks()
    fake.key = FakeProConnect().key  # signs with a key the JWKS does not publish
    fake.jwks = lambda: published
    response = sign_in(client, fake, "agent@exemple.test")
    assert response.status_code == 401  # allauth's « échec de la connexion » page
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


def test_off_when_not_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    page = client.get(reverse("account_login"))
    assert "ProConnect" not in page.content.decode()
    assert client.post(LOGIN_URL).status_code == 404


def test_the_sign_in_page_shows_the_button_when_configured(client, fake):
    page = client.get(reverse("account_login")).content.decode()
    assert "S'identifier avec ProConnect" in page
    assert f'action="{LOGIN_URL}' in page


def test_the_sign_in_page_lets_its_form_go_to_proconnect_only(client, fake):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert form_action == f"form-action 'self' {fake.url.removesuffix('/api/v2')}"
    other = client.get(reverse("account_reset_password"))["Content-Security-Policy"]
    assert "form-action 'self'" in other.split("; ")


def test_signing_out_ends_the_proconnect_session_too(client, fake, platform):
    member(Role.ADVISER, platform, email="agent@exemple.test")
    sign_in(client, fake, "agent@exemple.test")
    out = client.post(reverse("account_logout"))
    assert out["Location"].startswith(reverse("proconnect_logout") + "?t=")
    assert not signed_in_user(client).is_authenticated
    page = client.get(out["Location"])
    assert page.status_code == 200
    target = page.context["end_session_url"]
    assert target.startswith(fake.url + "/session/end?")
    query = parse_qs(urlparse(target).query)
    assert query["id_token_hint"] == [fake.issued_id_tokens[-1]]
    assert query["post_logout_redirect_uri"] == ["http://testserver/comptes/login/"]
    assert f'content="0;url={target.replace("&", "&amp;")}"' in page.content.decode()


def test_a_forged_logout_link_goes_to_the_sign_in_page(client, fake):
    response = client.get(reverse("proconnect_logout") + "?t=forged")
    assert response["Location"] == reverse("account_login")


def test_a_password_session_signs_out_as_before(client, fake, adviser):
    client.force_login(adviser)
    out = client.post(reverse("account_logout"))
    assert not out["Location"].startswith(reverse("proconnect_logout"))
