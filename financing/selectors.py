"""Reads for finance officers and advisers, scoped to their platforms."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.need_to_know import DataKind, Mode, roles_that
from accounts.scoping import platform_ids
from beneficiaries.privacy import export_rows
from core.errors import get_or_not_found
from core.formatting import cents, percent
from financing.enums import ArrearsBucket, LineKind, LoanStatus
from financing.models import (
    FinancingLine,
    FinancingPlan,
    FundingProgramme,
    GrantAward,
    Installment,
    Loan,
)

ZERO = Decimal("0.00")
OUTSTANDING_STATUSES = [LoanStatus.DISBURSED, LoanStatus.DEFAULTED]
# From the need-to-know table: who runs the money (finance officers, admins), who reads loans
# (advisers too).
FINANCE_ROLES = roles_that(DataKind.PROGRAMMES, Mode.WRITE)
READ_ROLES = roles_that(DataKind.LOANS)


def programme_list_for(*, user) -> QuerySet[FundingProgramme]:
    return FundingProgramme.objects.filter(
        platform_id__in=platform_ids(user, roles=FINANCE_ROLES)
    ).select_related("funder")


def loan_list_for(*, user) -> QuerySet[Loan]:
    return Loan.objects.filter(platform_id__in=platform_ids(user, roles=READ_ROLES)).select_related(
        "beneficiary", "lender", "beneficiary__adviser"
    )


def loan_list_filtered(
    *,
    user,
    status: str = "",
    kind: str = "",
    bucket: str = "",
    beneficiary_id: int | None = None,
    person: str = "",
) -> QuerySet[Loan]:
    """The loans the user may read, narrowed by the filters that the API
    (`GET /api/v1/loans/`) and the loans page offer alike, the latest first. `person`
    matches every word against the borrower's first or last name."""
    loans = loan_list_for(user=user)
    for word in person.split():
        loans = loans.filter(
            Q(beneficiary__last_name__icontains=word) | Q(beneficiary__first_name__icontains=word)
        )
    if status:
        loans = loans.filter(status=status)
    if kind:
        loans = loans.filter(kind=kind)
    if bucket:
        loans = loans.filter(arrears_bucket=bucket)
    if beneficiary_id:
        loans = loans.filter(beneficiary_id=beneficiary_id)
    return loans.order_by("-created_at", "-pk")


def loan_get_for(*, user, loan_id: int) -> Loan:
    return get_or_not_found(loan_list_for(user=user), loan_id, "Prêt introuvable.")


def plan_for(*, booking) -> FinancingPlan | None:
    return (
        FinancingPlan.objects.filter(booking=booking)
        .prefetch_related("lines__programme", "lines__loan", "lines__award")
        .first()
    )


def installments_due(*, user, start: date, end: date) -> QuerySet[Installment]:
    """Instalments falling due between two dates (inclusive) and not fully paid."""
    return (
        Installment.objects.filter(
            loan__platform_id__in=platform_ids(user, roles=READ_ROLES),
            loan__status__in=OUTSTANDING_STATUSES,
            due_on__gte=start,
            due_on__lte=end,
        )
        .exclude(principal_paid=F("principal_due"), interest_paid=F("interest_due"))
        .select_related("loan__beneficiary")
        .order_by("due_on", "pk")
    )


def late_loans(*, user) -> QuerySet[Loan]:
    return (
        loan_list_for(user=user)
        .filter(status__in=OUTSTANDING_STATUSES, days_past_due__gt=0)
        .order_by("-days_past_due", "pk")
    )


@dataclass
class Portfolio:
    """Outstanding principal, arrears by bucket, and PAR30 measured two ways."""

    loans: int = 0
    outstanding: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    buckets: dict = field(default_factory=dict)  # bucket → outstanding principal
    bucket_counts: dict = field(default_factory=dict)
    at_risk_30: Decimal = ZERO  # outstanding principal of loans > 30 days past due
    overdue_30: Decimal = ZERO  # amounts overdue on those loans
    by_group: dict = field(default_factory=dict)  # (lender, kind) → outstanding

    @property
    def par30(self) -> Decimal:
        """PAR30 in %: balance of loans over 30 days late ÷ gross outstanding principal."""
        return percent(self.at_risk_30, self.outstanding)

    @property
    def overdue_ratio_30(self) -> Decimal:
        """For comparison: amounts overdue > 30 days ÷ gross outstanding principal."""
        return percent(self.overdue_30, self.outstanding)


def portfolio_for(*, user, today: date | None = None) -> Portfolio:
    today = today or timezone.localdate()
    loans = list(
        Loan.objects.filter(platform_id__in=platform_ids(user, roles=FINANCE_ROLES))
        .filter(status__in=OUTSTANDING_STATUSES)
        .select_related("lender")
        .annotate(
            principal_paid_total=Sum("installments__principal_paid"),
        )
    )
    overdue = defaultdict(lambda: ZERO)  # everything unpaid and already due
    overdue_30 = defaultdict(lambda: ZERO)  # unpaid for more than 30 days
    rows = Installment.objects.filter(
        loan__in=[loan.pk for loan in loans], due_on__lt=today
    ).values_list(
        "loan_id", "due_on", "principal_due", "interest_due", "principal_paid", "interest_paid"
    )
    for loan_id, due_on, principal_due, interest_due, principal_paid, interest_paid in rows:
        unpaid = principal_due + interest_due - principal_paid - interest_paid
        overdue[loan_id] += unpaid
        if (today - due_on).days > 30:
            overdue_30[loan_id] += unpaid
    report = Portfolio(
        buckets={b.value: ZERO for b in ArrearsBucket},
        bucket_counts={b.value: 0 for b in ArrearsBucket},
    )
    for loan in loans:
        paid = cents(loan.principal_paid_total or ZERO)
        balance = loan.principal - paid
        report.loans += 1
        report.outstanding += balance
        report.overdue_amount += overdue[loan.pk]
        report.buckets[loan.arrears_bucket] = (
            report.buckets.get(loan.arrears_bucket, ZERO) + balance
        )
        report.bucket_counts[loan.arrears_bucket] = (
            report.bucket_counts.get(loan.arrears_bucket, 0) + 1
        )
        if loan.days_past_due > 30:
            report.at_risk_30 += balance
            report.overdue_30 += overdue_30[loan.pk]
        key = (loan.lender.name, loan.get_kind_display())
        report.by_group[key] = report.by_group.get(key, ZERO) + balance
    return report


def beneficiary_shares(booking_ids) -> dict[int, Decimal]:
    """The person's share (the plan's `beneficiary` lines) of each booking, in one query;
    bookings without a plan or without a share are absent (payments asks this)."""
    rows = (
        FinancingLine.objects.filter(
            plan__booking_id__in=list(booking_ids), kind=LineKind.BENEFICIARY
        )
        .values("plan__booking_id")
        .annotate(share=Sum("amount"))
    )
    return {row["plan__booking_id"]: row["share"] for row in rows if row["share"]}


def financing_export_rows(*, beneficiary_id: int) -> dict[str, list]:
    """A person's grants and loans (with their schedule and movements), for their data
    export."""
    grants = GrantAward.objects.filter(beneficiary_id=beneficiary_id).annotate(
        programme_name=F("programme__name"), booking_reference=F("booking__reference")
    )
    loans = []
    for loan in (
        Loan.objects.filter(beneficiary_id=beneficiary_id)
        .prefetch_related("installments", "transactions")
        .order_by("created_at", "pk")
    ):
        (row,) = export_rows([loan], "kind", "principal", "annual_rate", "term_months",
                             "method", "grace_months", "disbursed_on", "first_due_on",
                             "status", "days_past_due", "created_at")  # fmt: skip
        row["installments"] = export_rows(
            sorted(loan.installments.all(), key=lambda i: i.number), "number", "due_on",
            "principal_due", "interest_due", "principal_paid", "interest_paid",
        )  # fmt: skip
        row["movements"] = export_rows(
            sorted(loan.transactions.all(), key=lambda t: (t.value_date, t.pk)), "kind",
            "amount", "value_date", "method", "note",
        )  # fmt: skip
        loans.append(row)
    return {
        "grants": export_rows(
            grants.order_by("created_at", "pk"),
            "programme_name",
            "booking_reference",
            "amount",
            "status",
            "decided_at",
            "created_at",
        ),  # fmt: skip
        "loans": loans,
    }
