"""The webhook's events processed in batches: each intent read once a batch whatever the
replays and the order, an intent that cannot be read or folded holds back only its own
events, and the cache flag that wakes the processing instead of a task per event."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditLog
from payments import services, tasks, webhooks
from payments.enums import PaymentStatus, StripeEventStatus
from payments.models import Payment, StripeEvent
from tests.payments.conftest import pending_payment, store

pytestmark = pytest.mark.django_db

PI = "payment_intent."


@pytest.fixture
def three(platform, recorded_stripe):
    """Three pending payments; Stripe holds one paid, one declined, one not paid yet."""
    recorded_stripe.intents |= {"pi_a": ("succeeded", False),
                                "pi_b": ("requires_payment_method", True),
                                "pi_c": ("requires_payment_method", False)}  # fmt: skip
    return {i: pending_payment(platform, i) for i in ("pi_a", "pi_b", "pi_c")}


def test_a_batch_reads_each_intent_once_whatever_the_replays_and_the_order(three, recorded_stripe):
    deliveries = [
        ("evt_a3", PI + "payment_failed", "pi_a"), ("evt_b1", PI + "processing", "pi_b"),
        ("evt_a1", PI + "succeeded", "pi_a"), ("evt_a2", PI + "processing", "pi_a"),
        ("evt_a1", PI + "succeeded", "pi_a"), ("evt_b2", PI + "payment_failed", "pi_b"),
        ("evt_c1", PI + "processing", "pi_c"), ("evt_b1", PI + "processing", "pi_b"),
        ("evt_x", PI + "succeeded", "pi_not_ours"), ("evt_a1", PI + "succeeded", "pi_a"),
    ]  # fmt: skip
    stored = [store(e, kind, {"id": intent}) for e, kind, intent in deliveries]
    stored.append(store("evt_cus", "customer.created", {"id": "cus_1"}))
    assert sum(1 for s in stored if s is not None) == 8  # the replays stored nothing

    outcome = webhooks.events_process()

    assert sorted(recorded_stripe.reads) == ["pi_a", "pi_b", "pi_c"]  # once each
    by_id = dict(StripeEvent.objects.values_list("stripe_id", "status"))
    assert by_id == {"evt_a1": "processed", "evt_a2": "processed", "evt_a3": "processed",
                     "evt_b1": "processed", "evt_b2": "processed", "evt_c1": "processed",
                     "evt_x": "ignored", "evt_cus": "ignored"}  # fmt: skip
    assert set(outcome.values()) == {"processed", "ignored"} and len(outcome) == 8
    statuses = {p: Payment.objects.get(pk=three[p].pk).status for p in three}
    assert statuses == {"pi_a": PaymentStatus.SUCCEEDED, "pi_b": PaymentStatus.FAILED,
                        "pi_c": PaymentStatus.PENDING}  # fmt: skip
    done = AuditLog.objects.filter(action__in=["stripe_event.processed", "stripe_event.ignored"])
    assert Counter(done.values_list("target_id", flat=True)) == Counter(
        str(pk) for pk in StripeEvent.objects.values_list("pk", flat=True)
    )  # one audit row per event, no more
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="payment.failed").count() == 1
    assert webhooks.events_process() == {}  # nothing left, nothing done twice
    assert len(recorded_stripe.reads) == 3


def test_events_of_one_intent_in_two_batches_end_in_stripes_state(three, recorded_stripe):
    """The late `processing` comes in a later batch than `succeeded`: nothing moves back."""
    store("evt_1", PI + "succeeded", {"id": "pi_a"})
    webhooks.events_process()
    store("evt_2", PI + "processing", {"id": "pi_a"})
    store("evt_1", PI + "succeeded", {"id": "pi_a"})  # a replay after processing
    assert webhooks.events_process() == {StripeEvent.objects.get(stripe_id="evt_2").pk: "processed"}
    three["pi_a"].refresh_from_db()
    assert three["pi_a"].status == PaymentStatus.SUCCEEDED
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1


def test_an_intent_stripe_cannot_read_holds_back_only_its_events(three, recorded_stripe):
    recorded_stripe.down.add("pi_b")
    a = store("evt_a", PI + "succeeded", {"id": "pi_a"})
    b1 = store("evt_b1", PI + "payment_failed", {"id": "pi_b"})
    b2 = store("evt_b2", PI + "processing", {"id": "pi_b"})

    with CaptureQueriesContext(connection) as queries:
        outcome = webhooks.events_process()

    assert outcome == {a.pk: "processed", b1.pk: "received", b2.pk: "received"}
    marks = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith(f'UPDATE "{StripeEvent._meta.db_table}"')]  # fmt: skip
    assert len(marks) == 2  # the processed one, then both errors (the same) in one statement
    for event in (b1, b2):
        event.refresh_from_db()
        assert event.status == StripeEventStatus.RECEIVED
        assert event.error.startswith("payment_provider_unavailable")
    three["pi_a"].refresh_from_db()
    assert three["pi_a"].status == PaymentStatus.SUCCEEDED
    # The next batches leave them to their own retries (with back-off) ...
    assert webhooks.events_process() == {}
    # ... which process them once Stripe answers again.
    recorded_stripe.down.clear()
    assert webhooks.event_process(event_id=b1.pk) == StripeEventStatus.PROCESSED
    assert webhooks.event_process(event_id=b1.pk) == "skipped"
    assert webhooks.event_process(event_id=b2.pk) == StripeEventStatus.PROCESSED
    three["pi_b"].refresh_from_db()
    assert three["pi_b"].status == PaymentStatus.FAILED
    assert AuditLog.objects.filter(action="stripe_event.processed").count() == 3


def test_a_fold_that_breaks_holds_back_only_its_events(three, recorded_stripe, monkeypatch):
    fold = services.payment_fold

    def breaking(*, payment_id, intent, actor=None):
        if intent.id == "pi_b":
            raise RuntimeError("a bug")
        return fold(payment_id=payment_id, intent=intent, actor=actor)

    monkeypatch.setattr(services, "payment_fold", breaking)
    a = store("evt_a", PI + "succeeded", {"id": "pi_a"})
    b = store("evt_b", PI + "payment_failed", {"id": "pi_b"})
    assert webhooks.events_process() == {a.pk: "processed", b.pk: "received"}
    b.refresh_from_db()
    assert b.error == "error: RuntimeError: a bug"
    three["pi_b"].refresh_from_db()
    assert three["pi_b"].status == PaymentStatus.PENDING
    assert not AuditLog.objects.filter(action="payment.failed").exists()


def test_batches_take_the_oldest_events_first_and_at_most_the_limit(three, recorded_stripe):
    events = [store(f"evt_{n}", PI + "processing", {"id": "pi_c"}) for n in range(5)]
    assert list(webhooks.events_process(limit=2)) == [events[0].pk, events[1].pk]
    assert list(webhooks.events_process(limit=2)) == [events[2].pk, events[3].pk]
    assert list(webhooks.events_process(limit=2)) == [events[4].pk]
    assert webhooks.events_process(limit=2) == {}


@pytest.fixture
def one_slot(settings, monkeypatch):
    """One processing slot; the runs the webhook queues are listed instead of sent."""
    settings.STRIPE_EVENT_PROCESSORS = 1
    queued = []
    monkeypatch.setattr(tasks.process_stripe_events, "delay", lambda slot: queued.append(slot))
    return queued


def claims(monkeypatch, *outcomes, meanwhile=None):
    """`events_process` answers these outcomes in turn; `meanwhile[n]()` runs during claim n."""
    calls = []

    def claim():
        calls.append(len(calls))
        if meanwhile and len(calls) - 1 in meanwhile:
            meanwhile[len(calls) - 1]()
        return outcomes[len(calls) - 1]

    monkeypatch.setattr(webhooks, "events_process", claim)
    return calls


def test_the_webhook_queues_one_run_while_one_is_on_its_way(one_slot, monkeypatch):
    tasks.processing_wake()
    tasks.processing_wake()
    assert one_slot == [0]  # the second event rides along with the first run
    calls = claims(monkeypatch, {}, {})
    assert tasks.process_stripe_events(0) == 0
    assert len(calls) == 2  # nothing: the flag cleared, one more claim, nothing: stop
    tasks.processing_wake()
    assert one_slot == [0, 0]


def test_a_run_keeps_its_flag_while_it_finds_events(one_slot, monkeypatch):
    tasks.processing_wake()
    calls = claims(monkeypatch, {1: "processed"}, {2: "processed"}, {}, {},
                   meanwhile={0: tasks.processing_wake, 1: tasks.processing_wake})  # fmt: skip
    assert tasks.process_stripe_events(0) == 2
    assert len(calls) == 4
    assert one_slot == [0]  # the events stored during the run queued nothing more
    tasks.processing_wake()
    assert one_slot == [0, 0]  # the run is over: the next event queues one


def test_an_event_whose_wake_met_the_flag_is_claimed_after_the_clear(one_slot, monkeypatch):
    tasks.processing_wake()
    # Claim 0 finds nothing, yet an event is committed before the flag is cleared: its wake
    # meets the flag and queues nothing. The claim after the clear finds it.
    calls = claims(monkeypatch, {}, {7: "processed"}, {}, {},
                   meanwhile={0: tasks.processing_wake})  # fmt: skip
    assert tasks.process_stripe_events(0) == 1
    assert len(calls) == 4 and one_slot == [0]
    tasks.processing_wake()
    assert one_slot == [0, 0]  # the run took its flag back, then let it go when done


def test_a_run_leaves_the_slot_to_the_run_queued_after_its_clear(one_slot, monkeypatch):
    tasks.processing_wake()
    calls = claims(monkeypatch, {}, {7: "processed"}, meanwhile={1: tasks.processing_wake})
    assert tasks.process_stripe_events(0) == 1
    assert len(calls) == 2  # it stops: the run that event queued goes on
    assert one_slot == [0, 0]


def test_a_run_waits_for_more_events_after_a_small_batch(one_slot, settings, monkeypatch):
    settings.STRIPE_EVENT_BATCH = 2
    settings.STRIPE_EVENT_GATHER_SECONDS = 0.3
    monkeypatch.setattr(tasks, "_eager", lambda: False)  # as under a worker
    naps = []
    monkeypatch.setattr(tasks.time, "sleep", naps.append)
    claims(monkeypatch, {1: "processed", 2: "processed"}, {3: "processed"}, {}, {})
    assert tasks.process_stripe_events(0) == 3
    assert naps == [0.3]  # after the small batch only: a full one is followed at once


def test_a_run_drains_every_new_event_in_batches(three, recorded_stripe, settings, monkeypatch):
    settings.STRIPE_EVENT_BATCH = 2
    monkeypatch.setattr(tasks, "DRAIN_BATCHES", 2)  # then it queues itself again (eager here)
    for n in range(7):
        store(f"evt_{n}", PI + "processing", {"id": f"pi_{'abc'[n % 3]}"})
    batches, wakes = [], []
    claim, wake = webhooks.events_process, tasks.processing_wake
    monkeypatch.setattr(webhooks, "events_process", lambda: batches.append(claim()) or batches[-1])
    monkeypatch.setattr(tasks, "processing_wake", lambda slot: wakes.append(slot) or wake(slot))
    assert tasks.process_stripe_events(0) == 4  # its two batches
    assert [len(b) for b in batches] == [2, 2, 2, 1, 0, 0]  # the last run's clear: two empty
    assert wakes == [0, 0]  # each run that used its batches queued the next
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert AuditLog.objects.filter(action="stripe_event.processed").count() == 7
