"""An adviser searches the catalogue and opens a service, in a real browser (with HTMX)."""

import re
from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Slot
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.page_checks import main_nav
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADVISER = "adviser@demo.test"
GARAGE = "Garage solidaire du Bourbonnais"  # Montluçon
VICHY_GARAGE = "Garage solidaire Vichy Entraide"  # about 70 km from Montluçon
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


def open_week() -> tuple[date, date]:
    """Next Monday to next Sunday, or a later week when the demo garage is closed all of
    that one (it closes from 24 December to 1 January)."""
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    for _ in range(3):
        sunday = monday + timedelta(days=6)
        if Slot.objects.filter(
            service__partner__organisation__name=GARAGE,
            starts_at__date__range=(monday, sunday),
            reserved__lt=F("capacity"),
        ).exists():
            return monday, sunday
        monday += timedelta(days=7)
    raise AssertionError("the demo garage has no free slot in the next weeks")


def open_catalogue(page, live_server):
    sign_in(page, live_server, ADVISER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    main_nav(page).get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des services partenaires")
    return page.get_by_role("search")


def no_sideways_scrolling(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_adviser_finds_a_garage_near_montlucon_and_sees_its_free_slots(
    page, live_server, demo_data
):
    monday, sunday = open_week()
    page.set_viewport_size(DESKTOP)
    form = open_catalogue(page, live_server)

    form.get_by_label("Type de service").select_option(label="Garage solidaire")
    form.get_by_label("Commune ou code postal").fill("Montluçon")
    form.get_by_label("Distance maximale (km)").fill("20")
    form.get_by_label("Disponible du").fill(monday.isoformat())
    form.get_by_label("au", exact=True).fill(sunday.isoformat())
    form.get_by_role("button", name="Rechercher").click()

    results = page.locator("#resultats-liste")
    expect(page.locator("#resultats-annonce")).to_have_text("2 services trouvés")
    expect(results).to_contain_text(f"{GARAGE}, Montluçon à 0,0 km")
    expect(results).not_to_contain_text(VICHY_GARAGE)
    expect(results).to_contain_text("35,00 € au lieu de 65,00 € de l'heure — 30,00 € d'économie")
    expect(results.locator(".result-next").first).to_contain_text(re.compile(r"prochaine place"))
    # The filters are in the address: the search can be shared, the back button works.
    expect(page).to_have_url(re.compile(r"category=garage.*place=Montlu.*radius_km=20"))
    expect(page).to_have_url(re.compile(rf"available_from={monday.isoformat()}"))
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "catalogue_search_desktop.png"), full_page=True)
    no_sideways_scrolling(page)

    results.get_by_role("link", name="Main-d'œuvre mécanique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Main-d'œuvre mécanique")
    partner = page.get_by_role("complementary")
    expect(partner).to_contain_text(GARAGE)
    expect(partner).to_contain_text("14 rue des Faucheroux")
    slots = page.locator(".free-slots")
    expect(slots.get_by_role("heading", name="Places libres")).to_be_visible()
    expect(slots.locator(".free-day").first).to_contain_text(re.compile(r"\d+ h \d\d"))
    expect(page.get_by_role("button", name=re.compile("Réserver"))).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS_DIR / "catalogue_service_desktop.png"), full_page=True)

    page.set_viewport_size(TABLET)
    no_sideways_scrolling(page)
    page.screenshot(path=str(ARTIFACTS_DIR / "catalogue_service_tablet.png"), full_page=True)

    page.go_back()  # back to the results, filters and all
    expect(page).to_have_url(re.compile(r"place=Montlu"))
    expect(page.locator("#resultats-liste")).to_contain_text(GARAGE)
    expect(page.get_by_role("search").get_by_label("Commune ou code postal")).to_have_value(
        "Montluçon"
    )
    no_sideways_scrolling(page)
    page.screenshot(path=str(ARTIFACTS_DIR / "catalogue_search_tablet.png"), full_page=True)


def test_a_bad_filter_is_explained_then_the_corrected_search_shows_results(
    page, live_server, demo_data
):
    page.set_viewport_size(TABLET)
    form = open_catalogue(page, live_server)

    form.get_by_label("Commune ou code postal").fill("Atlantide")
    form.get_by_role("button", name="Rechercher").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Commune ou code postal inconnu : « Atlantide ».")
    place = page.get_by_role("search").get_by_label("Commune ou code postal")
    expect(place).to_have_attribute("aria-invalid", "true")
    expect(place).to_have_value("Atlantide")
    expect(page.locator(".results-list")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS_DIR / "catalogue_error_tablet.png"), full_page=True)

    alert.get_by_role("link", name="Commune ou code postal").click()
    expect(place).to_be_focused()
    place.fill("Montluçon")
    place.press("Enter")

    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#resultats-liste")).to_contain_text(GARAGE)
    expect(page.locator("#resultats-liste")).not_to_contain_text(VICHY_GARAGE)

    # Selects search as soon as they change (once HTMX has set up the redrawn form: it
    # does so when the swap settles, ~20 ms later, after which nothing is marked "added").
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    page.get_by_role("search").get_by_label("Type de service").select_option(
        label="Location solidaire"
    )
    expect(page.locator("#resultats-liste")).not_to_contain_text(GARAGE)
    expect(page.locator("#resultats-liste")).to_contain_text("Vélo Solidaire Montluçon")
    expect(page).to_have_url(re.compile(r"category=rental"))

    page.set_viewport_size(PHONE)
    no_sideways_scrolling(page)
    page.screenshot(path=str(ARTIFACTS_DIR / "catalogue_search_phone.png"), full_page=True)
