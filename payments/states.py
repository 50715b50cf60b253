"""What a Stripe object's state means for our rows (pure: no database, no Stripe).

Every webhook and every "sync" re-reads the PaymentIntent from Stripe, then folds what it
read into the payment with `next_status`: Stripe's present state is the truth, but our rows
only move forward along `PAYMENT_TRANSITIONS`, so that deliveries in any order and any number
of times end in the same place.
"""

from decimal import Decimal

from payments.enums import PAYMENT_TRANSITIONS, PaymentStatus

# PaymentIntent.status → ours. `requires_payment_method` is failed when Stripe says the last
# attempt failed (a declined card), otherwise the person has not paid yet.
INTENT_STATUS = {
    "requires_payment_method": PaymentStatus.PENDING,
    "requires_confirmation": PaymentStatus.PENDING,
    "requires_action": PaymentStatus.PENDING,
    "requires_capture": PaymentStatus.PENDING,
    "processing": PaymentStatus.PENDING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELLED,
}


def observed_status(intent_status: str, *, failed: bool, amount: Decimal, refunded: Decimal) -> str:
    """Our status for what Stripe shows: the intent's status, whether its last attempt
    failed, and how much of the amount came back."""
    status = INTENT_STATUS.get(intent_status, PaymentStatus.PENDING)
    if intent_status == "requires_payment_method" and failed:
        return PaymentStatus.FAILED
    if status == PaymentStatus.SUCCEEDED and amount > 0 and refunded >= amount:
        return PaymentStatus.REFUNDED
    return status


def next_status(current: str, observed: str) -> str | None:
    """The status to move to, or None to stay: no move backwards (a late `processing` never
    undoes `succeeded`), none out of a final status, none to the same status. A refund
    observed on a payment we had not seen succeed passes through succeeded."""
    if observed == current:
        return None
    if observed in PAYMENT_TRANSITIONS.get(current, ()):
        return observed
    if observed == PaymentStatus.REFUNDED and PaymentStatus.SUCCEEDED in PAYMENT_TRANSITIONS.get(
        current, ()
    ):
        return PaymentStatus.REFUNDED
    return None


def refundable(amount: Decimal, refunded: Decimal, pending: Decimal) -> Decimal:
    """What may still be refunded: the amount less what came back and what is on its way."""
    left = amount - refunded - pending
    return left if left > 0 else Decimal("0.00")


def share_state(*, share: Decimal, paid: Decimal) -> str:
    """How far the person's share is paid online: « none » (nothing to pay), « to_pay »,
    « partly_paid » or « paid »."""
    if share <= 0:
        return "none"
    if paid >= share:
        return "paid"
    return "partly_paid" if paid > 0 else "to_pay"
