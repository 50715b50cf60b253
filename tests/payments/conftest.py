"""Payments tests run against localstripe (PyPI), a fake Stripe server started once per
session on 127.0.0.1 and a free port (`tests.payments.localstripe_server`), with
`STRIPE_API_BASE` pointing the gateway at it. Its webhooks, signed by localstripe with the
secret given to `/_config/webhooks/`, are caught by a small HTTP server of the tests
(`webhook_inbox`) and handed to our webhook view as Stripe would send them."""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from unittest.mock import patch

import pytest
import requests
from django.conf import settings as django_settings

from financing.plans import plan_set
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.test_documents import make_booking
from tests.local_http import LocalHttpServer
from tests.partners.factories import PartnerFactory, ServiceFactory

SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_solimob"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    """The base URL of a localstripe server bound to 127.0.0.1, for the whole session."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.payments.localstripe_server", "--port", str(port)],
        cwd=str(django_settings.BASE_DIR),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{base}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"localstripe did not start: {process.stderr.read()!r}")
        time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def stripe_on(settings, localstripe):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_TIMEOUT_SECONDS = 5
    return localstripe


class Inbox:
    """Webhook deliveries caught from localstripe: (body bytes, Stripe-Signature)."""

    def __init__(self):
        self.deliveries: list[tuple[bytes, str]] = []
        self.lock = threading.Lock()

    def wait_for(self, event_type: str, object_id: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for body, signature in self.deliveries:
                    event = json.loads(body)
                    if event["type"] == event_type and event["data"]["object"]["id"] == object_id:
                        return body, signature
            time.sleep(0.1)
        raise AssertionError(f"no {event_type} for {object_id} within {timeout} s")


@pytest.fixture
def webhook_inbox(stripe_on):
    inbox = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with inbox.lock:
                inbox.deliveries.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = LocalHttpServer(Handler).start()
    url = server.base + "/"
    response = requests.post(
        f"{stripe_on}/_config/webhooks/tests",
        data={"url": url, "secret": WEBHOOK_SECRET},
        timeout=5,
    )
    assert response.ok
    yield inbox
    server.stop()


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe writes it."""
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), b"%d.%s" % (at, payload), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def event_body(event_id: str, event_type: str, obj: dict) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": event_type, "created": int(time.time()),
         "api_version": "2017-08-15", "data": {"object": obj}}
    ).encode()  # fmt: skip


def deliver(client, body: bytes, signature: str | None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return client.post(
        "/payments/stripe/webhook/", data=body, content_type="application/json", **headers
    )


def stripe_api(base: str, method: str, path: str, **data):
    """Call localstripe as Stripe.js (or the browser) would, with the test's key."""
    response = requests.request(
        method, f"{base}{path}", data=data, auth=(SECRET_KEY, ""), timeout=5
    )
    return response.json()


def confirm_with_card(base: str, intent_id: str, number: str = "4242424242424242"):
    """What Stripe.js does when the person types a card and presses « Payer »."""
    method = stripe_api(
        base, "POST", "/v1/payment_methods", type="card",
        **{"card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034",
           "card[cvc]": "123"},
    )  # fmt: skip
    stripe_api(base, "POST", f"/v1/payment_intents/{intent_id}", payment_method=method["id"])
    return stripe_api(base, "POST", f"/v1/payment_intents/{intent_id}/confirm")


@pytest.fixture
def person_user(platform, adviser):
    from tests.factories import UserFactory

    user = UserFactory(email="personne@example.test")
    person = BeneficiaryFactory(platform=platform, adviser=adviser, user=user)
    return person


@pytest.fixture
def shared_booking(platform, adviser, partner_org, person_user):
    """A confirmed booking of 35 € whose plan leaves 7 € to the person."""
    service = ServiceFactory(
        partner=PartnerFactory(organisation=partner_org), solidarity_price=Decimal("17.50"),
        market_price=Decimal("40.00"),
    )  # fmt: skip
    start = datetime.now(UTC) + timedelta(days=5)
    booking = make_booking(service, person_user, start, hours=2)
    plan_set(
        actor=adviser, booking_id=booking.pk,
        lines=[{"kind": "platform", "amount": Decimal("28.00")},
               {"kind": "beneficiary", "amount": Decimal("7.00")}],
    )  # fmt: skip
    return booking


# --- Batches of webhook events, without localstripe ------------------------------------------


class RecordedStripe:
    """What Stripe holds for each PaymentIntent, read back through the gateway (each read is
    recorded; an intent in `down` cannot be read, as when Stripe is unreachable)."""

    def __init__(self):
        self.intents: dict[str, tuple[str, bool]] = {}  # id -> (status, last attempt failed)
        self.reads: list[str] = []
        self.down: set[str] = set()
        self.lock = threading.Lock()

    def retrieve(self, intent_id: str):
        from core.enums import ErrorCode
        from core.errors import ApplicationError
        from payments import gateway

        with self.lock:
            self.reads.append(intent_id)
        if intent_id in self.down:
            raise ApplicationError("Stripe ne répond pas.", status=503,
                                   code=ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE)  # fmt: skip
        status, failed = self.intents[intent_id]
        return gateway.Intent(
            id=intent_id, status=status, amount=Decimal("7.00"), amount_refunded=Decimal("0"),
            client_secret="", failure_code="card_declined" if failed else "",
            failure_message="Declined." if failed else "", method="card",
        )  # fmt: skip


@pytest.fixture
def recorded_stripe(settings, monkeypatch):
    from payments import gateway

    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    stripe = RecordedStripe()
    monkeypatch.setattr(gateway, "payment_intent_retrieve", stripe.retrieve)
    return stripe


def pay(booking, amount: str, status="succeeded", *, refunded="0.00",
        purpose="beneficiary_share"):  # fmt: skip
    """A payment of the booking's person, as it stands (no Stripe): the money arrived by
    default, the share's."""
    from payments.models import Payment

    return Payment.objects.create(
        platform=booking.platform, beneficiary=booking.beneficiary, booking=booking,
        purpose=purpose, amount=Decimal(amount), amount_refunded=Decimal(refunded),
        status=status, idempotency_key=f"test-{booking.pk}-{Payment.objects.count()}",
    )  # fmt: skip


def pending_payment(platform, intent_id: str):
    """A share payment waiting for Stripe (no booking: nothing to refund on its success)."""
    from payments.models import Payment

    return Payment.objects.create(
        platform=platform, beneficiary=BeneficiaryFactory(platform=platform),
        purpose="beneficiary_share", amount=Decimal("7.00"), status="pending",
        stripe_payment_intent_id=intent_id,
    )  # fmt: skip


def store(event_id: str, event_type: str, obj: dict):
    """Store a signed event as the webhook does, without processing it (no wake, even when
    the test's transactions commit)."""
    from payments import webhooks

    body = event_body(event_id, event_type, obj)
    with patch.object(webhooks, "_wake", lambda: None):
        return webhooks.event_receive(payload=body, signature=sign(body))[0]
