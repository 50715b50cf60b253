"""The adviser's booking in a few keystrokes (issue 21), in a real browser:

- with the keyboard alone, from the adviser's home to a sent booking request in at most 40
  Tab presses, for a service booked by slots, one by km and a rental by the day (the test
  presses only Tab, Shift+Tab, arrows, Space, Enter and letters);
- the booking form at most 1,800 px tall on a 390 px phone, a week shown;
- the week picker with JavaScript off: the week links and the form still book;
- every page opened: no sideways scroll at 320 and 640 px, every Tab stop visibly focused.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from playwright.sync_api import expect

from beneficiaries.models import Beneficiary
from bookings.models import Booking
from partners.models import Service, Slot
from tests.e2e.page_checks import check_page, sideways_overflow
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADVISER = "adviser@demo.test"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_TABS = 40
MAX_PHONE_HEIGHT = 1800


class Keyboard:
    """The keys a person presses, Tabs counted."""

    def __init__(self, page):
        self.page = page
        self.tabs = 0
        self.steps: list[tuple[str, int]] = []  # what each Tab press reached, to explain

    def focused(self) -> dict:
        return self.page.evaluate(
            """() => { const el = document.activeElement;
              const text = el.innerText || el.value || el.getAttribute('aria-label') || '';
              return {text: text.trim(),
                      id: el.id || '', name: el.getAttribute('name') || '', tag: el.tagName}; }"""
        )

    def tab_to(self, matches, limit: int = 30) -> dict:
        """Tab until the focused element matches (a regex on its text, or on id/name)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            self.tabs += 1
            now = self.focused()
            if any(re.search(matches, now[k]) for k in ("text", "id", "name")):
                self.steps.append((matches, self.tabs))
                return now
        raise AssertionError(f"no {matches!r} within {limit} Tab presses on {self.page.url}")

    def shift_tab_to(self, matches, limit: int = 5) -> dict:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab")
            self.tabs += 1
            now = self.focused()
            if any(re.search(matches, now[k]) for k in ("text", "id", "name")):
                self.steps.append((f"⇧ {matches}", self.tabs))
                return now
        raise AssertionError(f"no {matches!r} within {limit} Shift+Tab on {self.page.url}")

    def skip_to_content(self) -> None:
        self.tab_to(r"^Aller au contenu$", limit=1)
        self.page.keyboard.press("Enter")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text, delay=20)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def book_with_the_keyboard(page, live_server, service_words: str, link: str, *, km: str = ""):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, ADVISER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    keys = Keyboard(page)

    # Home → catalogue.
    keys.skip_to_content()
    keys.tab_to(r"^Chercher un service partenaire$")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des services partenaires")
    check_page(page, focus=False)

    # The service by a few words, then, past the filters, its next free place.
    keys.skip_to_content()
    keys.tab_to(r"^id_q$")
    keys.type(service_words)
    keys.press("Enter")
    # The search answered (its address pushed, nothing in flight): a late swap of the results
    # would otherwise take the focus back to the top of the page.
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator("#resultats")).not_to_have_class(re.compile(r"htmx-request"))
    expect(page.locator("#resultats-annonce")).to_contain_text(re.compile(r"trouvé"))
    expect(page.locator(".result").first).to_contain_text(service_words)
    keys.shift_tab_to(r"^Aller aux résultats$")
    keys.press("Enter")
    keys.tab_to(link)
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Réserver :")
    check_page(page, focus=False)

    # The person, by a few letters of her name, through the autocomplete.
    keys.skip_to_content()
    keys.tab_to(r"^id_beneficiary$")
    keys.type("martin lea")
    # The list for the whole query, not one for its first letters ("ma" also finds THOMAS, and
    # the answer for "martin le" may show first: when the last one comes, it takes the
    # highlight off, and an arrow pressed before it would be lost).
    search = page.locator("[data-person-search]")
    expect(search).to_have_attribute("data-person-search-answered", "martin lea")
    expect(page.get_by_role("option").first).to_contain_text(re.compile(r"MARTIN Léa"))
    keys.press("ArrowDown")
    keys.press("Enter")
    expect(page.locator("input[type=hidden][name=beneficiary]")).not_to_have_value("")
    if km:
        keys.tab_to(r"^units$")
        keys.type(km)
    keys.tab_to(r"^Voir le prix$")
    keys.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier avant d'envoyer")
    check_page(page, focus=False)
    keys.skip_to_content()
    keys.tab_to(r"^Confirmer la réservation$")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Réservation SM-"))
    assert keys.tabs <= MAX_TABS, f"{keys.tabs} Tab presses: {keys.steps}"
    return keys.tabs


def forget_demo_bookings() -> None:
    """The demo's bookings go, with the statements and payments that name them."""
    from payments.models import Payment, Refund
    from settlements.models import Settlement, SettlementAdjustment, SettlementLine

    SettlementLine.objects.all().delete()
    SettlementAdjustment.objects.all().delete()
    Settlement.objects.all().delete()
    Refund.objects.all().delete()
    Payment.objects.all().delete()
    Booking.objects.all().delete()


def booked() -> Booking:
    booking = Booking.objects.select_related("service", "beneficiary").get()
    assert (booking.beneficiary.first_name, booking.beneficiary.last_name) == ("Léa", "Martin")
    return booking


def test_a_slot_booked_with_the_keyboard_alone(page, live_server, demo_data):
    forget_demo_bookings()  # the demo's own bookings aside
    service = Service.objects.get(name="Leçon de conduite")
    book_with_the_keyboard(page, live_server, "Leçon de conduite", r"^Réserver le ")
    booking = booked()
    assert booking.service == service
    # Exactly the place of the link: the first free one past the partner's notice.
    slot = booking.booking_slots.get().slot
    notice = booking.created_at + timedelta(hours=service.min_notice_hours)
    assert slot.starts_at >= notice
    assert not Slot.objects.filter(
        service=service, starts_at__gte=notice, starts_at__lt=slot.starts_at,
        reserved__lt=F("capacity"),
    ).exists()  # fmt: skip


def test_a_km_service_booked_with_the_keyboard_alone(page, live_server, demo_data):
    forget_demo_bookings()
    book_with_the_keyboard(page, live_server, "Trajet avec chauffeur", r"^Réserver le ", km="12")
    booking = booked()
    assert booking.service.name == "Trajet avec chauffeur bénévole"
    assert booking.units == Decimal("12")


def test_a_rental_by_the_day_booked_with_the_keyboard_alone(page, live_server, demo_data):
    forget_demo_bookings()
    book_with_the_keyboard(page, live_server, "Scooter", r"^Réserver à partir du ")
    booking = booked()
    assert booking.service.name == "Scooter 50 cm³"
    assert booking.booking_slots.count() == 1


def test_the_booking_form_fits_a_phone_and_every_page_reflows(page, live_server, demo_data):
    service = Service.objects.get(
        name="Main-d'œuvre mécanique", partner__organisation__name="Garage solidaire du Bourbonnais"
    )
    person = Beneficiary.objects.get(first_name="Léa", last_name="Martin")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, ADVISER)
    page.goto(
        f"{live_server.url}{reverse('booking_new')}?service={service.pk}&beneficiary={person.pk}"
    )
    picker = page.locator(".week-picker")
    expect(picker.locator(".week-label")).to_contain_text("Semaine du")
    expect(picker.locator(".week-time").first).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MAX_PHONE_HEIGHT, f"{height} px"
    # One day at a time on a phone; the days as tabs.
    expect(picker.locator(".week-tabs")).to_be_visible()
    check_page(page)

    # With the keyboard: the times are one Tab stop, arrows move, Space chooses.
    page.set_viewport_size(DESKTOP)
    page.reload()
    keys = Keyboard(page)
    keys.skip_to_content()
    keys.tab_to(r"^slots$")
    first = page.evaluate("document.activeElement.value")
    keys.press("Space")
    keys.press("ArrowRight")
    second = page.evaluate("document.activeElement.value")
    assert second != first
    keys.press("Enter")
    checked = page.locator("input[name=slots]:checked")
    expect(checked).to_have_count(2)
    keys.tab_to(r"^quantity$")  # one Tab leaves the times
    assert keys.tabs <= 8
    # The next week swapped in place (HTMX), the times chosen kept.
    page.get_by_role("link", name=re.compile("Semaine suivante")).click()
    expect(page.locator(".week-label")).to_contain_text("Semaine du")
    expect(page.locator("input[name=slots][data-chosen-elsewhere]")).to_have_count(2)
    assert "<html" not in page.locator("#id_slots").inner_html()
    check_page(page)

    for url in (
        reverse("catalogue_search"),
        reverse("finance_portfolio"),
        reverse("beneficiary_detail", args=[person.pk]),
    ):
        page.goto(f"{live_server.url}{url}")
        assert not sideways_overflow(page), sideways_overflow(page)
    check_page(page)


def test_the_picker_books_with_javascript_off(browser, live_server, demo_data):
    forget_demo_bookings()
    service = Service.objects.get(
        name="Main-d'œuvre mécanique", partner__organisation__name="Garage solidaire du Bourbonnais"
    )
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.set_viewport_size(DESKTOP)
        sign_in(page, live_server, ADVISER)
        page.goto(f"{live_server.url}{reverse('booking_new')}?service={service.pk}")
        # The next week by its link, then a time.
        label = page.locator(".week-label").inner_text()
        page.get_by_role("link", name=re.compile("Semaine suivante")).click()
        expect(page.locator(".week-label")).not_to_have_text(label)
        assert "semaine=" in page.url
        box = page.locator("input[name=slots]:not([disabled])").first
        box.check()
        slot_id = int(box.get_attribute("value"))
        # The person: the search button lists the matches (the time chosen stays).
        page.get_by_label(re.compile("^Personne accompagnée")).fill("martin léa")
        page.get_by_role("button", name="Chercher").click()
        page.get_by_role("radio", name=re.compile("MARTIN Léa")).check()
        expect(page.locator(f"input[name=slots][value='{slot_id}']")).to_be_checked()
        page.get_by_role("button", name="Voir le prix").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier avant d'envoyer")
        page.get_by_role("button", name="Confirmer la réservation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Réservation SM-"))
    finally:
        context.close()
    booking = booked()
    assert list(booking.booking_slots.values_list("slot_id", flat=True)) == [slot_id]


def test_financements_does_not_scroll_sideways(page, live_server, demo_data):
    """/financements/ scrolled sideways by a few pixels at 320 px (its amounts)."""
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "finance@demo.test")
    page.goto(f"{live_server.url}{reverse('finance_portfolio')}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page)
