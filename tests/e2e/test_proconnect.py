"""ProConnect sign-in in a real browser, against the local fake provider
(tests/accounts/fake_proconnect.py): a demo adviser signs in; an unknown address and a
beneficiary's are refused with a French message and nothing is created."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import User
from core.models import AuditLog
from tests.accounts.fake_proconnect import FakeProConnect, proconnect_settings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOGIN_PATH = "/comptes/login/"


@pytest.fixture
def fake(settings):
    with FakeProConnect() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = proconnect_settings(provider)
        yield provider


def click_proconnect(page, live_server):
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_role("heading", name=re.compile("Agents publics"))).to_be_visible()
    page.get_by_role("button", name="S'identifier avec ProConnect").click()


def test_an_adviser_signs_in_with_proconnect(page, live_server, demo_data, fake):
    fake.sign_in_as("adviser@demo.test", amr=("pwd", "totp"))
    click_proconnect(page, live_server)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    adviser = User.objects.get(email="adviser@demo.test")
    assert SocialAccount.objects.filter(user=adviser, provider="proconnect").exists()
    entry = AuditLog.objects.get(action="proconnect.signed_in")
    assert (entry.data["acr"], entry.data["amr"]) == ("eidas1", ["pwd", "totp"])
    assert any(path.endswith("/token") for method, path, _ in fake.requests if method == "POST")

    # Signing out ends the ProConnect session too, and comes back to the sign-in page.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(live_server.url + LOGIN_PATH)}\?state="))
    assert fake.ended == [fake.issued_id_tokens[-1]]


def test_an_unknown_address_is_refused_in_french(page, live_server, demo_data, fake):
    users = User.objects.count()
    fake.sign_in_as("agent.inconnu@exemple.test")
    click_proconnect(page, live_server)

    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_text(re.compile("Aucun compte Solimob n'utilise l'adresse"))).to_be_visible()
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()


def test_a_beneficiary_address_is_refused(page, live_server, demo_data, fake):
    fake.sign_in_as("beneficiary@demo.test")
    click_proconnect(page, live_server)

    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}")
    refusal = re.compile("ProConnect est réservé aux professionnels")
    expect(page.get_by_text(refusal)).to_be_visible()
    assert not SocialAccount.objects.exists()
