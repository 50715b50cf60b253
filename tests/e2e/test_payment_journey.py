"""Paying one's share online, in a real browser, against localstripe: beneficiary@demo.test
opens « Mes rendez-vous », presses « Payer ma part », types a test card in the payment form
and comes back to see the booking paid.

localstripe serves no Payment Element, so `STRIPE_JS_URL` points at a test double of
Stripe.js served by our localstripe runner (`tests/payments/stripe_double.js`): the page,
its policy and `static/js/payments.js` are the production ones; only Stripe's script is
swapped, as `STRIPE_API_BASE` swaps Stripe's API. localstripe delivers the signed webhook to
the live server."""

import time
from decimal import Decimal

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from bookings.enums import HOLDING
from bookings.models import Booking
from financing.plans import plan_set
from payments.enums import PaymentStatus, StripeEventStatus
from payments.models import Payment, StripeEvent
from tests.e2e.test_sign_in import sign_in
from tests.payments.conftest import (  # noqa: F401 (fixtures)
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    localstripe,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def stripe_for_the_browser(settings, localstripe, live_server):  # noqa: F811
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_JS_URL = f"{localstripe}/js.stripe.com/solimob-double.js"
    settings.SITE_URL = live_server.url
    response = requests.post(
        f"{localstripe}/_config/webhooks/tests",
        data={"url": f"{live_server.url}/payments/stripe/webhook/", "secret": WEBHOOK_SECRET},
        timeout=5,
    )
    assert response.ok


def a_booking_with_a_share(person_email: str) -> Booking:
    person = User.objects.get(email=person_email).beneficiary
    booking = (
        Booking.objects.filter(beneficiary=person, status__in=HOLDING, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    adviser = User.objects.get(email="adviser@demo.test")
    share = Decimal("7.00")
    plan_set(
        actor=adviser, booking_id=booking.pk,
        lines=[{"kind": "platform", "amount": booking.total_price - share},
               {"kind": "beneficiary", "amount": share}],
    )  # fmt: skip
    return booking


def test_the_person_pays_their_share_with_a_card_and_sees_it_paid(
    page, live_server, demo_data, stripe_for_the_browser
):
    booking = a_booking_with_a_share("beneficiary@demo.test")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "beneficiary@demo.test")
    page.goto(f"{live_server.url}/mes-rendez-vous/")
    card = page.locator(f"#rdv-{booking.pk}")
    expect(card).to_contain_text("À payer : 7,00")
    card.get_by_role("link", name="Payer ma part").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Payer ma part")
    expect(page.get_by_text("Montant à payer")).to_contain_text("7,00")
    page.get_by_label("Numéro de carte").fill("4242 4242 4242 4242")
    page.get_by_label("Date d'expiration (MM/AA)").fill("12/34")
    page.get_by_label("Cryptogramme").fill("123")
    page.get_by_role("button", name="Payer 7,00").click()

    expect(page.get_by_text("Merci, votre paiement est reçu")).to_be_visible()
    page.get_by_role("link", name="Retour aux rendez-vous").click()
    expect(page.locator(f"#rdv-{booking.pk}")).to_contain_text("Payé en ligne : 7,00")
    expect(
        page.locator(f"#rdv-{booking.pk}").get_by_role("link", name="Payer ma part")
    ).to_have_count(0)

    payment = Payment.objects.get(booking=booking)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount == Decimal("7.00")
    # localstripe's signed webhook reaches the live server and is processed (once).
    deadline = time.monotonic() + 10
    while not StripeEvent.objects.filter(object_id=payment.stripe_payment_intent_id).exists():
        assert time.monotonic() < deadline, "no webhook from localstripe"
        time.sleep(0.2)
    event = StripeEvent.objects.get(object_id=payment.stripe_payment_intent_id)
    assert event.type == "payment_intent.succeeded"
    assert event.status in (StripeEventStatus.PROCESSED, StripeEventStatus.RECEIVED)
