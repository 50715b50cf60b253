"""The API's token endpoint (with optional TOTP) and /api/v1/me/."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from accounts.enums import OrganisationKind, Role
from accounts.models import Membership
from core.models import AuditLog
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."


@pytest.fixture
def no_throttle(monkeypatch):
    """Lift the 10/min limit for tests that need more requests than that."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth_token": "1000/min"})


def obtain(api_client, **data):
    return api_client.post(TOKEN_URL, data, format="json")


def get_me(api_client, token):
    return api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}")


# --- Token ----------------------------------------------------------------------------


def test_good_credentials_give_a_token_that_opens_the_api(api_client):
    user = UserFactory()

    response = obtain(api_client, email=user.email, password=PASSWORD)

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    token = response.json()["token"]
    assert isinstance(token, str)
    assert len(token) == 40
    assert Token.objects.get(key=token).user == user
    assert AuditLog.objects.filter(action="api.token_obtained", actor=user).count() == 1

    me = get_me(api_client, token)
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["id"] == user.pk


def test_the_same_token_is_returned_twice(api_client):
    user = UserFactory()

    first = obtain(api_client, email=user.email, password=PASSWORD)
    second = obtain(api_client, email=user.email, password=PASSWORD)

    assert first.status_code == second.status_code == 200
    assert first.json()["token"] == second.json()["token"]
    assert Token.objects.filter(user=user).count() == 1


def test_email_is_case_insensitive_and_trimmed(api_client):
    user = UserFactory()

    upper = obtain(api_client, email=user.email.upper(), password=PASSWORD)
    padded = obtain(api_client, email=f"  {user.email}  ", password=PASSWORD)

    assert upper.status_code == 200
    assert padded.status_code == 200
    assert upper.json()["token"] == padded.json()["token"] == Token.objects.get(user=user).key


def test_form_encoded_body_is_accepted(api_client):
    user = UserFactory()

    response = api_client.post(TOKEN_URL, {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


@pytest.mark.parametrize(
    "case",
    ["wrong_password", "unknown_email", "inactive_user", "password_with_spaces"],
)
def test_bad_credentials_are_a_400_with_a_stable_code(api_client, case):
    user = UserFactory(is_active=case != "inactive_user")
    email, password = {
        "wrong_password": (user.email, "pas-le-bon"),
        "unknown_email": ("inconnu@exemple.test", PASSWORD),
        "inactive_user": (user.email, PASSWORD),
        "password_with_spaces": (user.email, f" {PASSWORD} "),
    }[case]

    response = obtain(api_client, email=email, password=password)

    assert response.status_code == 400
    assert response.json() == {"detail": BAD_CREDENTIALS, "code": "invalid_credentials"}
    assert not Token.objects.exists()
    assert not AuditLog.objects.filter(action="api.token_obtained").exists()


def test_user_without_a_password_cannot_get_a_token(api_client, django_user_model):
    user = django_user_model.objects.create_user(email="sans@exemple.test", password=None)

    for password in ("x", "!"):
        response = obtain(api_client, email=user.email, password=password)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "a@exemple.test"}, {"password"}),
        ({"password": PASSWORD}, {"email"}),
        ({"email": "", "password": ""}, {"email", "password"}),
        ({"email": "   ", "password": PASSWORD}, {"email"}),
        ({"email": "pas-un-email", "password": PASSWORD}, {"email"}),
        ({"email": "a@exemple.test", "password": None}, {"password"}),
        ({"email": ["a@exemple.test"], "password": PASSWORD}, {"email"}),
        ({"email": "a@exemple.test", "password": PASSWORD, "code": {"x": 1}}, {"code"}),
        ({"email": "a\x00@exemple.test", "password": PASSWORD}, {"email"}),
    ],
)
def test_invalid_input_is_a_400_naming_the_fields(api_client, data, fields):
    response = obtain(api_client, **data)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == fields
    for field in fields:
        assert isinstance(body[field], list)
        assert body[field]
        assert all(isinstance(message, str) and message for message in body[field])


def test_missing_field_message_is_in_french(api_client):
    response = obtain(api_client, email="a@exemple.test")

    assert response.json() == {"password": ["Ce champ est obligatoire."]}


def test_malformed_json_is_a_400_malformed_request(api_client):
    response = api_client.post(
        TOKEN_URL, '{"email": "a@exemple.test", "password": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_undecodable_bytes_are_a_400_malformed_request(api_client):
    response = api_client.post(TOKEN_URL, b"\xff\xfe\x00garbage", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


@pytest.mark.parametrize("body", ['"email"', "[1, 2]", "42", "null", "true"])
def test_json_that_is_not_an_object_is_a_400(api_client, body):
    response = api_client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_unsupported_content_type_is_refused_not_a_500(api_client):
    response = api_client.post(TOKEN_URL, "garbage", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_get_is_not_allowed(api_client):
    response = api_client.get(TOKEN_URL)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- TOTP -----------------------------------------------------------------------------


@pytest.fixture
def totp_user():
    """The clock is frozen so that a code stays in its 30 s window for the whole test."""
    with time_machine.travel(timezone.now(), tick=False):
        user = UserFactory()
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        yield user, secret


def test_totp_user_without_code_gets_mfa_required(api_client, totp_user):
    user, _secret = totp_user

    for data in ({}, {"code": ""}, {"code": "   "}):
        response = obtain(api_client, email=user.email, password=PASSWORD, **data)
        assert response.status_code == 400
        assert response.json()["code"] == "mfa_required"
        assert response.json()["detail"].startswith("La double authentification est activée")
    assert not Token.objects.exists()


def test_totp_user_with_wrong_code_is_refused(api_client, totp_user):
    user, secret = totp_user
    right = pyotp.TOTP(secret).now()
    wrong = next(c for c in ("000000", "111111", "123456") if c != right)

    response = obtain(api_client, email=user.email, password=PASSWORD, code=wrong)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Code de double authentification incorrect.",
        "code": "invalid_credentials",
    }
    assert not Token.objects.exists()


def test_totp_user_with_wrong_password_and_right_code_is_refused(api_client, totp_user):
    user, secret = totp_user

    response = obtain(api_client, email=user.email, password="x", code=pyotp.TOTP(secret).now())

    assert response.status_code == 400
    assert response.json() == {"detail": BAD_CREDENTIALS, "code": "invalid_credentials"}


def test_totp_user_with_right_code_gets_a_token(api_client, totp_user):
    user, secret = totp_user

    response = obtain(
        api_client, email=user.email, password=PASSWORD, code=pyotp.TOTP(secret).now()
    )

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key


def test_totp_user_may_use_a_recovery_code_once(api_client, totp_user):
    """As on the sign-in page's 2FA step (allauth's own form checks the code)."""
    user, _secret = totp_user
    code = RecoveryCodes.activate(user).generate_codes()[0]

    first = obtain(api_client, email=user.email, password=PASSWORD, code=code)
    again = obtain(api_client, email=user.email, password=PASSWORD, code=code)

    assert first.status_code == 200
    assert first.json()["token"] == Token.objects.get(user=user).key
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_credentials"


def test_totp_code_cannot_be_replayed(api_client, totp_user):
    user, secret = totp_user
    code = pyotp.TOTP(secret).now()
    assert obtain(api_client, email=user.email, password=PASSWORD, code=code).status_code == 200

    response = obtain(api_client, email=user.email, password=PASSWORD, code=code)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_totp_code_from_a_past_window_is_refused(api_client, totp_user):
    user, secret = totp_user
    old = pyotp.TOTP(secret).at(timezone.now() - timedelta(minutes=2))
    if old == pyotp.TOTP(secret).now():  # one chance in a million
        pytest.skip("the old code happens to equal the current one")

    response = obtain(api_client, email=user.email, password=PASSWORD, code=old)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


# --- Throttling -----------------------------------------------------------------------


def test_default_throttle_rate_is_ten_per_minute():
    assert ScopedRateThrottle.THROTTLE_RATES["auth_token"] == "10/min"


def test_eleventh_request_in_a_minute_is_throttled(api_client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for n in range(10):  # other accounts, so the per-account lockout stays out of the way
            response = obtain(api_client, email=f"inconnu{n}@exemple.test", password="mauvais")
            assert response.status_code == 400

        response = obtain(api_client, email=user.email, password=PASSWORD)

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) <= 60
        assert not Token.objects.exists()

        traveller.shift(timedelta(seconds=61))
        response = obtain(api_client, email=user.email, password=PASSWORD)

    assert response.status_code == 200


def test_throttle_counts_requests_per_client_ip(api_client):
    user = UserFactory()
    for n in range(10):
        obtain(api_client, email=f"inconnu{n}@exemple.test", password="mauvais")

    response = api_client.post(
        TOKEN_URL,
        {"email": user.email, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.2",
    )

    assert response.status_code == 200


def test_throttle_rate_can_be_lowered(api_client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth_token": "2/min"})
    user = UserFactory()

    statuses = [obtain(api_client, email=user.email, password=PASSWORD).status_code for _ in "abc"]

    assert statuses == [200, 200, 429]


# --- /api/v1/me/ ----------------------------------------------------------------------


def test_me_requires_authentication(api_client):
    response = api_client.get(ME_URL)

    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_me_refuses_an_unknown_token(api_client):
    response = get_me(api_client, "0" * 40)

    assert response.status_code in (401, 403)
    assert response.json()["code"] == "authentication_failed"


def test_me_refuses_the_token_of_a_deactivated_user(api_client):
    user = UserFactory()
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save()

    response = get_me(api_client, token.key)

    assert response.status_code in (401, 403)
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("fixture", "role", "kind"),
    [
        ("adviser", Role.ADVISER, OrganisationKind.PLATFORM),
        ("finance_officer", Role.FINANCE_OFFICER, OrganisationKind.PLATFORM),
        ("admin_user", Role.ADMIN, OrganisationKind.PLATFORM),
        ("partner_manager", Role.PARTNER_MANAGER, OrganisationKind.PARTNER),
        ("partner_staff", Role.PARTNER_STAFF, OrganisationKind.PARTNER),
        ("prescriber", Role.PRESCRIBER, OrganisationKind.PRESCRIBER),
    ],
)
def test_me_lists_the_role_and_organisation(api_client, request, fixture, role, kind):
    user = request.getfixturevalue(fixture)
    organisation = Membership.objects.get(user=user).organisation
    token = Token.objects.create(user=user)

    response = get_me(api_client, token.key)

    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == [role]
    assert body["is_beneficiary"] is False
    assert body["email"] == user.email
    assert body["first_name"] == user.first_name
    assert body["last_name"] == user.last_name
    assert body["memberships"] == [
        {
            "organisation": {"id": organisation.pk, "name": organisation.name, "kind": kind},
            "role": role,
        }
    ]
    assert organisation.kind == kind


def test_me_hides_inactive_memberships_and_organisations(api_client, adviser, platform):
    closed = OrganisationFactory(name="Fermée", is_active=False)
    MembershipFactory(user=adviser, organisation=closed, role=Role.ADMIN)
    MembershipFactory(user=adviser, organisation=platform, role=Role.ADMIN, active=False)
    token = Token.objects.create(user=adviser)

    body = get_me(api_client, token.key).json()

    assert body["roles"] == [Role.ADVISER]
    assert [m["organisation"]["id"] for m in body["memberships"]] == [platform.pk]


def test_me_for_a_beneficiary(api_client, platform, django_user_model):
    from beneficiaries.models import Beneficiary

    user = django_user_model.objects.create_user(email="lou@exemple.test", password=None)
    Beneficiary.objects.create(platform=platform, user=user, first_name="Lou", last_name="Petit")
    token = Token.objects.create(user=user)

    response = get_me(api_client, token.key)

    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == []
    assert body["memberships"] == []
    assert body["is_beneficiary"] is True
    assert body["email"] == "lou@exemple.test"


def test_me_with_a_session_works_too(api_client, adviser):
    api_client.force_login(adviser)

    response = api_client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["roles"] == [Role.ADVISER]


# Token lookup (with its user), memberships, beneficiary link: three queries, whatever the
# number of memberships.
ME_QUERIES = 3


def test_me_query_count_is_pinned(api_client, adviser, django_assert_num_queries):
    token = Token.objects.create(user=adviser)

    with django_assert_num_queries(ME_QUERIES):
        response = get_me(api_client, token.key)

    assert response.status_code == 200


def test_me_query_count_does_not_grow_with_memberships(
    api_client, adviser, platform, django_assert_num_queries
):
    for index in range(5):
        partner = OrganisationFactory(partner=True, platform=platform, name=f"Garage {index}")
        MembershipFactory(user=adviser, organisation=partner, role=Role.PARTNER_STAFF)
    MembershipFactory(user=adviser, organisation=platform, role=Role.ADMIN)
    token = Token.objects.create(user=adviser)

    with django_assert_num_queries(ME_QUERIES):
        response = get_me(api_client, token.key)

    assert response.status_code == 200
    body = response.json()
    assert len(body["memberships"]) == 7
    assert body["roles"] == sorted([Role.ADMIN, Role.ADVISER, Role.PARTNER_STAFF])


def test_five_failures_lock_the_account_like_the_sign_in_page(api_client):
    user = UserFactory()
    for _ in range(5):
        assert obtain(api_client, email=user.email, password="mauvais").status_code == 400
    response = obtain(api_client, email=user.email, password=PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert not Token.objects.exists()
    # Another account from the same place is not locked.
    assert obtain(api_client, email=UserFactory().email, password=PASSWORD).status_code == 200


def test_unverified_email_gets_no_token(api_client):
    user = UserFactory(verified_email=False)
    response = obtain(api_client, email=user.email, password=PASSWORD)
    assert response.status_code == 400
    assert response.json()["code"] == "email_unverified"
    assert not Token.objects.exists()


def test_wrong_totp_codes_count_towards_the_lockout(api_client):
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    # Time ticks here: allauth rolls back a rate-limit entry by its timestamp.
    with time_machine.travel(timezone.now(), tick=True):
        for _ in range(5):
            response = obtain(api_client, email=user.email, password=PASSWORD, code="000000")
            assert response.json()["code"] in ("invalid_credentials", "too_many_attempts")
        response = obtain(
            api_client, email=user.email, password=PASSWORD, code=pyotp.TOTP(secret).now()
        )
    assert response.status_code == 429
