"""Signing in, and joining a platform through an invitation, in a real browser."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from core.models import Notification
from tests.e2e.page_checks import main_nav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOGIN_PATH = "/comptes/login/"
INVITEE = "nouvelle.conseillere@exemple.test"
INVITEE_PASSWORD = "Velo-Solidaire-2026"  # noqa: S105


def sign_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def field(page, label: str):
    """The input labelled exactly `label`, ignoring the « * » that marks required fields."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))


def test_adviser_signs_in_and_sees_the_adviser_home(page, live_server, demo_data):
    sign_in(page, live_server, "adviser@demo.test")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    section = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Conseil mobilité")
    )
    expect(section).to_be_visible()
    expect(section).to_contain_text("Plateforme Mobilité Allier")


def test_wrong_password_shows_a_french_error(page, live_server, demo_data):
    sign_in(page, live_server, "adviser@demo.test", password="pas-le-bon-mot-de-passe")

    # allauth: « L’adresse e-mail ou le mot de passe sont incorrects. » (typographic apostrophe)
    expect(page.get_by_text(re.compile(r"mot de passe sont incorrects"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{re.escape(live_server.url + LOGIN_PATH)}(\?.*)?$"))
    expect(page.get_by_role("heading", name="Bonjour Karim")).to_have_count(0)


def test_admin_invites_an_adviser_who_creates_her_account(page, live_server, demo_data):
    sign_in(page, live_server, "admin@demo.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Claire")

    main_nav(page).get_by_role("link", name="Équipes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Équipes")
    page.get_by_role("link", name="Plateforme Mobilité Allier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plateforme Mobilité Allier")

    field(page, "Adresse e-mail").fill(INVITEE)
    field(page, "Rôle").select_option(label="Conseiller·ère mobilité")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation envoyée à {INVITEE}.")
    expect(page.locator("#invitations-title + ul")).to_contain_text(INVITEE)

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/comptes/(login|logout)/"))
    if "/comptes/logout/" in page.url:  # allauth's confirmation page, should it be shown
        page.locator("main form[action$='/logout/'] button[type='submit']").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}{LOGIN_PATH}")))
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    invitation = (
        Notification.objects.filter(template="accounts/invitation", recipient=INVITEE)
        .order_by("-created_at", "-pk")
        .first()
    )
    assert invitation is not None, "no invitation e-mail in the outbox"
    match = re.search(rf"{re.escape(settings.SITE_URL)}/\S+", invitation.body)
    assert match, f"no invitation link in: {invitation.body!r}"
    page.goto(live_server.url + match.group(0).removeprefix(settings.SITE_URL))

    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre Solimob")
    expect(page.get_by_role("main")).to_contain_text(INVITEE)
    field(page, "Prénom").fill("Inès")
    field(page, "Nom").fill("Morel")
    field(page, "Mot de passe").fill(INVITEE_PASSWORD)
    field(page, "Mot de passe (à nouveau)").fill(INVITEE_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text(
        "Vous avez rejoint Plateforme Mobilité Allier"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Inès")
    expect(page.get_by_role("heading", name="Conseil mobilité")).to_be_visible()
