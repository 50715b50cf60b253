"""The webhook: signatures, store-then-process, replays and events out of order."""

import time

import pytest

from core.models import AuditLog
from payments import gateway, webhooks
from payments.enums import PaymentStatus, StripeEventStatus
from payments.models import Payment, StripeEvent
from tests.payments.conftest import confirm_with_card, deliver, event_body, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_intent(client, stripe_on, shared_booking, person_user):
    """A share the person paid at Stripe, whose webhook has not come yet."""
    client.force_login(person_user.user)
    answer = client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/").json()
    client.logout()
    payment = Payment.objects.get(pk=answer["id"])
    confirm_with_card(stripe_on, payment.stripe_payment_intent_id)
    return payment


@pytest.fixture
def reads(monkeypatch):
    """Count the re-reads of PaymentIntents from Stripe."""
    calls = []
    original = gateway.payment_intent_retrieve

    def counting(intent_id):
        calls.append(intent_id)
        return original(intent_id)

    monkeypatch.setattr(gateway, "payment_intent_retrieve", counting)
    return calls


@pytest.mark.parametrize(
    "signature",
    [None, "", "t=1,v1=deadbeef", "garbage", "wrong-secret", "too-old"],
)
def test_a_bad_or_missing_signature_is_400_and_stores_nothing(client, stripe_on, signature):
    body = event_body("evt_bad", "payment_intent.succeeded", {"id": "pi_x"})
    if signature == "wrong-secret":
        signature = sign(body, secret="whsec_other")
    elif signature == "too-old":
        signature = sign(body, at=int(time.time()) - 3600)
    response = deliver(client, body, signature)
    assert response.status_code == 400
    assert response.content == b""
    assert not StripeEvent.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="stripe_event").exists()


@pytest.mark.django_db(transaction=True)  # no test transaction around it, as in production
def test_the_request_stores_the_event_in_one_statement(
    client, stripe_on, monkeypatch, django_assert_num_queries
):
    woken = []
    monkeypatch.setattr(webhooks, "_wake", lambda: woken.append(True))
    body = event_body("evt_one", "payment_intent.succeeded", {"id": "pi_x"})
    with django_assert_num_queries(1):  # the INSERT, committed on its own
        assert deliver(client, body, sign(body)).status_code == 200
    assert woken == [True]
    with django_assert_num_queries(1):  # a replay: the same INSERT, refused by the unique id
        assert deliver(client, body, sign(body)).status_code == 200
    assert woken == [True]  # a replay wakes nothing
    event = StripeEvent.objects.get()
    assert (event.stripe_id, event.status) == ("evt_one", StripeEventStatus.RECEIVED)
    assert not AuditLog.objects.exists()  # its audit row comes with its processing


def test_without_a_webhook_secret_every_delivery_is_refused(client, stripe_on, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = event_body("evt_1", "payment_intent.succeeded", {"id": "pi_x"})
    assert deliver(client, body, sign(body)).status_code == 400
    assert not StripeEvent.objects.exists()


def test_the_same_event_three_times_is_processed_once(
    client, paid_intent, reads, django_capture_on_commit_callbacks
):
    body = event_body("evt_three", "payment_intent.succeeded",
                      {"id": paid_intent.stripe_payment_intent_id})  # fmt: skip
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, body, sign(body)).status_code == 200
    event = StripeEvent.objects.get()
    assert event.status == StripeEventStatus.PROCESSED
    assert reads == [paid_intent.stripe_payment_intent_id]  # read again once, acted once
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    row = AuditLog.objects.get(action__startswith="stripe_event")  # one row for the event
    assert row.action == "stripe_event.processed" and row.target_id == str(event.pk)
    assert row.data == {"type": "payment_intent.succeeded", "stripe_id": "evt_three",
                        "received_at": event.received_at.isoformat()}  # fmt: skip
    paid_intent.refresh_from_db()
    assert paid_intent.status == PaymentStatus.SUCCEEDED


def test_succeeded_before_processing_ends_succeeded(
    client, paid_intent, django_capture_on_commit_callbacks
):
    intent = {"id": paid_intent.stripe_payment_intent_id, "status": "succeeded"}
    late = {"id": paid_intent.stripe_payment_intent_id, "status": "processing"}
    for event_id, kind, obj in (("evt_a", "payment_intent.succeeded", intent),
                                ("evt_b", "payment_intent.processing", late),
                                ("evt_a", "payment_intent.succeeded", intent)):  # fmt: skip
        body = event_body(event_id, kind, obj)
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, body, sign(body)).status_code == 200
    paid_intent.refresh_from_db()
    assert paid_intent.status == PaymentStatus.SUCCEEDED
    assert StripeEvent.objects.count() == 2
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_the_payload_is_never_trusted_over_stripe(
    client, stripe_on, shared_booking, person_user, django_capture_on_commit_callbacks
):
    """A signed `succeeded` for an intent nobody paid: Stripe says otherwise, nothing moves
    to succeeded."""
    client.force_login(person_user.user)
    answer = client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/").json()
    payment = Payment.objects.get(pk=answer["id"])
    body = event_body("evt_lie", "payment_intent.succeeded",
                      {"id": payment.stripe_payment_intent_id, "status": "succeeded"})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, body, sign(body))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_events_about_nothing_of_ours_are_stored_and_set_aside(
    client, stripe_on, django_capture_on_commit_callbacks
):
    events = (("evt_c", "customer.created", {"id": "cus_1"}),
              ("evt_d", "payment_intent.succeeded", {"id": "pi_unknown"}))  # fmt: skip
    for event_id, kind, obj in events:
        body = event_body(event_id, kind, obj)
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, body, sign(body)).status_code == 200
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"ignored"}


def test_stripe_unreachable_leaves_the_event_for_the_sweep(
    client, paid_intent, settings, django_capture_on_commit_callbacks
):
    from payments.tasks import payments_sweep

    body = event_body("evt_later", "payment_intent.succeeded",
                      {"id": paid_intent.stripe_payment_intent_id})  # fmt: skip
    good_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, body, sign(body)).status_code == 200
    event = StripeEvent.objects.get()
    assert event.status == StripeEventStatus.RECEIVED
    assert event.error.startswith("payment_provider_unavailable")
    settings.STRIPE_API_BASE = good_base
    StripeEvent.objects.filter(pk=event.pk).update(received_at=event.received_at.replace(year=2020))
    payments_sweep()
    event.refresh_from_db()
    assert event.status == StripeEventStatus.PROCESSED
