"""Issue 16 in a browser: a person asks to be called back from the public page on a phone;
an adviser puts Léa on a full service's waiting list, a place frees, Léa gets the SMS, opens
its link on her phone and takes the place."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from beneficiaries.models import Referral
from bookings import services
from bookings.models_waitlist import WaitingListOffer
from core import sms
from tests.beneficiaries.factories import BeneficiaryFactory, give_sms_consent
from tests.bookings.conftest import make_slot
from tests.e2e.test_booking_journey import no_sideways_scrolling, shot
from tests.e2e.test_sign_in import sign_in
from tests.factories import PASSWORD
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}


def test_a_person_asks_to_be_called_back_from_a_phone(page, live_server, platform, communes,
                                                      adviser, settings):  # fmt: skip
    settings.SELF_REFERRAL_MIN_SECONDS = 0
    page.set_viewport_size(SMALL_PHONE)
    page.goto(f"{live_server.url}/etre-rappele/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Être aidé·e pour se déplacer")
    no_sideways_scrolling(page)
    shot(page, "front_door_phone")
    page.get_by_role("checkbox", name="Faire réparer ma voiture ou mon scooter").check()
    page.get_by_role("checkbox", name="Passer le permis de conduire").check()
    page.get_by_label("Votre prénom").fill("Samia")
    page.get_by_label("Votre nom").fill("Bensaïd")
    page.get_by_label("Votre numéro de téléphone").fill("07 81 23 45 67")
    page.get_by_label("Votre commune").fill("Montluçon")
    page.get_by_role("radio", name="Un SMS").check()
    page.get_by_role("checkbox", name=re.compile("J'accepte que la plateforme")).check()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, c'est envoyé")
    expect(page.get_by_role("status")).to_have_text("Votre demande est bien arrivée.")
    no_sideways_scrolling(page)
    referral = Referral.objects.get()
    assert (referral.source, referral.contact_preference, referral.help_wanted) == (
        "self", "sms", ["repair", "licence"],
    )  # fmt: skip
    assert referral.platform == platform


def test_lea_takes_the_place_offered_from_the_sms_on_her_phone(
    page, live_server, platform, partner_org, adviser, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    adviser.set_password(PASSWORD)
    adviser.save()
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, name="Contrôle technique aidé", min_notice_hours=0)
    slot = make_slot(service, 3)
    first = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Jean",
                               last_name="Dupont")  # fmt: skip
    booking = services.booking_create(
        actor=adviser, beneficiary_id=first.pk, service_id=service.pk, slot_ids=[slot.pk]
    )
    lea = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Léa",
                             last_name="Martin", phone="+33611223344", email="")  # fmt: skip
    give_sms_consent(lea, by=adviser)

    sign_in(page, live_server, adviser.email, PASSWORD)
    page.goto(f"{live_server.url}/catalogue/services/{service.pk}/")
    page.get_by_role("link", name=re.compile("Mettre une personne sur liste d'attente")).click()
    page.get_by_label(re.compile("^Personne")).select_option(str(lea.pk))
    until = timezone.localdate() + timedelta(days=10)
    page.get_by_label(re.compile("^Jusqu'au")).fill(until.isoformat())
    page.get_by_role("button", name="Mettre sur la liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Listes d'attente")
    expect(page.locator("table")).to_contain_text("MARTIN Léa")

    sms.outbox.clear()
    services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Empêché")
    offer = WaitingListOffer.objects.get()
    assert offer.entry.beneficiary == lea and offer.holding
    (message,) = [m for m in sms.outbox if m["to"] == "+33611223344"]
    link = re.search(r"(/place/\S+)", message["body"]).group(1)

    page.context.clear_cookies()  # Léa has no account: the link is all she has
    mobile = page
    mobile.set_viewport_size(PHONE)
    mobile.goto(f"{live_server.url}{link}")
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Une place pour vous")
    expect(mobile.locator(".appointment")).to_contain_text("Contrôle technique aidé")
    no_sideways_scrolling(mobile)
    shot(mobile, "waitlist_offer_phone")
    mobile.get_by_role("button", name="Je prends cette place").click()
    expect(mobile.get_by_role("status")).to_contain_text("C'est réservé")
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.booking.beneficiary == lea
