"""Loan instalments by SEPA direct debit: the borrower's mandate (a Stripe SetupIntent signed
through a link), the daily collection of due instalments off-session, and a succeeded debit
becoming a repayment in the loan's ledger (`financing.loans.entry_record`: its allocation,
replay and arrears, untouched).

Never two debits for one instalment: a debit is a `Payment` row written before Stripe is
called, under a lock on the instalment, with a unique (instalment, attempt) and at most one
open per instalment; Stripe's idempotency key is that row's id. A failed debit leaves the
instalment due and is not retried by the daily run: the finance officer decides."""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Membership
from accounts.need_to_know import DataKind, Mode, may
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ConflictError, NotFoundError
from core.links import invalid_link, read_signed, signed_id, signed_url
from core.notifications import notify
from financing import loans
from financing.enums import LoanStatus, PaymentMethod, TransactionKind
from financing.models import Installment, Loan
from payments import gateway
from payments.enums import MandateStatus, PaymentPurpose, PaymentStatus
from payments.models import Payment, SepaMandate

MANDATE_SALT = "payments.mandate"


# --- The mandate -------------------------------------------------------------------------------


def mandate_url(mandate: SepaMandate) -> str:
    return signed_url("mandate_sign", {"m": mandate.pk}, salt=MANDATE_SALT)


def mandate_from_token(token: str) -> SepaMandate:
    data = read_signed(
        token,
        salt=MANDATE_SALT,
        max_age=timedelta(days=settings.MANDATE_LINK_MAX_AGE_DAYS),
        expired=ConflictError(
            _("Ce lien a expiré. Demandez-en un nouveau à la plateforme."),
            code=ErrorCode.LINK_EXPIRED,
        ),
    )
    mandate = (
        SepaMandate.objects.select_related("loan__beneficiary")
        .filter(pk=signed_id(data, "m"))
        .first()
    )
    if mandate is None:
        raise invalid_link()
    return mandate


def mandate_request(*, actor, loan_id: int, send: bool = True) -> SepaMandate:
    """A new mandate for the loan's borrower: a Stripe customer and a SEPA SetupIntent, and
    (with `send`) the signed link to sign it, by e-mail or SMS."""
    loan = Loan.objects.select_related("beneficiary").filter(pk=loan_id).first()
    if loan is None or not may(actor, DataKind.PAYMENTS, Mode.WRITE, organisation=loan.platform_id):
        raise NotFoundError(_("Prêt introuvable."))
    if not gateway.enabled():
        raise gateway.disabled_error()
    if loan.status not in (LoanStatus.APPROVED, LoanStatus.DISBURSED, LoanStatus.DEFAULTED):
        raise ConflictError(
            _("Un mandat se signe pour un prêt accordé et pas encore remboursé."),
            code=ErrorCode.INVALID_TRANSITION,
        )
    with transaction.atomic():
        mandate = SepaMandate.objects.create(loan=loan, requested_by=actor)
        audit_log(
            actor=actor, action="mandate.requested", target=loan, data={"mandate": mandate.pk}
        )
    person = loan.beneficiary
    customer = gateway.customer_create(
        mandate_id=mandate.pk, name=f"{person.first_name} {person.last_name}", email=person.email
    )
    setup = gateway.setup_intent_create(mandate_id=mandate.pk, customer=customer)
    with transaction.atomic():
        mandate.stripe_customer_id = customer
        mandate.setup_intent_id = setup.id
        mandate.client_secret = setup.client_secret
        mandate.save(
            update_fields=["stripe_customer_id", "setup_intent_id", "client_secret", "updated_at"]
        )
        if send:
            _send_link(mandate)
    return mandate


def _send_link(mandate: SepaMandate) -> None:
    person = mandate.loan.beneficiary
    context = {"first_name": person.first_name, "url": mandate_url(mandate)}
    if person.user_id:
        notify(template="payments/mandate_link", context=context, user=person.user)
    elif person.email:
        notify(template="payments/mandate_link", context=context, recipient=person.email)
    elif person.phone:
        notify(template="payments/mandate_link", context=context, recipient=person.phone,
               channel="sms")  # fmt: skip


def mandate_setup_sync(*, setup_intent_id: str) -> SepaMandate | None:
    """Re-read the SetupIntent; once it succeeded, the mandate is active (the loan's previous
    active mandate, if any, is revoked)."""
    mandate = SepaMandate.objects.filter(setup_intent_id=setup_intent_id).first()
    if mandate is None:
        return None
    setup = gateway.setup_intent_retrieve(setup_intent_id)
    with transaction.atomic():
        mandate = SepaMandate.objects.select_for_update().get(pk=mandate.pk)
        if setup.status != "succeeded" or mandate.status != MandateStatus.PENDING:
            return mandate
        SepaMandate.objects.filter(loan_id=mandate.loan_id, status=MandateStatus.ACTIVE).update(
            status=MandateStatus.INACTIVE, updated_at=timezone.now()
        )
        mandate.status = MandateStatus.ACTIVE
        mandate.payment_method_id = setup.payment_method
        mandate.stripe_mandate_id = setup.mandate
        mandate.iban_last4 = setup.iban_last4
        mandate.activated_at = timezone.now()
        mandate.save()
        audit_log(actor=None, action="mandate.active", target=mandate.loan,
                  data={"mandate": mandate.pk})  # fmt: skip
    return mandate


def mandate_revoked(*, stripe_mandate_id: str, payment_method: str, status: str) -> int:
    """`mandate.updated`: a mandate Stripe no longer holds active is revoked here too."""
    if status == "active":
        return 0
    mandates = SepaMandate.objects.filter(status=MandateStatus.ACTIVE).filter(
        **({"stripe_mandate_id": stripe_mandate_id} if stripe_mandate_id else
           {"payment_method_id": payment_method or "-"})
    )  # fmt: skip
    count = 0
    for mandate in mandates:
        SepaMandate.objects.filter(pk=mandate.pk).update(
            status=MandateStatus.INACTIVE, updated_at=timezone.now()
        )
        audit_log(actor=None, action="mandate.inactive", target=mandate.loan,
                  data={"mandate": mandate.pk, "stripe_status": status})  # fmt: skip
        count += 1
    return count


# --- Collecting due instalments ------------------------------------------------------------------


def due_for_debit(*, today: date):
    """Instalments due by today, not fully paid, of disbursed loans with an active mandate,
    never debited (a failed debit waits for the finance officer)."""
    attempted = Payment.objects.filter(installment=OuterRef("pk")).exclude(
        status=PaymentStatus.CANCELLED
    )
    mandated = SepaMandate.objects.filter(loan=OuterRef("loan"), status=MandateStatus.ACTIVE)
    return (
        Installment.objects.filter(
            due_on__lte=today,
            loan__status__in=[LoanStatus.DISBURSED, LoanStatus.DEFAULTED],
        )
        .filter(Exists(mandated))
        .exclude(Exists(attempted))
        .order_by("loan_id", "number")
    )


def _open_debit(installment_id: int) -> Payment | None:
    """Write the debit of one instalment, once: the loan is locked (before its instalment, in
    the ledger's order: no deadlock with a repayment being recorded), then read again."""
    with transaction.atomic():
        loan_id = Installment.objects.values_list("loan_id", flat=True).get(pk=installment_id)
        list(Loan.objects.select_for_update().filter(pk=loan_id).values_list("pk", flat=True))
        installment = (
            Installment.objects.select_for_update(of=("self",))
            .select_related("loan")
            .get(pk=installment_id)
        )
        if installment.outstanding <= 0:
            return None
        if (
            Payment.objects.filter(installment=installment)
            .exclude(status=PaymentStatus.CANCELLED)
            .exists()
        ):
            return None
        mandate = SepaMandate.objects.filter(
            loan_id=installment.loan_id, status=MandateStatus.ACTIVE
        ).first()
        if mandate is None:
            return None
        attempt = Payment.objects.filter(installment=installment).count() + 1
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    platform_id=installment.loan.platform_id,
                    beneficiary_id=installment.loan.beneficiary_id,
                    purpose=PaymentPurpose.INSTALLMENT,
                    installment=installment,
                    attempt=attempt,
                    mandate=mandate,
                    method="sepa_debit",
                    amount=installment.outstanding,
                )
        except IntegrityError:  # another run wrote it first (SQLite has no row lock)
            return None
        audit_log(actor=None, action="payment.created", target=payment,
                  data={"installment": installment.pk, "amount": str(payment.amount)})  # fmt: skip
    return payment


def collect_due_installments(*, today: date | None = None) -> list[int]:
    """The daily run: write one debit per due instalment, then send each to Stripe. Run twice,
    or twice at once, it debits each instalment once."""
    today = today or timezone.localdate()
    created = []
    for installment_id in list(due_for_debit(today=today).values_list("pk", flat=True)):
        payment = _open_debit(installment_id)
        if payment is not None:
            created.append(payment.pk)
    for payment_id in created:
        debit_submit(payment_id=payment_id)
    return created


def debit_submit(*, payment_id: int) -> Payment:
    """Send one debit to Stripe, off-session, with the mandate's payment method. A timeout
    leaves the payment `created`: the sweep sends it again with the same idempotency key."""
    from payments.services import _attach_intent

    payment = Payment.objects.select_related("mandate").get(pk=payment_id)
    if payment.stripe_payment_intent_id or payment.status != PaymentStatus.CREATED:
        return payment
    try:
        intent = gateway.payment_intent_create(
            payment_id=payment.pk,
            amount=payment.amount,
            methods=["sepa_debit"],
            metadata={"installment": str(payment.installment_id), "purpose": payment.purpose},
            customer=payment.mandate.stripe_customer_id,
            payment_method=payment.mandate.payment_method_id,
            off_session=True,
        )
    except ConflictError as exc:  # refused at once (a bank account that cannot be debited)
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == PaymentStatus.CREATED:
                locked.status = PaymentStatus.FAILED
                locked.failure_code = exc.code
                locked.failure_message = exc.message[:255]
                locked.save(
                    update_fields=["status", "failure_code", "failure_message", "updated_at"]
                )
                audit_log(actor=None, action="payment.failed", target=locked,
                          data={"from": PaymentStatus.CREATED})  # fmt: skip
                installment_payment_moved(locked, from_status=PaymentStatus.CREATED)
        return locked
    return _attach_intent(payment, intent, actor=None)


def installment_payment_moved(payment: Payment, *, from_status: str) -> None:
    """Called in the transaction that moved an instalment's payment: a success is recorded in
    the ledger once (the payment keeps the entry), a failure is told to the borrower and the
    finance officers."""
    if payment.status == PaymentStatus.SUCCEEDED and payment.loan_transaction_id is None:
        installment = Installment.objects.select_related("loan").get(pk=payment.installment_id)
        actor = payment.mandate.requested_by if payment.mandate_id else None
        entry, _allocation = loans.entry_record(
            actor=actor,
            loan_id=installment.loan_id,
            kind=TransactionKind.REPAYMENT,
            amount=payment.amount,
            value_date=timezone.localdate(),
            method=PaymentMethod.DIRECT_DEBIT,
            note=_("Prélèvement SEPA, échéance n° %(n)s") % {"n": installment.number},
        )
        Payment.objects.filter(pk=payment.pk).update(loan_transaction=entry)
        payment.loan_transaction = entry
    elif payment.status == PaymentStatus.FAILED and from_status != PaymentStatus.FAILED:
        _tell_failed_debit(payment)


def _tell_failed_debit(payment: Payment) -> None:
    installment = Installment.objects.select_related("loan__beneficiary").get(
        pk=payment.installment_id
    )
    person = installment.loan.beneficiary
    context = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "amount": f"{payment.amount:.2f}".replace(".", ","),
        "due_on": installment.due_on.strftime("%d/%m/%Y"),
        "number": installment.number,
        "loan_id": installment.loan_id,
    }
    if person.user_id:
        notify(template="payments/debit_failed", context=context, user=person.user)
    elif person.email:
        notify(template="payments/debit_failed", context=context, recipient=person.email)
    officers = Membership.objects.filter(
        organisation_id=installment.loan.platform_id, role=Role.FINANCE_OFFICER, active=True
    ).select_related("user")
    for membership in officers:
        notify(template="payments/debit_failed_staff", context=context, user=membership.user,
               channel="email")  # fmt: skip
