"""Aggregated reads of the journey for reporting (no person leaves these functions except in
`PersonRow`, which the reporting app turns into counts, or into the overdue list of staff).

Every function takes a scope: `platform_ids` (None: the whole network), optionally
`adviser_id` (an adviser's own file) or `beneficiary_ids` (a queryset of ids, e.g. the
people a funder's programmes helped), and a period `[start, end]` of local dates."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DurationField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from beneficiaries.enums import DiagnosisDecision, ReferralStatus, RefusalReason
from beneficiaries.models import Beneficiary, Diagnosis, FollowUp, Outcome, Referral
from core.aggregates import Median


def day_start(day: date) -> datetime:
    """The first instant of a local day (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] local dates as a half-open range of instants."""
    return day_start(start), day_start(end + timedelta(days=1))


def _scoped(queryset: QuerySet, prefix: str, platform_ids, adviser_id=None, beneficiary_ids=None):
    if platform_ids is not None:
        queryset = queryset.filter(**{f"{prefix}platform_id__in": platform_ids})
    if adviser_id is not None:
        queryset = queryset.filter(**{f"{prefix}adviser_id": adviser_id})
    if beneficiary_ids is not None:
        queryset = queryset.filter(**{f"{prefix}pk__in": beneficiary_ids})
    return queryset


# --- Referrals ------------------------------------------------------------------------------


def referral_figures(*, platform_ids, start: date, end: date) -> dict:
    """Referrals received in the period (created then), how they were answered, and the
    median time to answer of those answered. One query."""
    since, until = period_bounds(start, end)
    referrals = _scoped(Referral.objects.all(), "", platform_ids).filter(
        created_at__gte=since, created_at__lt=until
    )
    refused = Q(status=ReferralStatus.REFUSED)
    by_reason = {
        f"refused_{reason}": Count("pk", filter=refused & Q(refusal_reason=reason))
        for reason in RefusalReason.values
    }
    return referrals.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        accepted=Count("pk", filter=Q(status=ReferralStatus.ACCEPTED)),
        refused=Count("pk", filter=refused),
        reoriented=Count("pk", filter=refused & ~Q(reorientation="")),
        expired=Count("pk", filter=Q(status=ReferralStatus.EXPIRED)),
        withdrawn=Count("pk", filter=Q(status=ReferralStatus.WITHDRAWN)),
        waiting=Count("pk", filter=Q(status=ReferralStatus.SUBMITTED)),
        median_answer=Median(
            F("answered_at") - F("created_at"),
            filter=Q(answered_at__isnull=False),
            output_field=DurationField(),
        ),
        **by_reason,
    )


def referrals_by_prescriber_and_month(*, platform_ids, start: date, end: date) -> list[dict]:
    """(prescriber organisation, month) → referrals received. One query."""
    since, until = period_bounds(start, end)
    return list(
        _scoped(Referral.objects.all(), "", platform_ids)
        .filter(created_at__gte=since, created_at__lt=until)
        .annotate(month=TruncMonth("created_at"))
        .values("prescriber_organisation__name", "month")
        .annotate(count=Count("pk"))
        .order_by("prescriber_organisation__name", "month")
    )


# --- People: the file, diagnoses, follow-up, support contracts, outcomes --------------------


@dataclass(frozen=True)
class PersonRow:
    pk: int
    first_name: str
    last_name: str
    adviser_id: int | None
    created_on: date
    support_start: date | None  # first diagnosis deciding reinforced support
    last_decision: str | None  # decision of the latest diagnosis up to the reference date
    last_seen: date | None  # latest follow-up up to the reference date
    diagnoses_light: int  # diagnoses held in the period, by decision
    diagnoses_reinforced: int
    outcome: str | None
    exited_on: date | None


def people_rows(
    *, platform_ids, start: date, end: date, reference: date, adviser_id=None,
    beneficiary_ids=None,
) -> list[PersonRow]:  # fmt: skip
    """Everyone in the file at some time of the period: entered (record created) before its
    end and not exited before its start. One query, one pass over the scope's people grouped
    by person: their diagnoses joined and aggregated (conditional aggregates); the latest
    decision, the latest follow-up and the outcome each one look-up in an index. The
    reporting app counts."""
    until = period_bounds(start, end)[1]
    reinforced = Q(diagnoses__decision=DiagnosisDecision.REINFORCED)
    in_period = Q(diagnoses__held_on__gte=start, diagnoses__held_on__lte=end)

    def one(queryset, field):
        # A look-up per person (Max: one value anyway), rather than a join: a join (or an
        # anti-join) on the outcome made PostgreSQL hash the whole table for one platform.
        return Max(Subquery(queryset.values(field)[:1]))

    diagnoses = Diagnosis.objects.filter(beneficiary=OuterRef("pk"), held_on__lte=reference)
    follow_ups = FollowUp.objects.filter(beneficiary=OuterRef("pk"), held_on__lte=reference)
    outcome = Outcome.objects.filter(beneficiary=OuterRef("pk"))
    people = (
        _scoped(Beneficiary.objects.all(), "", platform_ids, adviser_id, beneficiary_ids)
        .filter(created_at__lt=until)
        .order_by()
        .values("pk")
        .annotate(
            created_on=TruncDate("created_at"),
            support_start=Min("diagnoses__held_on", filter=reinforced),
            last_decision=one(diagnoses.order_by("-held_on", "-pk"), "decision"),
            last_seen=one(follow_ups.order_by("-held_on"), "held_on"),
            light=Count("diagnoses", filter=in_period
                        & Q(diagnoses__decision=DiagnosisDecision.LIGHT_ADVICE)),
            reinforced=Count("diagnoses", filter=in_period & reinforced),
            outcome_code=one(outcome, "code"),
            exited_on=one(outcome, "exited_on"),
        )
        .values_list(
            "pk", "first_name", "last_name", "adviser_id", "created_on", "support_start",
            "last_decision", "last_seen", "light", "reinforced", "outcome_code", "exited_on",
        )
    )  # fmt: skip
    # Those who left before the period are dropped here rather than in SQL (which would
    # repeat the outcome's look-up).
    return [
        PersonRow(*row)
        for row in people.iterator(chunk_size=5000)
        if row[-1] is None or row[-1] >= start
    ]


def outcome_counts(*, beneficiary_ids, start: date, end: date) -> dict[str, int]:
    """Exits in the period of the given people, by outcome code. One query."""
    rows = (
        Outcome.objects.filter(beneficiary_id__in=beneficiary_ids)
        .filter(exited_on__gte=start, exited_on__lte=end)
        .values("code")
        .annotate(n=Count("pk"))
    )
    return {row["code"]: row["n"] for row in rows}
