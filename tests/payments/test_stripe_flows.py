"""End to end against localstripe: a share paid by card, refunded when the booking is
cancelled, a declined card, and a loan instalment collected by SEPA direct debit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditLog, Notification
from financing import loans
from financing.enums import PaymentMethod, TransactionKind
from financing.models import Installment, LoanTransaction
from payments import services_sepa
from payments.enums import MandateStatus, PaymentStatus, RefundStatus, StripeEventStatus
from payments.models import Payment, Refund, SepaMandate, StripeEvent
from payments.selectors import paid_online_by_booking
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.payments.conftest import (
    confirm_with_card,
    deliver,
    event_body,
    sign,
    stripe_api,
)

pytestmark = pytest.mark.django_db
D = Decimal


def start_payment(client, booking):
    response = client.post(f"/api/v1/bookings/{booking.pk}/payment/")
    assert response.status_code == 201, response.content
    return response.json()


def pay_by_card(client, booking, localstripe, inbox, capture, number="4242424242424242"):
    answer = start_payment(client, booking)
    payment = Payment.objects.get(pk=answer["id"])
    confirm_with_card(localstripe, payment.stripe_payment_intent_id, number)
    kind = "payment_intent.succeeded" if number == "4242424242424242" else (
        "payment_intent.payment_failed"
    )  # fmt: skip
    body, signature = inbox.wait_for(kind, payment.stripe_payment_intent_id)
    with capture(execute=True):
        assert deliver(client, body, signature).status_code == 200
    payment.refresh_from_db()
    return answer, payment


def test_the_person_pays_their_share_by_card(
    client, stripe_on, webhook_inbox, shared_booking, person_user,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(person_user.user)
    first = start_payment(client, shared_booking)
    assert first["amount"] == "7.00" and first["purpose"] == "beneficiary_share"
    assert first["client_secret"].startswith("pi_") and first["publishable_key"]
    # A second click (or a second tab) reuses the open payment and its intent.
    assert start_payment(client, shared_booking)["id"] == first["id"]
    assert Payment.objects.count() == 1

    answer, payment = pay_by_card(
        client, shared_booking, stripe_on, webhook_inbox, django_capture_on_commit_callbacks
    )
    assert answer["id"] == first["id"]
    assert payment.status == PaymentStatus.SUCCEEDED and payment.succeeded_at is not None
    assert paid_online_by_booking([shared_booking.pk]) == {shared_booking.pk: D("7.00")}
    event = StripeEvent.objects.get(type="payment_intent.succeeded")
    assert event.status == StripeEventStatus.PROCESSED
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"payment.created", "payment.succeeded", "stripe_event.processed"} <= actions

    page = client.get("/mes-rendez-vous/").content.decode()
    assert "Payé en ligne : 7,00" in page
    assert "Payer ma part" not in page
    # Nothing left to pay: a new attempt is refused.
    again = client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_pay"


def test_cancelling_a_paid_booking_refunds_the_share(
    client, stripe_on, webhook_inbox, shared_booking, person_user,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from bookings.services import booking_cancel

    client.force_login(person_user.user)
    _answer, payment = pay_by_card(
        client, shared_booking, stripe_on, webhook_inbox, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=person_user.user, booking_id=shared_booking.pk, reason="Malade")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == D("7.00")
    assert refund.stripe_refund_id.startswith("re_")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == D("7.00")
    charge = stripe_api(stripe_on, "GET", f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    assert (
        stripe_api(stripe_on, "GET", f"/v1/charges/{charge['latest_charge']['id']}")[
            "amount_refunded"
        ]
        == 700
    )
    assert paid_online_by_booking([shared_booking.pk]) == {}
    # Stripe's own `charge.refunded` changes nothing more (it is read again, it agrees).
    body = event_body("evt_refund_1", "charge.refunded", {
        "id": charge["latest_charge"]["id"], "object": "charge",
        "payment_intent": payment.stripe_payment_intent_id})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, body, sign(body)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == D("7.00")
    assert StripeEvent.objects.get(stripe_id="evt_refund_1").status == StripeEventStatus.PROCESSED
    assert Refund.objects.count() == 1


def test_a_declined_card_leaves_the_share_to_pay(
    client, stripe_on, webhook_inbox, shared_booking, person_user,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(person_user.user)
    _answer, payment = pay_by_card(
        client, shared_booking, stripe_on, webhook_inbox, django_capture_on_commit_callbacks,
        number="4000000000000341",
    )  # fmt: skip
    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_code == "card_declined"
    assert paid_online_by_booking([shared_booking.pk]) == {}
    page = client.get("/mes-rendez-vous/").content.decode()
    assert "À payer : 7,00" in page and "Payer ma part" in page
    # Trying again makes a new payment for the same amount.
    retry = start_payment(client, shared_booking)
    assert retry["id"] != payment.pk and retry["amount"] == "7.00"


@pytest.fixture
def borrower_loan(platform, adviser, finance_officer):
    from tests.factories import OrganisationFactory

    lender = OrganisationFactory(funder=True, name="Association prêteuse")
    person = BeneficiaryFactory(platform=platform, adviser=adviser, email="emprunteur@example.test")
    loan = loans.loan_create(
        actor=finance_officer, beneficiary_id=person.pk, kind="association_loan",
        lender_id=lender.pk, principal=D("300.00"), annual_rate=D("0"), term_months=3,
        first_due_on=timezone.localdate() - timedelta(days=1), method="declining_balance",
    )  # fmt: skip
    loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to="approved")
    loans.loan_transition(
        actor=finance_officer, loan_id=loan.pk, to="disbursed",
        on=timezone.localdate() - timedelta(days=40),
    )  # fmt: skip
    return loan


def sign_mandate(api_client, client, finance_officer, loan, localstripe, capture, iban):
    api_client.force_authenticate(finance_officer)
    response = api_client.post(f"/api/v1/loans/{loan.pk}/mandate/")
    assert response.status_code == 201, response.content
    secret = response.json()["client_secret"]
    setup_id = secret.split("_secret_")[0]
    # The borrower types their IBAN in the Payment Element (what Stripe.js sends).
    signed = stripe_api(
        localstripe, "POST", f"/v1/setup_intents/{setup_id}/confirm", client_secret=secret,
        **{"payment_method_data[type]": "sepa_debit",
           "payment_method_data[sepa_debit][iban]": iban},
    )  # fmt: skip
    assert signed["status"] == "succeeded"
    body = event_body(f"evt_{setup_id}", "setup_intent.succeeded", {"id": setup_id})
    with capture(execute=True):
        assert deliver(client, body, sign(body)).status_code == 200
    return SepaMandate.objects.get(setup_intent_id=setup_id)


def test_an_instalment_is_collected_by_sepa_debit_into_the_ledger(
    api_client, client, stripe_on, webhook_inbox, borrower_loan, finance_officer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    mandate = sign_mandate(
        api_client, client, finance_officer, borrower_loan, stripe_on,
        django_capture_on_commit_callbacks, "FR1420041010050500013M02606",
    )  # fmt: skip
    assert mandate.status == MandateStatus.ACTIVE and mandate.payment_method_id.startswith("pm_")
    assert Notification.objects.filter(template="payments/mandate_link").exists()

    created = services_sepa.collect_due_installments()
    assert len(created) == 1
    payment = Payment.objects.get(pk=created[0])
    body, signature = webhook_inbox.wait_for(
        "payment_intent.succeeded", payment.stripe_payment_intent_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, body, signature).status_code == 200
        assert deliver(client, body, signature).status_code == 200  # replayed: nothing more
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    entry = LoanTransaction.objects.get(payment=payment)
    assert (entry.kind, entry.amount, entry.method) == (
        TransactionKind.REPAYMENT,
        D("100.00"),
        PaymentMethod.DIRECT_DEBIT,
    )
    first = Installment.objects.get(loan=borrower_loan, number=1)
    assert first.outstanding == 0
    # The daily run again: the instalment is paid, nothing is debited twice.
    assert services_sepa.collect_due_installments() == []
    assert Payment.objects.filter(installment=first).count() == 1


def test_a_failed_debit_leaves_the_instalment_due_and_tells_people(
    api_client, client, stripe_on, webhook_inbox, borrower_loan, finance_officer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    sign_mandate(api_client, client, finance_officer, borrower_loan, stripe_on,
                 django_capture_on_commit_callbacks, "DE62370400440532013001")  # fmt: skip
    (payment_id,) = services_sepa.collect_due_installments()
    payment = Payment.objects.get(pk=payment_id)
    body, signature = webhook_inbox.wait_for(
        "payment_intent.payment_failed", payment.stripe_payment_intent_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, body, signature)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert Installment.objects.get(loan=borrower_loan, number=1).outstanding == D("100.00")
    assert not LoanTransaction.objects.filter(kind=TransactionKind.REPAYMENT, payment__isnull=False)
    templates = set(Notification.objects.values_list("template", flat=True))
    assert {"payments/debit_failed", "payments/debit_failed_staff"} <= templates
    # Not debited again by the next run: the finance officer decides.
    assert services_sepa.collect_due_installments() == []


def test_a_refund_stripe_keeps_refusing_ends_failed_for_the_finance_officer(
    client, stripe_on, settings, shared_booking, finance_officer
):
    from django.urls import reverse

    from payments.tasks import refund_submit

    payment = Payment.objects.create(
        platform=shared_booking.platform, beneficiary=shared_booking.beneficiary,
        booking=shared_booking, purpose="beneficiary_share", amount=D("7.00"),
        status=PaymentStatus.SUCCEEDED, stripe_payment_intent_id="pi_gone",
    )  # fmt: skip
    refund = Refund.objects.create(payment=payment, amount=D("7.00"), reason="booking_ended")
    settings.REFUND_MAX_ATTEMPTS = 3
    for _ in range(2):
        assert refund_submit(refund.pk) == RefundStatus.PENDING  # the sweep sends it again
    assert refund_submit(refund.pk) == RefundStatus.FAILED
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and refund.attempts == 3 and refund.error
    client.force_login(finance_officer)
    page = client.get(reverse("payment_list")).content.decode()
    assert "Remboursements en échec" in page
    assert AuditLog.objects.filter(action="refund.failed").exists()
