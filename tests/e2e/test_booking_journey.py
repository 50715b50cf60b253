"""A booking from end to end, in a real browser: the adviser books a garage slot for Léa
Martin from the catalogue (price first), the garage confirms it from its inbox, and Léa
finds it in "Mes rendez-vous" with her voucher."""

import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from beneficiaries.models import Beneficiary
from bookings.models import Booking
from partners.models import Service
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.page_checks import main_nav as open_main_nav
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GARAGE = "Garage solidaire du Bourbonnais"
SERVICE = "Main-d'œuvre mécanique"
PERSON = "MARTIN Léa — Montluçon"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)


def no_sideways_scrolling(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def nav(page):
    return open_main_nav(page)


def has_my_bookings() -> bool:
    try:
        reverse("my_bookings")
    except NoReverseMatch:
        return False
    return True


def test_adviser_books_the_garage_confirms_and_lea_gets_her_voucher(page, live_server, demo_data):
    service = Service.objects.get(name=SERVICE, partner__organisation__name=GARAGE)

    # The adviser books from the catalogue service page, on a tablet.
    page.set_viewport_size(TABLET)
    sign_in(page, live_server, "adviser@demo.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    page.goto(f"{live_server.url}{reverse('catalogue_service', args=[service.pk])}")
    expect(page.get_by_role("heading", level=1)).to_have_text(SERVICE)
    page.get_by_role("link", name="Choisir une autre place").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Réserver : {SERVICE}")
    # The person through the search field (the autocomplete), the slot in the week picker.
    # Typed once the page's scripts have run, in the autocomplete itself (typing before is
    # the next test's case).
    page.wait_for_load_state("load")
    page.get_by_label(re.compile("^Personne accompagnée")).fill("martin léa")
    page.get_by_role("option", name=re.compile(re.escape(PERSON.split(" — ")[0]))).click()
    picker = page.get_by_role("group", name=re.compile("^Créneaux"))
    free = page.locator("input:not([disabled])")
    first_day = picker.locator(".week-day").filter(has=free).first
    day_label = first_day.locator("legend").text_content().strip()
    time_box = first_day.locator(".week-time").filter(has=free).first
    slot = time_box.locator("input")
    slot_time = time_box.locator("span").first.text_content()
    slot.check()
    expect(slot).to_be_checked()
    page.get_by_label("Message pour le partenaire").fill("Bruit au freinage, voiture de 2009.")
    no_sideways_scrolling(page)
    shot(page, "booking_form_tablet")
    page.get_by_role("button", name="Voir le prix").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier avant d'envoyer")
    price = page.locator(".price-table")
    expect(price).to_contain_text("1 heure × 35,00 €")
    expect(price).to_contain_text("65,00 €")
    expect(price.locator(".price-saving")).to_contain_text("30,00 €")
    expect(page.locator(".summary")).to_contain_text(f"{day_label}, {slot_time}")
    no_sideways_scrolling(page)
    shot(page, "booking_price_tablet")
    assert not Booking.objects.filter(
        beneficiary__last_name="Martin", note_for_partner__contains="2009"
    ).exists()
    page.get_by_role("button", name="Confirmer la réservation").click()

    expect(page.get_by_role("status")).to_contain_text("Demande envoyée au partenaire")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Réservation SM-\w{4}-\w{4}$"))
    reference = heading.inner_text().split()[-1]
    booking = Booking.objects.get(reference=reference)
    assert (booking.status, booking.beneficiary.first_name) == ("requested", "Léa")
    expect(page.locator(".booking-status")).to_contain_text("Demandée")
    expect(page.locator(".price-table")).to_contain_text("35,00 €")
    shot(page, "booking_detail_tablet")
    page.set_viewport_size(PHONE)
    no_sideways_scrolling(page)

    # The garage confirms from its inbox (phone size: the mechanic is in the workshop).
    page.context.clear_cookies()
    sign_in(page, live_server, "garage@demo.test")
    nav(page).get_by_role("link", name="Réservations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réservations")
    card = page.locator(f"#reservation-{booking.pk}")
    expect(card).to_contain_text("Léa Martin")
    expect(card).to_contain_text("Bruit au freinage, voiture de 2009.")
    expect(card).to_contain_text(reference)
    no_sideways_scrolling(page)
    shot(page, "booking_partner_inbox_phone")
    card.get_by_role("button", name="Confirmer la demande de Léa Martin").click()

    expect(page.get_by_role("status")).to_contain_text(f"Réservation {reference} confirmée")
    coming = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile("^(À venir|Aujourd'hui)"))
    )
    expect(coming.locator(f"#reservation-{booking.pk}")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    page.set_viewport_size(TABLET)
    shot(page, "booking_partner_inbox_tablet")

    if not has_my_bookings():
        pytest.skip("« Mes rendez-vous » does not exist yet: the journey stops at the confirmation")

    # Léa sees it in "Mes rendez-vous" and downloads her voucher.
    page.context.clear_cookies()
    sign_in(page, live_server, "beneficiary@demo.test")
    nav(page).get_by_role("link", name="Mes rendez-vous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes rendez-vous")
    appointment = page.locator(f"#rdv-{booking.pk}")
    expect(appointment).to_contain_text(SERVICE)
    expect(appointment).to_contain_text(GARAGE)
    expect(appointment).to_contain_text(reference)
    voucher = appointment.get_by_role("link", name=re.compile("Mon bon de prise en charge"))
    href = voucher.get_attribute("href")
    response = page.context.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
    shot(page, "booking_my_bookings_tablet")


def test_the_garage_answers_from_the_link_of_the_email_without_signing_in(
    page, live_server, demo_data
):
    from accounts.models import User
    from beneficiaries.models import Beneficiary
    from bookings import services
    from core.models import Notification
    from partners.models import Slot

    service = Service.objects.get(name=SERVICE, partner__organisation__name=GARAGE)
    adviser = User.objects.get(email="adviser@demo.test")
    person = Beneficiary.objects.get(user__email="beneficiary@demo.test")
    slot = (
        Slot.objects.filter(service=service, starts_at__gte=timezone.now() + timedelta(days=2))
        .order_by("starts_at")
        .first()
    )
    booking = services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk],
        note="Sonner à l'atelier",
    )  # fmt: skip
    body = (
        Notification.objects.filter(
            template="bookings/requested",
            recipient="garage@demo.test",
            context__reference=booking.reference,
        )
        .get()
        .body
    )
    decline = re.search(r"Refuser : \S*(/reservations/lien/\S+/)", body).group(1)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{decline}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Demande de réservation {booking.reference}"
    )
    expect(page.locator(".summary")).to_contain_text("Léa Martin")
    expect(page.locator(".summary")).to_contain_text("Sonner à l'atelier")
    no_sideways_scrolling(page)
    shot(page, "booking_link_decline_phone")
    booking.refresh_from_db()
    assert booking.status == "requested"  # opening the link answers nothing

    page.get_by_role("button", name="Refuser la demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Indiquez le motif en quelques mots.")
    page.get_by_label("Motif du refus").fill("Atelier fermé ce jour-là")
    page.get_by_role("button", name="Refuser la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La demande est refusée")
    booking.refresh_from_db()
    assert (booking.status, booking.decline_reason) == ("declined", "Atelier fermé ce jour-là")

    page.goto(f"{live_server.url}{decline}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cette demande a déjà reçu une réponse"
    )
    expect(page.get_by_role("button", name="Refuser la demande")).to_have_count(0)
    shot(page, "booking_link_answered_phone")


def test_a_name_typed_before_the_scripts_ran_is_searched_for(page, live_server, demo_data):
    """On a slow connection the plain search field shows before the autocomplete's script
    has come: what the adviser typed there is searched for once it is in place."""
    service = Service.objects.get(name=SERVICE, partner__organisation__name=GARAGE)
    lea = Beneficiary.objects.get(first_name="Léa", last_name__iexact="Martin")
    sign_in(page, live_server, "adviser@demo.test")
    held = []
    page.route("**/accessible-autocomplete.min.js", lambda route: held.append(route))
    page.goto(f"{live_server.url}{reverse('booking_new')}?service={service.pk}",
              wait_until="commit")  # fmt: skip
    page.get_by_label(re.compile("^Personne accompagnée")).fill("martin léa")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    expect(page.locator("[data-person-search-ready]")).to_have_count(0)  # still the plain one
    held[0].continue_()
    option = page.get_by_role("option", name=re.compile(r"MARTIN Léa"))
    expect(option).to_be_visible()
    expect(page.locator("#id_beneficiary")).to_be_focused()
    expect(page.locator("#id_beneficiary")).to_have_value("martin léa")
    option.click()
    expect(page.locator("input[type=hidden][name=beneficiary]")).to_have_value(str(lea.pk))


def test_a_person_highlighted_stays_highlighted_when_a_late_answer_lists_the_same(
    page, live_server, demo_data
):
    """The list for "martin le" shows while the answer for "martin lea" is on its way: the
    person highlighted with the arrow keys is still highlighted once it comes, so Enter
    chooses her. An answer that lists other people replaces the list."""
    service = Service.objects.get(name=SERVICE, partner__organisation__name=GARAGE)
    lea = Beneficiary.objects.get(first_name="Léa", last_name__iexact="Martin")
    sign_in(page, live_server, "adviser@demo.test")
    late = []
    page.route(re.compile(r"[?&]q=martin(%20|\+)lea$"), lambda route: late.append(route))
    page.goto(f"{live_server.url}{reverse('booking_new')}?service={service.pk}")
    page.wait_for_load_state("load")
    search = page.locator("[data-person-search]")
    field = page.locator("#id_beneficiary")
    options = search.get_by_role("option")

    field.focus()
    page.keyboard.type("ma", delay=20)
    expect(search).to_have_attribute("data-person-search-answered", "ma")
    expect(options.filter(has_text="THOMAS")).not_to_have_count(0)
    page.keyboard.type("rtin le", delay=20)
    expect(search).to_have_attribute("data-person-search-answered", "martin le")
    expect(options).to_have_text([re.compile(r"^MARTIN Léa")])  # the list replaced
    page.keyboard.type("a")
    for _ in range(100):
        if late:
            break
        page.wait_for_timeout(50)
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    late[0].continue_()
    expect(search).to_have_attribute("data-person-search-answered", "martin lea")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator("input[type=hidden][name=beneficiary]")).to_have_value(str(lea.pk))
    expect(field).to_have_value(re.compile(r"^MARTIN Léa"))
