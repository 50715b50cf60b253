"""Partner statements reach subscribers too: their recorded transitions
(`core.hooks.transition_recorded`) become `settlement.*` webhooks, signed, with ids,
statuses and the statement's total, never a person's data (payments: in
tests/payments/test_outgoing_webhooks.py, beside localstripe)."""

from datetime import date

import pytest
from django.utils import timezone

from settlements import services as settlements
from tests.exchange.receiver import Receiver
from tests.exchange.test_webhooks import subscribe
from tests.settlements.conftest import paris, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver():
    found = Receiver().start()
    yield found
    found.stop()


def test_a_statement_issued_then_paid_reaches_the_partner_signed(
    world,  # noqa: F811
    partner_manager,
    partner_org,
    receiver,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    subscribe(partner_manager, partner_org, receiver, ["settlement.issued", "settlement.paid"])
    world.done(2, paris(2026, 11, 10, 12), lines=[{"kind": "platform", "amount": "20.00"}])
    with django_capture_on_commit_callbacks(execute=True):
        draft = settlements.settlement_build(
            actor=world.finance, platform_id=world.platform.pk, partner_id=world.partner.pk,
            period_start=date(2026, 11, 1), period_end=date(2026, 11, 30),
        )  # fmt: skip
    assert receiver.received == []  # a draft is nobody's business yet
    with django_capture_on_commit_callbacks(execute=True):
        settlements.settlement_issue(actor=world.finance, settlement_id=draft.pk)
    with django_capture_on_commit_callbacks(execute=True):
        settlements.settlement_mark_paid(
            actor=world.finance, settlement_id=draft.pk, paid_on=timezone.localdate()
        )

    assert [m.payload["type"] for m in receiver.received] == [
        "settlement.issued", "settlement.paid",
    ]  # fmt: skip
    assert all(m.verified for m in receiver.received)
    paid = receiver.received[1].payload["data"]["settlement"]
    draft.refresh_from_db()
    assert paid == {
        "id": draft.pk, "reference": draft.reference, "status": "paid",
        "platform_id": world.platform.pk, "partner_id": world.partner.pk,
        "period_start": "2026-11-01", "period_end": "2026-11-30", "total": "20.00",
    }  # fmt: skip
    assert world.person.last_name not in receiver.received[1].body.decode()
