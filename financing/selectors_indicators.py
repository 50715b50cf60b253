"""Aggregated reads of money for reporting: grant envelopes, loans, and what people paid
themselves. Scope: `platform_ids` (None: the whole network) or, for a funder,
`funder_ids`; period `[start, end]` of local dates. One query per function."""

from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from beneficiaries.selectors_indicators import period_bounds
from bookings.enums import BookingStatus
from financing.enums import AwardStatus, LineKind, LoanStatus, TransactionKind
from financing.models import (
    FinancingLine,
    FundingProgramme,
    GrantAward,
    Installment,
    Loan,
    LoanTransaction,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
OUTSTANDING = [LoanStatus.DISBURSED, LoanStatus.DEFAULTED]
DEFAULTED = [LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF]
GRANTED = [AwardStatus.APPROVED, AwardStatus.PAID]


def _platforms(queryset, platform_ids, field="platform_id"):
    return queryset if platform_ids is None else queryset.filter(**{f"{field}__in": platform_ids})


def programme_rows(*, platform_ids=None, funder_ids=None, start: date, end: date) -> list[dict]:
    """Each envelope (open during the period): budget, committed and paid now, and the
    grants approved or paid for bookings of the period — with the number of people they
    helped."""
    since, until = period_bounds(start, end)
    programmes = _platforms(FundingProgramme.objects.all(), platform_ids)
    if funder_ids is not None:
        programmes = programmes.filter(funder_id__in=funder_ids)
    in_period = Q(awards__status__in=GRANTED, awards__created_at__gte=since,
                  awards__created_at__lt=until)  # fmt: skip
    return list(
        programmes.filter(starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values(
            "pk", "name", "funder__name", "budget", "committed", "paid", "starts_on", "ends_on"
        )  # fmt: skip
        .annotate(
            granted=Coalesce(Sum("awards__amount", filter=in_period), ZERO),
            award_count=Count("awards", filter=in_period),
            people_count=Count("awards__beneficiary", filter=in_period, distinct=True),
        )
        .order_by("name", "pk")
    )


def funded_beneficiary_ids(*, funder_ids, start: date, end: date):
    """The people a funder's grants helped in the period (a subquery, never read here)."""
    since, until = period_bounds(start, end)
    awards = GrantAward.objects.filter(status__in=GRANTED, created_at__gte=since,
                                       created_at__lt=until)  # fmt: skip
    if funder_ids is not None:
        awards = awards.filter(programme__funder_id__in=funder_ids)
    return awards.values("beneficiary_id")


def loan_figures(*, platform_ids, start: date, end: date) -> dict:
    """Outstanding principal (disbursed or defaulted loans), the part of loans more than 30
    days late (PAR30's numerator), defaults, and the loans disbursed in the period."""
    paid = Subquery(
        Installment.objects.filter(loan=OuterRef("pk"))
        .order_by()
        .values("loan")
        .annotate(v=Sum("principal_paid"))
        .values("v"),
        output_field=MONEY,
    )
    outstanding = Q(status__in=OUTSTANDING)
    disbursed = Q(disbursed_on__gte=start, disbursed_on__lte=end)
    return (
        _platforms(Loan.objects.all(), platform_ids)
        .annotate(balance=F("principal") - Coalesce(paid, ZERO))
        .aggregate(
            loans_outstanding=Count("pk", filter=outstanding),
            outstanding=Coalesce(Sum("balance", filter=outstanding), ZERO),
            at_risk_30=Coalesce(
                Sum("balance", filter=outstanding & Q(days_past_due__gt=30)), ZERO
            ),  # fmt: skip
            defaults=Count("pk", filter=Q(status__in=DEFAULTED)),
            defaulted_balance=Coalesce(Sum("balance", filter=Q(status__in=DEFAULTED)), ZERO),
            disbursed=Count("pk", filter=disbursed),
            disbursed_amount=Coalesce(Sum("principal", filter=disbursed), ZERO),
        )
    )


def month_number(field: str):
    """year × 100 + month of a date or (local) date-time: the same type on both sides of a
    UNION, on both databases."""
    return ExtractYear(field) * 100 + ExtractMonth(field)


def paid_by_people_by_month(*, platform_ids, start: date, end: date) -> list[dict]:
    """Month (`yyyymm`) → what people paid themselves, as `source`: `share`, their own
    share (the `beneficiary` lines of the financing plans) of the bookings completed that
    started that month; `repayment`, loan repayments received (value date) less those
    reversed since. One query (a UNION)."""
    since, until = period_bounds(start, end)
    lines = FinancingLine.objects.filter(
        kind=LineKind.BENEFICIARY, plan__booking__status=BookingStatus.COMPLETED,
        plan__booking__starts_at__gte=since, plan__booking__starts_at__lt=until,
    )  # fmt: skip
    lines = _platforms(lines, platform_ids, "plan__booking__platform_id")
    entries = LoanTransaction.objects.filter(
        kind=TransactionKind.REPAYMENT, reversed_by__isnull=True,
        value_date__gte=start, value_date__lte=end,
    )  # fmt: skip
    entries = _platforms(entries, platform_ids, "loan__platform_id")
    share = (
        lines.annotate(month=month_number("plan__booking__starts_at"))
        .values("month")
        .annotate(amount=Sum("amount"), source=Value("share"))
        .order_by()
    )
    repaid = (
        entries.annotate(month=month_number("value_date"))
        .values("month")
        .annotate(amount=Sum("amount"), source=Value("repayment"))
        .order_by()
    )
    return list(share.union(repaid, all=True))
