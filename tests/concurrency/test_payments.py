"""Payments under concurrency, on real PostgreSQL and localstripe.

- 50 deliveries of one Stripe event at the same instant (each thread its own connection,
  each also processing the event as a duplicated task would): one `StripeEvent`, processed
  once, one ledger entry for the debit it reports.
- The daily instalment collection run by many threads at once, then again: each due
  instalment is debited once.
- The control: the guard of the debits (the instalment's lock and the unique open payment)
  removed, concurrent runs debit an instalment more than once — the race can catch it."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from financing import loans
from financing.enums import TransactionKind
from financing.models import Installment, LoanTransaction
from payments import gateway, services_sepa, webhooks
from payments.enums import PaymentPurpose, PaymentStatus, StripeEventStatus
from payments.models import Payment, StripeEvent
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.concurrency.race import race
from tests.factories import OrganisationFactory, member
from tests.payments.conftest import (  # noqa: F401
    event_body,
    localstripe,
    recorded_stripe,
    sign,
    stripe_api,
    stripe_on,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
D = Decimal
WORKERS = 50


@pytest.fixture
def mandated_loan(world, stripe_on):  # noqa: F811
    """A disbursed 300 € loan in three instalments, two of them due, and a signed mandate."""
    officer = member(Role.FINANCE_OFFICER, world.platform)
    lender = OrganisationFactory(funder=True, name="Prêteur course", platform=world.platform)
    person = BeneficiaryFactory(platform=world.platform, adviser=world.adviser)
    today = timezone.localdate()
    loan = loans.loan_create(
        actor=officer, beneficiary_id=person.pk, kind="association_loan", lender_id=lender.pk,
        principal=D("300.00"), annual_rate=D("0"), term_months=3,
        first_due_on=today - timedelta(days=31), method="declining_balance",
    )  # fmt: skip
    loans.loan_transition(actor=officer, loan_id=loan.pk, to="approved")
    loans.loan_transition(actor=officer, loan_id=loan.pk, to="disbursed",
                          on=today - timedelta(days=60))  # fmt: skip
    mandate = services_sepa.mandate_request(actor=officer, loan_id=loan.pk, send=False)
    stripe_api(
        stripe_on, "POST", f"/v1/setup_intents/{mandate.setup_intent_id}/confirm",
        client_secret=mandate.client_secret,
        **{"payment_method_data[type]": "sepa_debit",
           "payment_method_data[sepa_debit][iban]": "FR1420041010050500013M02606"},
    )  # fmt: skip
    services_sepa.mandate_setup_sync(setup_intent_id=mandate.setup_intent_id)
    return loan


def test_fifty_deliveries_of_one_event_make_one_ledger_entry(mandated_loan, stripe_on):  # noqa: F811
    first = Installment.objects.get(loan=mandated_loan, number=1)
    mandate = mandated_loan.mandates.get()
    # A debit sent to Stripe whose success we have not heard of yet.
    payment = Payment.objects.create(
        platform_id=mandated_loan.platform_id, beneficiary_id=mandated_loan.beneficiary_id,
        purpose=PaymentPurpose.INSTALLMENT, installment=first, mandate=mandate,
        amount=first.outstanding, status=PaymentStatus.PENDING,
    )  # fmt: skip
    intent = gateway.payment_intent_create(
        payment_id=payment.pk, amount=payment.amount, methods=["sepa_debit"], metadata={},
        customer=mandate.stripe_customer_id, payment_method=mandate.payment_method_id,
        off_session=True,
    )  # fmt: skip
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=intent.id)
    body = event_body("evt_race_1", "payment_intent.succeeded", {"id": intent.id})
    signature = sign(body)

    def deliver_and_process(_prepared, worker, _round):
        response = Client().post(
            "/payments/stripe/webhook/", data=body, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )  # fmt: skip
        assert response.status_code == 200
        event = StripeEvent.objects.filter(stripe_id="evt_race_1").first()
        return webhooks.event_process(event_id=event.pk) if event else "none"

    outcomes = race(WORKERS, deliver_and_process)
    assert [o.error for o in outcomes if not o.ok] == []
    assert StripeEvent.objects.count() == 1
    assert StripeEvent.objects.get().status == StripeEventStatus.PROCESSED
    assert LoanTransaction.objects.filter(payment__isnull=False).count() == 1
    assert LoanTransaction.objects.filter(kind=TransactionKind.REPAYMENT).count() == 1
    first.refresh_from_db()
    assert first.outstanding == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def _debits_per_installment(loan) -> dict[int, int]:
    return {
        i.number: Payment.objects.filter(installment=i).count()
        for i in Installment.objects.filter(loan=loan).order_by("number")
    }


def test_collection_run_at_once_and_again_debits_each_instalment_once(mandated_loan, monkeypatch):
    sent = []
    original = gateway.payment_intent_create

    def counting(**kwargs):
        sent.append(kwargs["payment_id"])
        return original(**kwargs)

    monkeypatch.setattr(gateway, "payment_intent_create", counting)
    outcomes = race(10, lambda _p, _w, _r: services_sepa.collect_due_installments(), rounds=2)
    assert [o.error for o in outcomes if not o.ok] == []
    assert _debits_per_installment(mandated_loan) == {1: 1, 2: 1, 3: 0}
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 2
    assert services_sepa.collect_due_installments() == []
    entries = LoanTransaction.objects.filter(loan=mandated_loan, kind=TransactionKind.REPAYMENT)
    assert sorted(e.amount for e in entries) == [D("100.00"), D("100.00")]


def test_control_without_the_guard_an_instalment_is_debited_twice(mandated_loan, monkeypatch):
    """The lock and the re-check removed (and the partial unique constraint out of the way by
    numbering attempts per worker): concurrent runs write several debits for one instalment.
    Every run looks before any writes (a barrier holds the window open), so the race shows
    whatever the machine's load."""
    looked = threading.Barrier(WORKERS, timeout=60)

    def unguarded(installment_id, worker):
        installment = Installment.objects.select_related("loan").get(pk=installment_id)
        if Payment.objects.filter(installment=installment).exists():
            return None
        looked.wait()
        return Payment.objects.create(
            platform_id=installment.loan.platform_id,
            beneficiary_id=installment.loan.beneficiary_id,
            purpose=PaymentPurpose.INSTALLMENT, installment=installment, attempt=worker + 1,
            status=PaymentStatus.FAILED, amount=installment.outstanding,
        )  # fmt: skip

    ids = list(services_sepa.due_for_debit(today=timezone.localdate()).values_list("pk", flat=True))
    outcomes = race(WORKERS, lambda _p, worker, _r: [unguarded(i, worker) for i in ids])
    assert [o.error for o in outcomes if not o.ok] == []
    assert _debits_per_installment(mandated_loan) == {1: WORKERS, 2: WORKERS, 3: 0}


def test_batches_run_at_once_process_each_event_once(world, recorded_stripe):  # noqa: F811
    """Many processors claiming batches at the same instant (and single events, as retries
    and the sweep do), over events of 40 payments delivered out of order: every event is
    processed once, with one audit row, and every payment moves once to Stripe's state."""
    import random

    from core.models import AuditLog
    from tests.payments.conftest import pending_payment, store

    rng = random.Random(13)
    truth = {}
    for n in range(40):
        intent = f"pi_race_{n}"
        truth[intent] = rng.choice([("succeeded", False), ("requires_payment_method", True)])
        recorded_stripe.intents[intent] = truth[intent]
        pending_payment(world.platform, intent)
    kinds = ["processing", "payment_failed", "succeeded"]
    deliveries = [(f"evt_race_{n}_{k}", intent, kind) for n, intent in enumerate(truth)
                  for k, kind in enumerate(kinds)]  # fmt: skip
    deliveries += rng.sample(deliveries, 40)  # replays
    rng.shuffle(deliveries)
    for event_id, intent, kind in deliveries:
        store(event_id, f"payment_intent.{kind}", {"id": intent})
    ids = list(StripeEvent.objects.values_list("pk", flat=True))
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"received"}

    def process(_prepared, worker, _round):
        if worker % 4 == 3:  # a retry or the sweep, one event at a time
            return [webhooks.event_process(event_id=i) for i in rng.sample(ids, 15)]
        done = []
        while outcome := webhooks.events_process(limit=7):
            done += outcome.values()
        return done

    outcomes = race(12, process, rounds=2)
    assert [o.error for o in outcomes if not o.ok] == []
    processed = [status for o in outcomes for status in o.value if status == "processed"]
    assert len(processed) == len(ids)  # by the racing processors, each event by one of them
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}
    done = AuditLog.objects.filter(action="stripe_event.processed")
    assert sorted(done.values_list("target_id", flat=True)) == sorted(str(i) for i in ids)
    moves = AuditLog.objects.filter(action__startswith="payment.").values_list(
        "target_id", "action"
    )
    assert len(moves) == len(set(moves)) == 40  # each payment moved once
    for payment in Payment.objects.filter(stripe_payment_intent_id__startswith="pi_race_"):
        status, failed = truth[payment.stripe_payment_intent_id]
        assert payment.status == (PaymentStatus.SUCCEEDED if status == "succeeded" else
                                  PaymentStatus.FAILED)  # fmt: skip
