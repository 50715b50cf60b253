"""Outgoing webhooks end to end: a booking or a referral moves, the delivery is written in
the same transaction, sent after commit, signed, and verified by a receiver on 127.0.0.1
with the `standardwebhooks` package; failures back off exponentially, a subscription is
disabled after repeated failures, re-enabled and re-sent from its page's services."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beneficiaries.services import referral_accept
from bookings.services import booking_cancel, booking_confirm, booking_create
from exchange import delivery as sending
from exchange import services
from exchange.enums import DeliveryStatus
from exchange.models import WebhookDelivery
from exchange.selectors import subscribers_by_event
from exchange.tasks import sweep_webhook_deliveries
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.bookings.conftest import make_slot
from tests.exchange.receiver import Receiver
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 10


@pytest.fixture
def receiver():
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture
def service(partner_org, platform):
    garage = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=garage, platform=platform)
    return ServiceFactory(partner=garage, name="Vidange", min_notice_hours=0)


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Léa",
                              last_name="Martin", phone="+33600000001")  # fmt: skip


def subscribe(actor, organisation, receiver, events):
    subscription = services.subscription_create(
        actor=actor, organisation_id=organisation.pk, url=receiver.url, events=events
    )
    receiver.secret = subscription.secret
    return subscription


def book(adviser, person, service, capture, day: int = 3):
    with capture(execute=True):
        return booking_create(actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
                              slot_ids=[make_slot(service, day).pk])  # fmt: skip


def test_a_confirmed_booking_reaches_the_partner_signed(
    partner_manager, partner_org, adviser, person, service, receiver,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    subscription = subscribe(partner_manager, partner_org, receiver, ["booking.confirmed"])
    booking = book(adviser, person, service, django_capture_on_commit_callbacks)
    assert receiver.received == []  # requested: the partner did not subscribe to it

    with django_capture_on_commit_callbacks(execute=True):
        booking_confirm(actor=partner_manager, booking_id=booking.pk)

    (message,) = receiver.received
    assert message.verified, message.error
    assert message.payload["type"] == "booking.confirmed"
    assert message.payload["data"]["booking"] == {
        "id": booking.pk, "reference": booking.reference, "status": "confirmed",
        "previous_status": "requested", "platform_id": booking.platform_id,
        "partner_id": service.partner_id, "service_id": service.pk,
        "starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat(),
    }  # fmt: skip
    for secret in ("Léa", "Martin", "+33600000001", "beneficiary"):
        assert secret not in message.body.decode()
    sent = WebhookDelivery.objects.get()
    assert sent.subscription == subscription and sent.webhook_id == message.headers["webhook-id"]
    assert sent.status == DeliveryStatus.SUCCEEDED and sent.attempts == 1
    assert sent.response_code == 204 and sent.duration_ms is not None and sent.delivered_at


def test_the_platform_hears_requests_and_cancellations(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["booking.requested", "booking.cancelled"])
    booking = book(adviser, person, service, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=adviser, booking_id=booking.pk, reason="Plus besoin")
    assert [m.payload["type"] for m in receiver.received] == [
        "booking.requested", "booking.cancelled",
    ]  # fmt: skip
    assert all(m.verified for m in receiver.received)
    assert "Plus besoin" not in receiver.received[1].body.decode()


def test_other_organisations_hear_nothing(
    admin_user, other_platform, adviser, person, service, receiver,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from tests.factories import member

    stranger = member("admin", other_platform)
    subscribe(stranger, other_platform, receiver, ["booking.requested"])
    book(adviser, person, service, django_capture_on_commit_callbacks)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_referral_answer_reaches_the_platform_and_the_prescriber(
    admin_user, platform, prescriber_org, adviser, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["referral.answered"])
    # The platform's admin manages the prescriber organisation it onboarded.
    services.subscription_create(actor=admin_user, organisation_id=prescriber_org.pk,
                                 url=receiver.url, events=["referral.answered"])  # fmt: skip
    referral = ReferralFactory(prescriber_organisation=prescriber_org)
    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(actor=adviser, referral_id=referral.pk, create_anyway=True)
    assert len(receiver.received) == 2
    data = receiver.received[0].payload["data"]["referral"]
    assert data["id"] == referral.pk and data["status"] == "accepted"
    assert data["prescriber_organisation_id"] == prescriber_org.pk
    assert "Müller" not in receiver.received[0].body.decode()


def test_a_replayed_message_is_rejected_by_its_timestamp(
    partner_manager, partner_org, adviser, person, service, receiver,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    subscribe(partner_manager, partner_org, receiver, ["booking.confirmed"])
    booking = book(adviser, person, service, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        booking_confirm(actor=partner_manager, booking_id=booking.pk)
    (message,) = receiver.received
    assert message.verified
    assert receiver.replay(message) == 204  # within the tolerance the signature holds
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert receiver.replay(message) == 400
    assert receiver.received[-1].error == "Message timestamp too old"


def test_a_wrong_secret_fails_verification(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["booking.requested"])
    receiver.secret = services.new_secret()  # not the subscription's
    book(adviser, person, service, django_capture_on_commit_callbacks)
    assert receiver.received[0].error == "No matching signature found"
    sent = WebhookDelivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING and sent.response_code == 400


def test_failures_back_off_exponentially_then_give_up(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["booking.requested"])
    receiver.answer = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        book(adviser, person, service, django_capture_on_commit_callbacks)
        sent = WebhookDelivery.objects.get()
        waits = []
        for _attempt in range(3):
            sent.refresh_from_db()
            assert sent.status == DeliveryStatus.PENDING and sent.error == "HTTP 500"
            waits.append((sent.next_attempt_at - timezone.now()).total_seconds())
            assert sweep_webhook_deliveries() == 0  # not due yet
            clock.shift(timedelta(seconds=waits[-1]))
            assert sweep_webhook_deliveries() == 1
        sent.refresh_from_db()
    assert waits == [30, 60, 120]
    assert sent.status == DeliveryStatus.FAILED and sent.attempts == 4
    assert sent.next_attempt_at is None and len(receiver.received) == 4
    assert sent.subscription.consecutive_failures == 4


def test_repeated_failures_disable_then_re_enabling_sends_what_waits(
    admin_user, platform, adviser, person, service, receiver, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    subscription = subscribe(admin_user, platform, receiver, ["booking.requested"])
    receiver.answer = 503
    book(adviser, person, service, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        sweep_webhook_deliveries()
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at
    assert subscription.consecutive_failures == 2
    # Disabled: a new event writes nothing, the sweep sends nothing.
    other = BeneficiaryFactory(platform=platform, adviser=adviser)
    book(adviser, other, service, django_capture_on_commit_callbacks, day=4)
    assert WebhookDelivery.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert sweep_webhook_deliveries() == 0
    receiver.answer = None
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_enable(actor=admin_user, subscription_id=subscription.pk)
    subscription.refresh_from_db()
    assert subscription.active and subscription.consecutive_failures == 0
    sent = WebhookDelivery.objects.get()
    assert sent.status == DeliveryStatus.SUCCEEDED and sent.attempts == 3
    assert receiver.received[-1].verified


def test_a_delivery_is_re_sent_with_its_message_id(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(admin_user, platform, receiver, ["booking.requested"])
    book(adviser, person, service, django_capture_on_commit_callbacks)
    first = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_resend(actor=admin_user, subscription_id=subscription.pk,
                                         delivery_id=first.pk)  # fmt: skip
    again.refresh_from_db()
    assert again.pk != first.pk and again.resent_from == first
    assert again.status == DeliveryStatus.SUCCEEDED
    assert [m.headers["webhook-id"] for m in receiver.received] == [first.webhook_id] * 2
    assert receiver.received[0].body == receiver.received[1].body


def test_a_task_run_twice_sends_once(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["booking.requested"])
    book(adviser, person, service, django_capture_on_commit_callbacks)
    sent = WebhookDelivery.objects.get()
    assert sending.deliver(delivery_id=sent.pk) is None
    assert len(receiver.received) == 1


def test_redirects_are_not_followed(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["booking.requested"])
    receiver.answer = 302
    book(adviser, person, service, django_capture_on_commit_callbacks)
    sent = WebhookDelivery.objects.get()
    assert sent.response_code == 302 and sent.status == DeliveryStatus.PENDING
    assert len(receiver.received) == 1


def test_an_unreachable_endpoint_is_a_failed_attempt(
    admin_user, platform, adviser, person, service, receiver, django_capture_on_commit_callbacks
):
    subscribe(admin_user, platform, receiver, ["booking.requested"])
    receiver.stop()
    book(adviser, person, service, django_capture_on_commit_callbacks)
    sent = WebhookDelivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING and sent.response_code is None
    assert "Error" in sent.error
    receiver.start()  # for the fixture's teardown


def test_nobody_listening_costs_no_query_once_known(platform):
    subscribers_by_event()  # the first change after a subscription write reads them once
    with CaptureQueriesContext(connection) as queries:
        assert services.webhook_emit(event_type="booking.requested",
                                     organisation_ids={platform.pk}, data={}) == []  # fmt: skip
    assert len(queries) == 0


def test_unknown_events_are_a_programming_error(platform):
    with pytest.raises(ValueError):
        services.webhook_emit(event_type="booking.teleported", organisation_ids=[1], data={})
