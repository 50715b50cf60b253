"""A share paid online reaches the platform's webhook subscribers as `payment.succeeded`
(`core.hooks.transition_recorded` → exchange), signed, with ids and statuses only."""

import pytest

from tests.exchange.receiver import Receiver
from tests.exchange.test_webhooks import subscribe
from tests.payments.test_stripe_flows import pay_by_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    found = Receiver().start()
    yield found
    found.stop()


def test_a_share_paid_online_reaches_the_platform_without_the_amount(
    client, admin_user, platform, stripe_on, webhook_inbox, shared_booking,
    person_user, receiver, django_capture_on_commit_callbacks,
):  # fmt: skip
    subscribe(admin_user, platform, receiver, ["payment.succeeded"])
    client.force_login(person_user.user)
    _answer, payment = pay_by_card(
        client, shared_booking, stripe_on, webhook_inbox, django_capture_on_commit_callbacks
    )

    (message,) = receiver.received
    assert message.verified, message.error
    assert message.payload["data"]["payment"] == {
        "id": payment.pk, "purpose": "beneficiary_share", "status": "succeeded",
        "platform_id": platform.pk, "booking_id": shared_booking.pk, "installment_id": None,
    }  # fmt: skip
    assert "7.00" not in message.body.decode() and person_user.last_name not in (
        message.body.decode()
    )
