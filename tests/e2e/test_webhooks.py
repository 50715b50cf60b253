"""A garage plugs its software in: it subscribes a webhook, copies the secret shown once,
and sees a booking's cancellation delivered to its receiver (which verifies the signature),
in a real browser."""

import pytest
from playwright.sync_api import expect

from bookings.enums import BookingStatus
from bookings.models import Booking
from bookings.services import booking_cancel
from exchange.models import WebhookSubscription
from tests.e2e.page_checks import main_nav
from tests.e2e.test_sign_in import field, sign_in
from tests.exchange.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GARAGE = "garage@demo.test"


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True  # the receiver listens on 127.0.0.1
    found = Receiver().start()
    yield found
    found.stop()


def test_a_garage_subscribes_and_sees_a_delivery_arrive(page, live_server, demo_data, receiver):
    sign_in(page, live_server, GARAGE)
    main_nav(page).get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    expect(page.get_by_role("main")).to_contain_text("Aucun webhook pour l'instant")
    page.get_by_role("link", name="Ajouter un webhook").click()

    field(page, "Adresse (URL)").fill(receiver.url)
    field(page, "Description").fill("Logiciel de l'atelier")
    page.get_by_label("booking.cancelled — Réservation annulée").check()
    page.get_by_role("button", name="Créer le webhook").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Webhook créé")
    secret = page.locator("#webhook-secret").inner_text()
    subscription = WebhookSubscription.objects.get()
    assert secret == subscription.secret and secret.startswith("whsec_")
    receiver.secret = secret

    booking = Booking.objects.filter(
        service__partner=subscription.organisation.partner,
        status__in=[BookingStatus.REQUESTED, BookingStatus.CONFIRMED],
    ).first()
    booking_cancel(actor=subscription.created_by, booking_id=booking.pk, reason="Panne du pont")
    (message,) = receiver.received
    assert message.verified and message.payload["data"]["booking"]["id"] == booking.pk

    page.get_by_role("link", name="Voir le webhook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(receiver.url)
    table = page.get_by_role("table")
    expect(table).to_contain_text("booking.cancelled")
    expect(table).to_contain_text("Reçue")
    expect(table).to_contain_text("204")
    expect(page.get_by_role("main")).not_to_contain_text(secret)
