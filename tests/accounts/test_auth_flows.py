"""Sign-in journeys through allauth's pages: password, e-mailed code, TOTP second factor."""

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.enums import NotificationStatus
from core.models import Notification
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG_CREDENTIALS = "L’adresse e-mail ou le mot de passe sont incorrects."
TOO_MANY_ATTEMPTS = "Trop de tentatives de connexion échouées."
INCORRECT_CODE = "Code incorrect."
LOGIN_CODE_TEMPLATE = "account/email/login_code"
# allauth's login codes: 8 characters from an unambiguous alphabet, dashed in the middle.
LOGIN_CODE_RE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)


def signed_in_user(client):
    user = get_user(client)
    return user if user.is_authenticated else None


def password_login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def request_login_code(client, email, capture):
    with capture(execute=True) as callbacks:
        response = client.post(reverse("account_request_login_code"), {"email": email})
    return response, callbacks


def login_code_from_outbox(email) -> str:
    notification = Notification.objects.get(template=LOGIN_CODE_TEMPLATE, recipient=email)
    match = LOGIN_CODE_RE.search(notification.body)
    assert match, notification.body
    return match.group(1)


def wrong_totp_code(secret: str) -> str:
    """A six-digit code that is valid in none of the windows allauth accepts now."""
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    accepted = {totp.at(now + timedelta(seconds=offset)) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222") if code not in accepted)


# --- Password -------------------------------------------------------------------------


def test_password_sign_in_redirects_home_and_greets_the_user(client):
    user = UserFactory(first_name="Camille", last_name="Martin")

    response = password_login(client, user.email)

    assert response.status_code == 302
    assert response.url == reverse("home") == "/"
    assert signed_in_user(client) == user

    home = client.get(response.url)
    assert home.status_code == 200
    assert "Bonjour Camille" in home.content.decode()


def test_password_sign_in_ignores_the_email_case(client):
    user = UserFactory()

    response = password_login(client, user.email.upper())

    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_wrong_password_is_refused_with_the_french_message(client):
    user = UserFactory()

    response = password_login(client, user.email, "pas-le-bon-mot-de-passe")

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert signed_in_user(client) is None
    assert client.get(reverse("home")).status_code == 302  # still sent to the login page


def test_unknown_email_gets_the_same_message(client):
    response = password_login(client, "personne@inconnue.test")

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert signed_in_user(client) is None


def test_inactive_user_cannot_sign_in(client):
    user = UserFactory(is_active=False)

    response = password_login(client, user.email)

    # allauth sends an inactive account with the right password to its "inactive" page.
    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert signed_in_user(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_inactive_user_cannot_sign_in_by_code(client, django_capture_on_commit_callbacks):
    user = UserFactory(is_active=False)

    request_login_code(client, user.email, django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(template=LOGIN_CODE_TEMPLATE).exists()
    assert signed_in_user(client) is None


def test_sign_in_is_locked_after_five_failures_for_one_account(client):
    user = UserFactory()
    for _ in range(5):
        response = password_login(client, user.email, "mauvais")
        assert WRONG_CREDENTIALS in response.content.decode()

    # 5/5m/key: the sixth attempt is refused before the password is even checked.
    response = password_login(client, user.email)

    assert response.status_code == 200
    content = response.content.decode()
    assert TOO_MANY_ATTEMPTS in content
    assert WRONG_CREDENTIALS not in content
    assert signed_in_user(client) is None


def test_lockout_is_per_account(client):
    locked = UserFactory()
    other = UserFactory()
    for _ in range(5):
        password_login(client, locked.email, "mauvais")

    response = password_login(client, other.email)

    assert response.status_code == 302
    assert signed_in_user(client) == other


def test_four_failures_do_not_lock_the_account(client):
    user = UserFactory()
    for _ in range(4):
        password_login(client, user.email, "mauvais")

    response = password_login(client, user.email)

    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_lockout_expires_after_five_minutes(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            password_login(client, user.email, "mauvais")
        assert TOO_MANY_ATTEMPTS in password_login(client, user.email).content.decode()

        traveller.shift(timedelta(minutes=5, seconds=1))
        response = password_login(client, user.email)

    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_failed_sign_ins_are_limited_per_ip_across_accounts(client):
    user = UserFactory()
    for index in range(10):
        password_login(client, f"inconnu{index}@exemple.test", "mauvais")

    # 10/m/ip: an eleventh attempt from the same address is refused, whatever the account.
    response = password_login(client, user.email)

    assert response.status_code == 200
    assert TOO_MANY_ATTEMPTS in response.content.decode()
    assert signed_in_user(client) is None


def test_login_page_answers_429_beyond_thirty_posts_a_minute(client):
    statuses = [
        password_login(client, f"inconnu{index}@exemple.test", "mauvais").status_code
        for index in range(31)
    ]

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert client.get(reverse("account_login")).status_code == 200  # GET is not limited


# --- Login by e-mailed code ------------------------------------------------------------


def test_login_by_code_sends_the_code_through_the_outbox_and_signs_in(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()

    response, callbacks = request_login_code(client, user.email, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert len(callbacks) == 1  # one delivery enqueued after commit
    notification = Notification.objects.get(template=LOGIN_CODE_TEMPLATE)
    assert notification.recipient == user.email
    assert notification.user == user
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
    code = login_code_from_outbox(user.email)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert code in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("[Solimob] ")
    assert signed_in_user(client) is None

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user(client) == user


def test_login_by_code_accepts_the_code_in_lower_case_without_dash(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    request_login_code(client, user.email, django_capture_on_commit_callbacks)
    code = login_code_from_outbox(user.email)

    response = client.post(
        reverse("account_confirm_login_code"), {"code": code.replace("-", "").lower()}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_login_by_code_refuses_a_wrong_code(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    request_login_code(client, user.email, django_capture_on_commit_callbacks)
    code = login_code_from_outbox(user.email)
    wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"

    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})

    assert response.status_code == 200
    assert INCORRECT_CODE in response.content.decode()
    assert signed_in_user(client) is None


def test_login_by_code_gives_up_after_three_wrong_codes(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    request_login_code(client, user.email, django_capture_on_commit_callbacks)
    code = login_code_from_outbox(user.email)
    wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": wrong})

    # The process is aborted: even the right code no longer signs in.
    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert response.url == reverse("account_request_login_code")
    assert signed_in_user(client) is None


def test_login_code_for_unknown_email_sends_no_code(client, django_capture_on_commit_callbacks):
    response, _ = request_login_code(
        client, "inconnu@exemple.test", django_capture_on_commit_callbacks
    )

    # Same answer as for a known address (no enumeration), but the mail carries no code.
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert not Notification.objects.filter(template=LOGIN_CODE_TEMPLATE).exists()
    notification = Notification.objects.get(recipient="inconnu@exemple.test")
    assert notification.template == "account/email/unknown_account"
    assert len(mail.outbox) == 1
    assert not LOGIN_CODE_RE.search(mail.outbox[0].body)


def test_user_without_password_signs_in_by_code(
    client, platform, django_capture_on_commit_callbacks
):
    from beneficiaries.models import Beneficiary

    user = User.objects.create_user(email="Beneficiaire@Exemple.test", password=None)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Beneficiary.objects.create(platform=platform, user=user, first_name="Lou", last_name="Petit")
    assert user.email == "beneficiaire@exemple.test"
    assert not user.has_usable_password()

    request_login_code(client, "beneficiaire@exemple.test", django_capture_on_commit_callbacks)
    code = login_code_from_outbox(user.email)
    assert len(mail.outbox) == 1

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert signed_in_user(client) == user
    assert "Mes rendez-vous" in client.get(reverse("home")).content.decode()


def test_user_without_password_cannot_sign_in_with_an_empty_password(client):
    user = User.objects.create_user(email="sans-mot-de-passe@exemple.test", password=None)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

    response = password_login(client, user.email, "")

    assert response.status_code == 200
    assert signed_in_user(client) is None


# --- TOTP second factor ----------------------------------------------------------------


@pytest.fixture
def totp_user():
    """A user with TOTP on. The clock is frozen: allauth accepts the current 30 s window only
    (MFA_TOTP_TOLERANCE is 0), and a slow password hash must not push a code out of it."""
    with time_machine.travel(timezone.now(), tick=False):
        user = UserFactory()
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        yield user, secret


def test_totp_user_must_pass_the_second_factor(client, totp_user):
    user, secret = totp_user

    response = password_login(client, user.email)

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_user(client) is None
    assert client.get(reverse("home")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_totp_code(secret)})
    assert response.status_code == 200
    assert INCORRECT_CODE in response.content.decode()
    assert signed_in_user(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user(client) == user


def test_totp_code_cannot_be_replayed(client, totp_user):
    user, secret = totp_user
    code = pyotp.TOTP(secret).now()
    password_login(client, user.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert signed_in_user(client) == user

    other = type(client)()
    password_login(other, user.email)
    response = other.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert INCORRECT_CODE in response.content.decode()
    assert signed_in_user(other) is None


def test_totp_guessing_is_rate_limited(client, totp_user):
    user, secret = totp_user
    password_login(client, user.email)
    wrong = wrong_totp_code(secret)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})

    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 200
    assert TOO_MANY_ATTEMPTS in response.content.decode()
    assert signed_in_user(client) is None


def test_login_by_code_does_not_skip_the_second_factor(
    client, totp_user, django_capture_on_commit_callbacks
):
    user, secret = totp_user
    request_login_code(client, user.email, django_capture_on_commit_callbacks)
    code = login_code_from_outbox(user.email)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_user(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert signed_in_user(client) == user
