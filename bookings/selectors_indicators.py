"""Aggregated reads of bookings for reporting. Scope: `platform_ids` (None: the whole
network), optionally `adviser_id` (bookings of an adviser's people) or `beneficiary_ids`;
period: bookings starting in `[start, end]` (local dates). Three queries in all."""

from datetime import date

from django.db.models import Count, DecimalField, DurationField, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from beneficiaries.selectors_indicators import period_bounds
from bookings.enums import BookingStatus
from bookings.models import Booking
from core.aggregates import Median

SAVING = F("market_total") - F("total_price")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def bookings_in(*, platform_ids, start: date, end: date, adviser_id=None, beneficiary_ids=None):
    since, until = period_bounds(start, end)
    bookings = Booking.objects.filter(starts_at__gte=since, starts_at__lt=until)
    if platform_ids is not None:
        bookings = bookings.filter(platform_id__in=platform_ids)
    if adviser_id is not None:
        bookings = bookings.filter(beneficiary__adviser_id=adviser_id)
    if beneficiary_ids is not None:
        bookings = bookings.filter(beneficiary_id__in=beneficiary_ids)
    return bookings


def booking_figures(**scope) -> dict:
    """Counts by status, what completed bookings cost and saved, the partners' median time
    to answer (confirmed or declined) and the median lead time (request to start)."""
    completed = Q(status=BookingStatus.COMPLETED)
    by_status = {status: Count("pk", filter=Q(status=status)) for status in BookingStatus.values}
    answered_at = Coalesce("confirmed_at", "declined_at")
    return bookings_in(**scope).aggregate(
        total=Count("pk"),
        market_total=Coalesce(Sum("market_total", filter=completed), 0, output_field=MONEY),
        solidarity_total=Coalesce(Sum("total_price", filter=completed), 0, output_field=MONEY),
        median_answer=Median(
            answered_at - F("created_at"),
            filter=Q(confirmed_at__isnull=False) | Q(declined_at__isnull=False),
            output_field=DurationField(),
        ),
        median_lead=Median(F("starts_at") - F("created_at"), output_field=DurationField()),
        **by_status,
    )


def bookings_by_category_partner_status(**scope) -> list[dict]:
    """(category, partner, status, month) → bookings, and the saving of the completed ones
    (the reporting app sums them by category, by partner, by month)."""
    return list(
        bookings_in(**scope)
        .annotate(month=TruncMonth("starts_at"))
        .values("service__category", "service__partner__organisation__name", "status", "month")
        .annotate(
            count=Count("pk"),
            saving=Coalesce(
                Sum(SAVING, filter=Q(status=BookingStatus.COMPLETED)), 0, output_field=MONEY
            ),
        )
        .order_by()
    )
