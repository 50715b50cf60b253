"""A garage publishes a new service and sees its slots, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from partners.models import Service, Slot
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.page_checks import main_nav
from tests.e2e.test_sign_in import field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GARAGE = "garage@demo.test"


def test_a_garage_publishes_a_service_and_sees_its_calendar(page, live_server, demo_data):
    sign_in(page, live_server, GARAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Marc")

    main_nav(page).get_by_role("link", name="Espace partenaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Garage solidaire du Bourbonnais")

    page.get_by_role("main").get_by_role("link", name="Ajouter un service").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau service")
    field(page, "Nom du service").fill("Vidange et filtres")
    field(page, "Le prix est compté par").select_option(label="heure")
    field(page, "Prix du marché (€)").fill("65")
    field(page, "Prix solidaire (€)").fill("35,00")
    page.get_by_role("button", name="Créer le service").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vidange et filtres")
    expect(page.get_by_role("status")).to_contain_text("Service créé")
    expect(page.get_by_role("main")).to_contain_text("35,00 € par heure")
    expect(page.get_by_role("main")).to_contain_text("Pour publier ce service, il manque")

    rule_form = page.locator("form").filter(
        has=page.get_by_role("button", name="Ajouter ces horaires")
    )
    for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi"):
        rule_form.get_by_label(day, exact=True).check()
    field(rule_form, "De").fill("09:00")
    field(rule_form, "À").fill("12:00")
    field(rule_form, "Durée d'un créneau (minutes)").fill("60")
    field(rule_form, "Places par créneau").fill("2")
    rule_form.get_by_role("button", name="Ajouter ces horaires").click()

    expect(page.get_by_role("status")).to_contain_text("Horaires ajoutés")
    rules = page.locator("section").filter(
        has=page.get_by_role("heading", name="Horaires d'ouverture")
    )
    expect(rules.get_by_role("table")).to_contain_text("du lundi au vendredi")
    expect(rules.get_by_role("table")).to_contain_text("9 h – 12 h")

    page.get_by_role("button", name="Publier le service").click()
    expect(page.get_by_role("status")).to_contain_text("Service publié")
    service = Service.objects.get(name="Vidange et filtres")
    assert service.published
    assert Slot.objects.filter(service=service).exists()

    page.get_by_role("link", name="Voir le calendrier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendrier : Vidange et filtres")
    # Next week always has Monday to Friday in full, whatever day the test runs.
    page.get_by_role("link", name=re.compile("Semaine suivante")).click()
    monday = page.locator(".cal-day").first
    expect(monday.get_by_role("heading", level=3)).to_contain_text(re.compile(r"^lundi \d+ "))
    expect(monday).to_contain_text("9 h 00 – 10 h 00 · 0 / 2 réservées")
    expect(monday.locator(".slot")).to_have_count(3)
    expect(page.locator(".cal-day").nth(5)).to_contain_text("Aucun créneau")  # Saturday

    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS_DIR / "partner_calendar_week.png"), full_page=True)

    page.get_by_role("link", name="Vue mois").click()
    expect(page.locator(".cal-month")).to_contain_text("0 / 6 places réservées")
    page.screenshot(path=str(ARTIFACTS_DIR / "partner_calendar_month.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Vue semaine").click()
    expect(page.locator(".cal-day").first).to_contain_text("0 / 2 réservées")
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS_DIR / "partner_calendar_phone.png"), full_page=True)


def test_a_refused_price_is_explained_next_to_the_field(page, live_server, demo_data):
    sign_in(page, live_server, GARAGE)
    page.get_by_role("link", name="Espace partenaire").first.click()
    page.get_by_role("main").get_by_role("link", name="Ajouter un service").first.click()
    field(page, "Nom du service").fill("Pneus")
    field(page, "Le prix est compté par").select_option(label="forfait")
    field(page, "Prix du marché (€)").fill("40")
    field(page, "Prix solidaire (€)").fill("45,50")
    page.get_by_role("button", name="Créer le service").click()

    price = field(page, "Prix solidaire (€)")
    expect(price).to_have_value("45,50")
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_solidarity_price_error")).to_have_text(
        re.compile("Le prix solidaire doit être inférieur ou égal au prix du marché.")
    )
    expect(field(page, "Nom du service")).to_have_value("Pneus")
    # The summary at the top links to the field, for keyboard and screen-reader users.
    page.get_by_role("alert").get_by_role("link", name="Prix solidaire (€)").click()
    expect(price).to_be_focused()
    assert not Service.objects.filter(name="Pneus").exists()
