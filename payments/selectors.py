"""Reads of payments, scoped by their callers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.need_to_know import DataKind, Mode, platforms_where
from beneficiaries.privacy import export_rows
from core.errors import get_or_not_found
from financing.selectors import beneficiary_shares
from payments import states
from payments.enums import OPEN, PaymentPurpose, PaymentStatus, RefundStatus
from payments.models import Payment, Refund, SepaMandate, StripeEvent

ZERO = Decimal("0.00")
# A payment whose money arrived (a refund, partial or full, is subtracted from it).
MONEY_IN = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)


def _shares_paid_online() -> QuerySet[Payment]:
    """Payments of a person's share whose money arrived (refunds are subtracted from them)."""
    return Payment.objects.filter(purpose=PaymentPurpose.BENEFICIARY_SHARE, status__in=MONEY_IN)


def _net() -> Sum:
    return Sum(F("amount") - F("amount_refunded"))


def paid_online_by_booking(booking_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each person paid of their share online, net of refunds, per booking (one query;
    bookings with nothing paid are absent)."""
    rows = (
        _shares_paid_online()
        .filter(booking_id__in=list(booking_ids))
        .values("booking_id")
        .annotate(net=_net())
    )
    return {row["booking_id"]: row["net"] for row in rows if row["net"]}


def paid_online_of(booking: str = "pk") -> Subquery:
    """The same for one booking, as an expression of a booking query set (`booking` names
    the booking's id in it; null when nothing arrived): the database computes with it."""
    return Subquery(
        _shares_paid_online()
        .filter(booking_id=OuterRef(booking))
        .values("booking_id")
        .annotate(net=_net())
        .values("net")
    )


def left_to_pay(*, booking_id: int, ignore: Payment | None = None) -> Decimal:
    """The person's share of the booking less what they already paid online."""
    share = beneficiary_shares([booking_id]).get(booking_id, ZERO)
    paid = paid_online_by_booking([booking_id]).get(booking_id, ZERO)
    return max(share - paid, ZERO)


@dataclass(frozen=True)
class ShareSummary:
    share: Decimal
    paid: Decimal
    state: str  # none, to_pay, partly_paid, paid
    open_payment_id: int | None

    @property
    def left(self) -> Decimal:
        return max(self.share - self.paid, ZERO)


def share_summaries(booking_ids: Iterable[int]) -> dict[int, ShareSummary]:
    """For each booking with a share to pay: the share, what arrived online and the state
    (one query for the shares, one more for the payments when there is a share at all)."""
    shares = beneficiary_shares(list(booking_ids))
    if not shares:
        return {}
    rows = (
        Payment.objects.filter(
            booking_id__in=list(shares), purpose=PaymentPurpose.BENEFICIARY_SHARE
        )
        .values("booking_id")
        .annotate(
            net=Sum(F("amount") - F("amount_refunded"), filter=Q(status__in=MONEY_IN)),
            open_id=Max("pk", filter=Q(status__in=OPEN)),
        )
    )
    paid = {row["booking_id"]: (row["net"] or ZERO, row["open_id"]) for row in rows}
    answer = {}
    for booking_id, share in shares.items():
        net, open_id = paid.get(booking_id, (ZERO, None))
        answer[booking_id] = ShareSummary(
            share=share, paid=net, state=states.share_state(share=share, paid=net),
            open_payment_id=open_id,
        )  # fmt: skip
    return answer


# --- Finance officers --------------------------------------------------------------------------


def payment_list_for(*, user) -> QuerySet[Payment]:
    return Payment.objects.filter(
        platform_id__in=platforms_where(user, DataKind.PAYMENTS)
    ).select_related("beneficiary", "booking", "installment__loan")


def payment_get_for(*, user, payment_id: int) -> Payment:
    return get_or_not_found(
        payment_list_for(user=user).prefetch_related("refunds"), payment_id, "Paiement introuvable."
    )


def payment_list_filtered(
    *,
    user,
    status: str = "",
    purpose: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    person: str = "",
) -> QuerySet[Payment]:
    """The finance officers' list (page, API and exports): filters by status, purpose, day of
    creation (local dates, inclusive) and person (name)."""
    payments = payment_list_for(user=user)
    if status:
        payments = payments.filter(status=status)
    if purpose:
        payments = payments.filter(purpose=purpose)
    if date_from:
        payments = payments.filter(created_at__date__gte=date_from)
    if date_to:
        payments = payments.filter(created_at__date__lte=date_to)
    for word in person.split():
        payments = payments.filter(
            Q(beneficiary__last_name__icontains=word) | Q(beneficiary__first_name__icontains=word)
        )
    return payments.order_by("-created_at", "-pk")


def totals_per_day(payments: QuerySet[Payment]) -> list[dict]:
    """Per local day: the number of payments, what arrived (succeeded, net of refunds) and
    what was refunded."""
    rows = (
        payments.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            count=Count("pk"),
            received=Sum("amount", filter=Q(status__in=MONEY_IN), default=ZERO),
            refunded=Sum("amount_refunded", default=ZERO),
        )
        .order_by("-day")
    )
    return [{**row, "net": row["received"] - row["refunded"]} for row in rows]


def stuck_payments(*, user, now=None) -> QuerySet[Payment]:
    """Open for longer than PAYMENT_STUCK_MINUTES, or failed: what needs a look."""
    limit = (now or timezone.now()) - timedelta(minutes=settings.PAYMENT_STUCK_MINUTES)
    return payment_list_for(user=user).filter(
        Q(status__in=OPEN, created_at__lt=limit) | Q(status=PaymentStatus.FAILED)
    )


def failed_refunds(*, user) -> QuerySet[Refund]:
    return Refund.objects.filter(
        status=RefundStatus.FAILED,
        payment__platform_id__in=platforms_where(user, DataKind.PAYMENTS),
    ).select_related("payment__beneficiary")


def events_to_retry(*, older_than_minutes: int = 5) -> QuerySet[StripeEvent]:
    limit = timezone.now() - timedelta(minutes=older_than_minutes)
    return StripeEvent.objects.filter(status="received", received_at__lt=limit)


def mandate_list_for(*, user, loan_id: int) -> QuerySet[SepaMandate]:
    return SepaMandate.objects.filter(
        loan_id=loan_id,
        loan__platform_id__in=platforms_where(user, DataKind.PAYMENTS, Mode.READ),
    )


def active_mandate(*, loan_id: int) -> SepaMandate | None:
    return SepaMandate.objects.filter(loan_id=loan_id, status="active").first()


def payments_export_rows(*, beneficiary_id: int) -> list[dict]:
    """A person's online payments and their refunds, for their data export."""
    payments = (
        Payment.objects.filter(beneficiary_id=beneficiary_id)
        .annotate(booking_reference=F("booking__reference"))
        .prefetch_related("refunds")
        .order_by("created_at", "pk")
    )
    rows = []
    for payment in payments:
        (row,) = export_rows([payment], "purpose", "booking_reference", "amount",
                             "amount_refunded", "status", "method", "created_at",
                             "succeeded_at")  # fmt: skip
        row["refunds"] = export_rows(
            sorted(payment.refunds.all(), key=lambda r: r.pk), "amount", "reason", "note",
            "status", "created_at",
        )  # fmt: skip
        rows.append(row)
    return rows
