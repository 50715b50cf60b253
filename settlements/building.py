"""What goes on a statement: the period (a calendar month in the partner's time zone), the
bookings it settles and the amounts of each line. Reads only; `settlements.services` writes.

A booking is settled in the period in which it was completed (`completed_at`) — or, when
its service says a no-show is owed to the partner, in which the no-show was recorded — read
in the partner's time zone: a booking completed at 23:30 in Paris on the last day of the
month belongs to that month. A statement takes every such booking up to the end of its period
that no non-cancelled statement holds yet (a straggler of an earlier month is not lost).

Each line: what grants, loans and the platform cover (the plan's non-beneficiary lines), the
person's share, what the person paid online (`payments.selectors.paid_online_of`, net of
refunds; the platform collected it, so it passes it on) and directly (the share minus what
was paid online). What the platform owes = grants + loan + platform + paid online. A booking
without a financing plan is the person's alone (share = its total). These rules are written
once, as query expressions (`booking_lines`): the database computes the lines of a whole
batch of statements and writes them without bringing the bookings to Python.
"""

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate

from bookings.enums import BookingStatus
from bookings.models import Booking
from financing.enums import LineKind as PlanLineKind
from financing.models import FinancingLine
from partners.models import Service
from payments.selectors import paid_online_of
from settlements.enums import LineKind
from settlements.models import SettlementAdjustment, SettlementLine

ZERO = Decimal("0.00")
ZERO_VALUE = Value(ZERO)
PLAN_LINES = "financing_plan__lines"  # a booking's financing lines


def month_period(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def previous_month(today: date) -> tuple[int, int]:
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def local_end(period_end: date, tz: ZoneInfo) -> datetime:
    """The instant the period ends: midnight after its last day, in the partner's zone."""
    return datetime.combine(period_end + timedelta(days=1), time(0), tzinfo=tz)


def settled_elsewhere() -> Exists:
    return Exists(SettlementLine.objects.filter(booking=OuterRef("pk"), active=True))


def adjustment_settled() -> Exists:
    """An adjustment already on a statement (a live line carries it)."""
    return Exists(SettlementLine.objects.filter(adjustment=OuterRef("pk"), active=True))


def owed_q(before: datetime, prefix: str = "") -> Q:
    """Bookings the partner is owed for, done before `before`."""
    return Q(**{f"{prefix}status": BookingStatus.COMPLETED,
                f"{prefix}completed_at__lt": before}) | Q(**{
        f"{prefix}status": BookingStatus.NO_SHOW,
        f"{prefix}service__no_show_owed": True,
        f"{prefix}no_show_at__lt": before,
    })  # fmt: skip


def open_bookings(*, platform_id: int, partners, period_end: date) -> QuerySet[Booking]:
    """The bookings each partner of the batch is owed for up to the end of `period_end`, read
    in the partner's time zone, that no statement holds yet (found through the partners'
    services: the bookings' own index on `service_id` finds them)."""
    zone_of = {p.pk: p.timezone for p in partners}
    by_zone: dict[str, list[int]] = {}
    for service_id, partner_id in Service.objects.filter(partner_id__in=list(zone_of)).values_list(
        "pk", "partner_id"
    ):
        by_zone.setdefault(zone_of[partner_id], []).append(service_id)
    owed = Q(pk__in=[])
    for zone, service_ids in by_zone.items():
        owed |= Q(service_id__in=service_ids) & owed_q(local_end(period_end, ZoneInfo(zone)))
    return Booking.objects.filter(platform_id=platform_id).filter(owed).exclude(settled_elsewhere())


def _planned(kind: str) -> Coalesce:
    """What the booking's financing plan puts on `kind` (0 when none of its lines does)."""
    return Coalesce(Sum(f"{PLAN_LINES}__amount", filter=Q(**{f"{PLAN_LINES}__kind": kind})),
                    ZERO_VALUE)  # fmt: skip


def _day(zones: dict[str, list[int]]):
    """The day the booking was done (completed, or the no-show recorded), read in its
    partner's time zone (`zones`: time zone → partner ids)."""
    done_at = Case(When(status=BookingStatus.NO_SHOW, then=F("no_show_at")),
                   default=F("completed_at"))  # fmt: skip
    days = [
        (ids, TruncDate(done_at, tzinfo=ZoneInfo(zone), output_field=DateField()))
        for zone, ids in sorted(zones.items())
    ]
    if len(days) == 1:
        return days[0][1]
    return Case(*[When(service__partner_id__in=ids, then=day) for ids, day in days],
                output_field=DateField())  # fmt: skip


def booking_lines(bookings: QuerySet[Booking], *, zones: dict[str, list[int]],
                  statement_of: dict[int, int]) -> QuerySet:  # fmt: skip
    """The money rules of a statement, computed by the database: one row per booking, the
    value of each `SettlementLine` field under the name `LINE_VALUES` gives it.

    What grants, loans and the platform cover are the plan's lines of each kind; the person's
    share is the plan's `beneficiary` lines (the booking's whole total without a plan); what
    they paid online, net of refunds, counts up to their share (the platform collected it,
    so it passes it on) and the rest of the share was paid directly. Owed by the platform =
    grants + loan + platform + paid online. `statement_of`: partner id → its statement's id.
    """
    statement = Case(
        *[When(service__partner_id=partner_id, then=Value(statement_id))
          for partner_id, statement_id in statement_of.items()],
        output_field=IntegerField(),
    )  # fmt: skip
    no_show = Q(status=BookingStatus.NO_SHOW)
    return (
        bookings.annotate(
            line_grant=_planned(PlanLineKind.GRANT),
            line_loan=_planned(PlanLineKind.LOAN),
            line_platform_share=_planned(PlanLineKind.PLATFORM),
            planned_share=_planned(PlanLineKind.BENEFICIARY),
            planned_lines=Count(f"{PLAN_LINES}__pk"),
            online=Coalesce(paid_online_of("pk"), ZERO_VALUE),
        )
        .annotate(
            line_beneficiary_share=Case(
                When(planned_lines__gt=0, then=F("planned_share")), default=F("total_price")
            ),
        )  # fmt: skip
        .annotate(line_paid_online=Least("online", "line_beneficiary_share"))
        .annotate(
            line_paid_directly=F("line_beneficiary_share") - F("line_paid_online"),
            line_owed=F("line_grant")
            + F("line_loan")
            + F("line_platform_share")
            + F("line_paid_online"),
            line_settlement=statement,
            line_kind=Case(
                When(no_show, then=Value(LineKind.NO_SHOW)), default=Value(LineKind.BOOKING)
            ),
            line_booking=F("pk"),
            line_active=Value(True),
            line_reference=F("reference"),
            line_day=_day(zones),
            line_service_name=F("service__name"),
            line_units=F("units"),
            line_unit=F("service__unit"),
            line_solidarity_total=F("total_price"),
            line_note=Value(""),
        )  # fmt: skip
        .order_by("service__partner_id", "completed_at", "no_show_at", "pk")
    )


# `SettlementLine` field → the name of its value in `booking_lines`.
LINE_VALUES = {
    name: f"line_{name}"
    for name in ("settlement", "kind", "booking", "active", "reference", "day", "service_name",
                 "units", "unit", "solidarity_total", "grant", "loan", "platform_share",
                 "beneficiary_share", "paid_online", "paid_directly", "owed", "note")
}  # fmt: skip


def line_grants(statement_ids: list[int]) -> QuerySet:
    """Which grant awards the booking lines of these statements cover: a `SettlementGrant`
    per grant line of the plan with an amount (named as `GRANT_VALUES` gives)."""
    return (
        FinancingLine.objects.filter(
            kind=PlanLineKind.GRANT, amount__gt=0,
            plan__booking__settlement_lines__settlement_id__in=statement_ids,
        )
        .annotate(
            grant_line=F("plan__booking__settlement_lines__pk"), grant_award=F("award_id"),
            grant_programme=F("programme_id"), grant_programme_name=F("programme__name"),
            grant_amount=F("amount"),
        )
        .order_by("grant_line", "pk")
    )  # fmt: skip


GRANT_VALUES = {name: f"grant_{name}" for name in ("line", "award", "programme",
                                                    "programme_name", "amount")}  # fmt: skip


def waiting_adjustments(*, platform_id: int, partner_ids) -> QuerySet[SettlementAdjustment]:
    return (
        SettlementAdjustment.objects.filter(platform_id=platform_id, partner_id__in=partner_ids)
        .exclude(adjustment_settled())
        .select_related("corrects", "booking")
        .order_by("pk")
    )


def adjustment_line(adjustment, day: date) -> SettlementLine:
    return SettlementLine(
        kind=LineKind.ADJUSTMENT,
        adjustment=adjustment,
        reference=adjustment.booking.reference if adjustment.booking_id else (
            adjustment.corrects.reference or str(adjustment.corrects_id)),
        day=day,
        owed=adjustment.amount,
        note=adjustment.reason,
    )  # fmt: skip


def _lines_sum(amount) -> Coalesce:
    lines = SettlementLine.objects.filter(settlement=OuterRef("pk")).order_by()
    return Coalesce(
        Subquery(lines.values("settlement").annotate(total=Sum(amount)).values("total")),
        ZERO_VALUE,
    )


def totals_from_lines() -> dict:
    """A statement's totals, the sums of its lines, as expressions of an update of the
    statements: what grants, loans and the platform cover, what the people paid online and
    directly, what the platform owes."""
    return {
        "total_funding": _lines_sum(F("grant") + F("loan") + F("platform_share")),
        "total_online": _lines_sum("paid_online"),
        "total_direct": _lines_sum("paid_directly"),
        "total": _lines_sum("owed"),
    }


def partners_to_settle(*, platform_id: int, period_end: date) -> list[int]:
    """Partners that may have something to settle up to `period_end` (bookings, read with
    the latest clock on Earth so that no time zone is missed, or waiting adjustments); each
    draft then reads its own partner's month exactly."""
    latest = local_end(period_end, ZoneInfo("Etc/GMT+12"))
    with_bookings = (
        Booking.objects.filter(platform_id=platform_id)
        .filter(owed_q(latest))
        .exclude(settled_elsewhere())
        .values_list("service__partner_id", flat=True)
        .order_by()
        .distinct()
    )
    with_adjustments = (
        SettlementAdjustment.objects.filter(platform_id=platform_id)
        .exclude(adjustment_settled())
        .values_list("partner_id", flat=True)
        .order_by()
        .distinct()
    )
    return sorted(set(with_bookings) | set(with_adjustments))
