"""Writes of payments: the person's share (one open PaymentIntent per booking), folding what
Stripe says into our rows (`payment_sync`), refunds (on a booking that ends, and by hand).

Stripe is never called inside a transaction that holds a lock: a service writes its row and
commits, calls the gateway (with the idempotency key of that row), then writes what Stripe
answered in a second short transaction."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.need_to_know import DataKind, Mode, may
from bookings.enums import HOLDING
from bookings.models import Booking
from bookings.permissions import role_of
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError
from core.transitions import record_transition
from payments import gateway, states
from payments.enums import OPEN, PaymentPurpose, PaymentStatus, RefundReason, RefundStatus
from payments.models import Payment, Refund
from payments.selectors import left_to_pay

ZERO = Decimal("0.00")


# --- The person's share ------------------------------------------------------------------------


def _may_pay_for(actor, booking: Booking) -> bool:
    if not may(actor, DataKind.SHARE_PAYMENT, Mode.WRITE):
        return False
    if booking.beneficiary.user_id is not None and booking.beneficiary.user_id == actor.pk:
        return True
    return may(actor, DataKind.SHARE_PAYMENT, Mode.WRITE, organisation=booking.platform_id) and (
        role_of(actor, booking) is not None
    )


@transaction.atomic
def _open_share_payment(*, actor, booking_id: int) -> Payment:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("beneficiary")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or not _may_pay_for(actor, booking):
        raise NotFoundError(_("Réservation introuvable."))
    if booking.status not in HOLDING:
        raise ConflictError(
            _("Ce rendez-vous n'est plus en cours : il n'y a rien à payer."),
            code=ErrorCode.NOTHING_TO_PAY,
        )
    open_payment = Payment.objects.filter(booking=booking, status__in=OPEN).first()
    due = left_to_pay(booking_id=booking.pk, ignore=open_payment)
    if open_payment is not None and open_payment.amount == due:
        return open_payment  # a second click, a second tab
    if open_payment is not None:  # the plan changed since: this intent is for another amount
        _cancel_open(open_payment, actor=actor)
    if due <= 0:
        raise ConflictError(_("Il ne reste rien à payer."), code=ErrorCode.NOTHING_TO_PAY)
    payment = Payment.objects.create(
        platform_id=booking.platform_id,
        beneficiary_id=booking.beneficiary_id,
        booking=booking,
        purpose=PaymentPurpose.BENEFICIARY_SHARE,
        amount=due,
        created_by=actor,
    )
    audit_log(actor=actor, action="payment.created", target=payment, data={"amount": str(due)})
    return payment


def _cancel_open(payment: Payment, *, actor) -> None:
    """Mark an open payment cancelled (its intent is cancelled at Stripe after commit)."""
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.CANCELLED, updated_at=timezone.now()
    )
    record_transition(
        payment, actor=actor, name="payment", from_status=payment.status,
        to=PaymentStatus.CANCELLED, data={"why": "amount changed"},
    )  # fmt: skip
    if payment.stripe_payment_intent_id:
        intent_id, pk = payment.stripe_payment_intent_id, payment.pk

        def cancel():
            from payments.tasks import payment_intent_cancel

            payment_intent_cancel.delay(pk, intent_id)

        transaction.on_commit(cancel, robust=True)


def share_payment_start(*, actor, booking_id: int) -> Payment:
    """The payment of the person's share of a booking, with a PaymentIntent to confirm in the
    browser: the open one when there is one (same amount), otherwise a new one."""
    booking = Booking.objects.select_related("beneficiary").filter(pk=booking_id).first()
    if booking is None or not _may_pay_for(actor, booking):
        raise NotFoundError(_("Réservation introuvable."))
    if not gateway.enabled():
        raise gateway.disabled_error()
    payment = _open_share_payment(actor=actor, booking_id=booking_id)
    if payment.stripe_payment_intent_id:
        return payment
    intent = gateway.payment_intent_create(
        payment_id=payment.pk,
        amount=payment.amount,
        methods=list(settings.STRIPE_SHARE_METHODS),
        metadata={"booking": str(booking_id), "purpose": payment.purpose},
    )
    return _attach_intent(payment, intent, actor=actor)


def _attach_intent(payment: Payment, intent: gateway.Intent, *, actor) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.stripe_payment_intent_id:
            payment.stripe_payment_intent_id = intent.id
            payment.client_secret = intent.client_secret
            payment.method = intent.method
            payment.save(
                update_fields=["stripe_payment_intent_id", "client_secret", "method", "updated_at"]
            )
        _fold(payment, intent, actor=actor)
    return payment


# --- What Stripe says --------------------------------------------------------------------------


def _fold(payment: Payment, intent: gateway.Intent, *, actor) -> bool:
    """Write what a fresh read of the intent says into the locked payment. Returns whether it
    moved. A succeeded instalment becomes a ledger entry (once: the payment holds it)."""
    refunded = min(max(intent.amount_refunded, payment.amount_refunded), payment.amount)
    observed = states.observed_status(
        intent.status,
        failed=bool(intent.failure_code or intent.failure_message),
        amount=payment.amount,
        refunded=refunded,
    )
    to = states.next_status(payment.status, observed)
    changed = ["synced_at", "updated_at"]
    payment.synced_at = timezone.now()
    if refunded != payment.amount_refunded:
        payment.amount_refunded = refunded
        changed.append("amount_refunded")
    if observed == PaymentStatus.FAILED and intent.failure_code != payment.failure_code:
        payment.failure_code = intent.failure_code[:100]
        payment.failure_message = intent.failure_message
        changed += ["failure_code", "failure_message"]
    from_status = payment.status
    if to is not None:
        if to in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED) and not payment.succeeded_at:
            payment.succeeded_at = timezone.now()
            changed.append("succeeded_at")
        payment.status = to
        changed.append("status")
    payment.save(update_fields=changed)
    if to is not None:
        record_transition(
            payment, actor=actor, name="payment", from_status=from_status, to=to,
            data={"amount": str(payment.amount), "intent": intent.id},
        )  # fmt: skip
        _after_move(payment, from_status=from_status, actor=actor)
    return to is not None


def _after_move(payment: Payment, *, from_status: str, actor) -> None:
    from payments import services_sepa

    if payment.purpose == PaymentPurpose.INSTALLMENT:
        services_sepa.installment_payment_moved(payment, from_status=from_status)
    elif payment.status == PaymentStatus.SUCCEEDED and payment.booking_id:
        booking = Booking.objects.only("status").get(pk=payment.booking_id)
        if booking.status not in HOLDING:  # paid after the booking ended: give it back
            refund_request_system(payment=payment)


def payment_sync(*, payment_id: int, actor=None) -> Payment:
    """Re-read the payment's intent from Stripe and fold it in (webhooks, the "sync" button)."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFoundError(_("Paiement introuvable."))
    if not payment.stripe_payment_intent_id:
        return payment
    intent = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id)
    payment = payment_fold(payment_id=payment_id, intent=intent, actor=actor)
    if actor is not None:
        audit_log(actor=actor, action="payment.synced", target=payment, data={})
    return payment


@transaction.atomic
def payment_fold(*, payment_id: int, intent: gateway.Intent, actor=None) -> Payment:
    """Fold a fresh read of the payment's intent into it, under its lock (`payment_sync`,
    and the webhook's batches, which read each intent once for all its events)."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    _fold(payment, intent, actor=actor)
    return payment


def payment_sync_for(*, actor, payment_id: int) -> Payment:
    """The finance officer's « synchroniser avec Stripe »."""
    payment = Payment.objects.filter(pk=payment_id).only("platform_id").first()
    if payment is None or not may(
        actor, DataKind.PAYMENTS, Mode.WRITE, organisation=payment.platform_id
    ):
        raise NotFoundError(_("Paiement introuvable."))
    return payment_sync(payment_id=payment_id, actor=actor)


# --- Refunds -----------------------------------------------------------------------------------


def _pending_refunds(payment: Payment) -> Decimal:
    return sum((r.amount for r in payment.refunds.filter(status=RefundStatus.PENDING)), ZERO)


def _refund_row(payment: Payment, *, amount: Decimal, reason: str, note: str, actor) -> Refund:
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason, note=note[:255], requested_by=actor
    )
    audit_log(
        actor=actor, action="refund.requested", target=payment,
        data={"refund": refund.pk, "amount": str(amount), "reason": reason, "note": note[:255]},
    )  # fmt: skip
    pk = refund.pk

    def submit():
        from payments.tasks import refund_submit

        refund_submit.delay(pk)

    transaction.on_commit(submit, robust=True)
    return refund


def refund_request_system(*, payment: Payment) -> Refund | None:
    """Refund in full what is left of a succeeded payment (the booking ended). Call it inside
    a transaction that holds the payment (or the booking) locked."""
    left = states.refundable(payment.amount, payment.amount_refunded, _pending_refunds(payment))
    if payment.status != PaymentStatus.SUCCEEDED or left <= 0:
        return None
    return _refund_row(payment, amount=left, reason=RefundReason.BOOKING_ENDED, note="", actor=None)


def refunds_for_ended_booking(*, booking) -> list[Refund]:
    """`bookings.hooks.places_released`: the booking was cancelled, declined or expired, in
    this transaction. Its open payments are cancelled, its paid ones refunded in full (the
    Stripe calls run after commit, by a task that retries)."""
    refunds = []
    for payment in Payment.objects.select_for_update().filter(booking_id=booking.pk).order_by("pk"):
        if payment.status in OPEN:
            _cancel_open(payment, actor=None)
        elif payment.status == PaymentStatus.SUCCEEDED:
            refund = refund_request_system(payment=payment)
            if refund is not None:
                refunds.append(refund)
    return refunds


@transaction.atomic
def refund_request(*, actor, payment_id: int, amount: Decimal | None, reason: str) -> Refund:
    """A finance officer's refund, full (no amount) or partial, with a reason."""
    payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None or not may(
        actor, DataKind.PAYMENTS, Mode.WRITE, organisation=payment.platform_id
    ):
        raise NotFoundError(_("Paiement introuvable."))
    if not gateway.enabled():
        raise gateway.disabled_error()
    if payment.status != PaymentStatus.SUCCEEDED:
        raise ConflictError(
            _("Seul un paiement réussi peut être remboursé (celui-ci est « %(status)s »).")
            % {"status": payment.get_status_display()},
            code=ErrorCode.INVALID_TRANSITION,
        )
    if not reason or not reason.strip():
        raise ApplicationError(_("Indiquez le motif du remboursement."), code=ErrorCode.INVALID)
    left = states.refundable(payment.amount, payment.amount_refunded, _pending_refunds(payment))
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise ConflictError(
            _("Le remboursement doit être compris entre 0,01 € et %(left)s €.")
            % {"left": str(left).replace(".", ",")},
            code=ErrorCode.REFUND_TOO_LARGE,
        )
    return _refund_row(
        payment, amount=amount, reason=RefundReason.MANUAL, note=reason.strip(), actor=actor
    )


def refund_submit(*, refund_id: int) -> Refund:
    """Send a pending refund to Stripe (same idempotency key on every attempt), then record
    what came back. Raises the gateway's error for the task to retry."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    payment = refund.payment
    try:
        result = gateway.refund_create(
            refund_id=refund.pk,
            payment_id=payment.pk,
            intent_id=payment.stripe_payment_intent_id,
            amount=refund.amount,
        )
    except ApplicationError as exc:
        Refund.objects.filter(pk=refund.pk).update(
            attempts=refund.attempts + 1, error=exc.message[:255], updated_at=timezone.now()
        )
        raise
    return _refund_done(refund.pk, result)


@transaction.atomic
def _refund_done(refund_id: int, result: gateway.RefundResult) -> Refund:
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    refund.stripe_refund_id = result.id
    refund.attempts += 1
    refund.error = ""
    refund.status = RefundStatus.SUCCEEDED if result.status != "failed" else RefundStatus.FAILED
    refund.save()
    if refund.status == RefundStatus.SUCCEEDED:
        back = min(payment.amount, payment.amount_refunded + refund.amount)
        from_status = payment.status
        payment.amount_refunded = back
        fields = ["amount_refunded", "updated_at"]
        if back >= payment.amount and payment.status == PaymentStatus.SUCCEEDED:
            payment.status = PaymentStatus.REFUNDED
            fields.append("status")
        payment.save(update_fields=fields)
        if payment.status != from_status:
            record_transition(
                payment, actor=None, name="payment", from_status=from_status, to=payment.status
            )
    audit_log(
        actor=None, action=f"refund.{refund.status}", target=payment,
        data={"refund": refund.pk, "amount": str(refund.amount), "stripe": result.id},
    )  # fmt: skip
    return refund


def refund_failed(*, refund_id: int, error: str) -> None:
    """The task gave up: the finance officer sees it among the failed refunds."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != RefundStatus.PENDING:
            return
        refund.status = RefundStatus.FAILED
        refund.error = error[:255]
        refund.save(update_fields=["status", "error", "updated_at"])
        audit_log(
            actor=None, action="refund.failed", target=refund.payment,
            data={"refund": refund.pk, "error": error[:255]},
        )  # fmt: skip


def payment_intent_cancel(*, payment_id: int, intent_id: str) -> None:
    """Cancel at Stripe an intent we no longer use (the booking ended, the amount changed)."""
    try:
        gateway.payment_intent_cancel(payment_id=payment_id, intent_id=intent_id)
    except ConflictError:
        pass  # already succeeded or cancelled there: the next sync or webhook says so
