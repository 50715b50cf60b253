"""An adviser books a diagnostic for a new referral in two clicks, at the place nearest the
person's home; the person receives the SMS (in-memory backend), opens its link on a phone
and sees the appointment. In a real browser."""

import re

import pytest
from playwright.sync_api import expect

from agenda.models import Appointment
from beneficiaries.enums import ReferralStatus
from beneficiaries.models import Referral
from core import sms
from tests.e2e.page_checks import PageChecks, main_nav
from tests.e2e.test_booking_journey import PHONE, no_sideways_scrolling
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_referral(demo_data):
    """A person of Lapalisse referred this morning by the Mission Locale of the demo."""
    from accounts.models import Organisation, User

    prescriber = User.objects.get(email="prescriber@demo.test")
    organisation = Organisation.objects.get(memberships__user=prescriber)
    return Referral.objects.create(
        platform=organisation.platform, prescriber_organisation=organisation,
        prescriber=prescriber, first_name="Maëlys", last_name="Dupuis",
        phone="+33645127890", commune="Lapalisse", postcode="03120", situation="jobseeker",
        need="Pas de voiture pour aller à ses entretiens", status=ReferralStatus.SUBMITTED,
    )  # fmt: skip


def test_a_diagnostic_booked_from_the_inbox_reaches_the_person(
    page, browser, live_server, new_referral
):
    sms.outbox.clear()
    sign_in(page, live_server, "adviser@demo.test")
    main_nav(page).get_by_role("link", name="Orientations").click()
    # First click: from the inbox row of the new referral.
    page.get_by_role("link", name="Prendre rendez-vous (diagnostic) : Maëlys Dupuis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rendez-vous pour Maëlys Dupuis")
    offers = page.locator("section.place-offer h2")
    # Lapalisse is nearer Saint-Pourçain (about 28 km) than Moulins or Montluçon.
    expect(offers.first).to_contain_text("France Services Saint-Pourçain")
    first_place = page.locator("section.place-offer").first
    # Second click: the first free time at the nearest place.
    first_place.locator(".slot-buttons button").first.click()
    expect(page.get_by_role("status")).to_contain_text("Rendez-vous pris")
    appointment = Appointment.objects.get(referral=new_referral)
    assert appointment.place.name == "France Services Saint-Pourçain"

    # The SMS went to the person's phone, with the signed link.
    [message] = [m for m in sms.outbox if m["to"] == "+33645127890"]
    link = re.search(r"https?://\S+/rendez-vous/\S+/", message["body"]).group(0)
    path = "/" + link.split("/", 3)[3]

    # The person opens it on a phone, without an account.
    phone = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE)
    try:
        person_page = phone.new_page()
        checks = PageChecks()  # CSP and axe on the person's page too
        checks.install(phone, person_page)
        person_page.goto(live_server.url + path)
        expect(person_page.get_by_role("heading", level=1)).to_have_text("Votre rendez-vous")
        expect(person_page.locator(".appointment")).to_contain_text(
            "France Services Saint-Pourçain"
        )
        expect(person_page.get_by_role("link", name="Changer l'heure")).to_be_visible()
        no_sideways_scrolling(person_page)
        # She moves it in the week slot picker, still on her phone.
        person_page.get_by_role("link", name="Changer l'heure").click()
        expect(person_page.locator("#id_slot")).to_be_visible()
        person_page.locator(".week-time:not(.week-time-full)").first.click()
        person_page.get_by_role("button", name="Choisir cette heure").click()
        expect(person_page.get_by_role("status")).to_contain_text("déplacé")
        moved = Appointment.objects.get(moved_from=appointment)
        assert moved.status == "booked" and moved.slot_id != appointment.slot_id
        no_sideways_scrolling(person_page)
        checks.wait_for_axe(person_page)
        assert checks.checked_pages and not checks.problems(), checks.problems()
    finally:
        phone.close()


def test_the_agenda_pages_pass_axe_and_fit_a_small_phone(page, live_server, demo_data):
    """Every page of the agenda, as the demo adviser, at 320 px: CSP and axe are checked on
    each load by the page fixture; nothing scrolls sideways."""
    from agenda.models import AgendaSlot

    sign_in(page, live_server, "adviser@demo.test")
    page.set_viewport_size({"width": 320, "height": 800})
    appointment = Appointment.objects.filter(beneficiary__isnull=False).first()
    session = AgendaSlot.objects.filter(session=True).first()
    for path in ("/agenda/", "/agenda/lieux/", "/agenda/horaires/", "/agenda/fermetures/",
                 "/agenda/seances/", f"/agenda/seances/{session.pk}/",
                 f"/agenda/rendez-vous/{appointment.pk}/",
                 f"/agenda/personne/{appointment.beneficiary_id}/rendez-vous/"):  # fmt: skip
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        no_sideways_scrolling(page)
