"""Reads of payments, scoped by their callers."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Sum

from payments.enums import PaymentPurpose, PaymentStatus
from payments.models import Payment

# A payment whose money arrived (a refund, partial or full, is subtracted from it).
MONEY_IN = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)


def paid_online_by_booking(booking_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each person paid of their share online, net of refunds, per booking (one query;
    bookings with nothing paid are absent)."""
    rows = (
        Payment.objects.filter(
            booking_id__in=list(booking_ids),
            purpose=PaymentPurpose.BENEFICIARY_SHARE,
            status__in=MONEY_IN,
        )
        .values("booking_id")
        .annotate(net=Sum(F("amount") - F("amount_refunded")))
    )
    return {row["booking_id"]: row["net"] for row in rows if row["net"]}
