"""The gateway: minor units, idempotency keys on every POST, Stripe's errors as our codes."""

import socket
import threading
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from payments import gateway, services, services_sepa
from payments.models import Payment
from tests.payments.conftest import confirm_with_card, stripe_api

D = Decimal


@pytest.mark.parametrize(
    ("euros", "cents"),
    [("7.00", 700), ("0.01", 1), ("35.005", 3501), ("1234.56", 123456), ("0.004", 0)],
)
def test_minor_units_round_half_up_and_back(euros, cents):
    assert gateway.to_minor(D(euros)) == cents
    assert gateway.from_minor(cents) == (D(cents) / 100).quantize(D("0.01"))


def test_keys_name_the_row_and_the_operation():
    assert gateway.key("payment", 12, "create") == "solimob-payment-12-create"


def test_off_without_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ApplicationError) as caught:
        gateway.client()
    assert (caught.value.code, caught.value.status) == ("payments_disabled", 409)


@pytest.fixture
def outgoing(stripe_on):
    """Every request the gateway sends: (method, url, headers)."""
    base = type(gateway.default_http_client())
    calls = []

    class Recording(base):
        def request(self, method, url, headers, post_data=None, **kwargs):
            calls.append((method.upper(), url, dict(headers or {})))
            return super().request(method, url, headers, post_data, **kwargs)

    gateway.use_http_client(Recording(timeout=5))
    yield calls
    gateway.use_http_client(None)


@pytest.mark.django_db
def test_every_post_carries_an_idempotency_key(
    outgoing, client, stripe_on, shared_booking, person_user, finance_officer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from financing import loans

    payment = services.share_payment_start(actor=person_user.user, booking_id=shared_booking.pk)
    confirm_with_card(stripe_on, payment.stripe_payment_intent_id)
    services.payment_sync(payment_id=payment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_request(
            actor=finance_officer, payment_id=payment.pk, amount=D("2.00"), reason="Geste"
        )
    loan = _a_loan(loans, finance_officer, shared_booking.beneficiary)
    services_sepa.mandate_request(actor=finance_officer, loan_id=loan.pk)

    posts = [(url, headers) for method, url, headers in outgoing if method == "POST"]
    assert len(posts) == 4  # intent, refund, customer, setup intent
    keys = [headers.get("Idempotency-Key") for _url, headers in posts]
    assert all(keys), posts
    assert keys[0] == f"solimob-payment-{payment.pk}-create"
    assert keys[1].startswith("solimob-refund-") and keys[1].endswith("-create")
    assert keys[2].endswith("-customer") and keys[3].endswith("-setup")
    assert len(set(keys)) == 4


def _a_loan(loans, actor, person):
    from django.utils import timezone

    from tests.factories import OrganisationFactory

    lender = OrganisationFactory(funder=True, name="Prêteur")
    loan = loans.loan_create(
        actor=actor, beneficiary_id=person.pk, kind="association_loan", lender_id=lender.pk,
        principal=D("300.00"), annual_rate=D("0"), term_months=3,
        first_due_on=timezone.localdate(), method="declining_balance",
    )  # fmt: skip
    loans.loan_transition(actor=actor, loan_id=loan.pk, to="approved")
    return loan


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers (Stripe timing out)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.django_db
def test_a_timeout_is_a_clean_503_and_the_retry_does_not_charge_twice(
    outgoing, client, settings, stripe_on, silent_server, shared_booking, person_user
):
    client.force_login(person_user.user)
    settings.STRIPE_API_BASE = silent_server
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    response = client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/")
    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    payment = Payment.objects.get()
    assert payment.status == "created" and payment.stripe_payment_intent_id is None

    settings.STRIPE_API_BASE = stripe_on
    retry = client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/")
    assert retry.status_code == 201 and retry.json()["id"] == payment.pk
    assert Payment.objects.count() == 1
    keys = [h.get("Idempotency-Key") for m, _u, h in outgoing if m == "POST"]
    # The same key both times: had Stripe made the first intent, it would return it again.
    assert keys == [f"solimob-payment-{payment.pk}-create"] * 2
    intent = stripe_api(
        stripe_on,
        "GET",
        f"/v1/payment_intents/{retry.json()['client_secret'].split('_secret_')[0]}",
    )
    assert intent["metadata"]["payment"] == str(payment.pk) and intent["amount"] == 700


@pytest.mark.django_db
def test_a_card_declined_off_session_is_our_code(stripe_on):
    method = stripe_api(
        stripe_on, "POST", "/v1/payment_methods", type="card",
        **{"card[number]": "4000000000000341", "card[exp_month]": "12",
           "card[exp_year]": "2034", "card[cvc]": "123"},
    )  # fmt: skip
    with pytest.raises(ApplicationError) as caught:
        gateway.payment_intent_create(
            payment_id=999, amount=D("10.00"), methods=["card"], metadata={},
            payment_method=method["id"], off_session=True,
        )  # fmt: skip
    assert (caught.value.code, caught.value.status) == ("card_declined", 409)


@pytest.mark.django_db
def test_a_refused_request_is_payment_provider_refused(stripe_on):
    with pytest.raises(ApplicationError) as caught:
        gateway.payment_intent_retrieve("pi_does_not_exist")
    assert caught.value.code == "payment_provider_refused"
