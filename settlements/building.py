"""What goes on a statement: the period (a calendar month in the partner's time zone), the
bookings it settles and the amounts of each line. Reads only; `settlements.services` writes.

A booking is settled in the period in which it was completed (`completed_at`) — or, when
its service says a no-show is owed to the partner, in which the no-show was recorded — read
in the partner's time zone: a booking completed at 23:30 in Paris on the last day of the
month belongs to that month. A statement takes every such booking up to the end of its period
that no non-cancelled statement holds yet (a straggler of an earlier month is not lost).

Each line: what grants, loans and the platform cover (the plan's non-beneficiary lines), the
person's share, what the person paid online (`payments.selectors.paid_online_by_booking`,
net of refunds; the platform collected it, so it passes it on) and directly (the share minus
what was paid online). What the platform owes = grants + loan + platform + paid online. A
booking without a financing plan is the person's alone (share = its total).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q

from bookings.enums import BookingStatus
from bookings.models import Booking
from financing.enums import LineKind as PlanLineKind
from financing.selectors import plan_lines_by_booking
from partners.models import Service
from payments.selectors import paid_online_by_booking
from settlements.enums import LineKind
from settlements.models import SettlementAdjustment, SettlementLine

ZERO = Decimal("0.00")


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


def owed_q(before: datetime, prefix: str = "") -> Q:
    """Bookings the partner is owed for, done before `before`."""
    return Q(**{f"{prefix}status": BookingStatus.COMPLETED,
                f"{prefix}completed_at__lt": before}) | Q(**{
        f"{prefix}status": BookingStatus.NO_SHOW,
        f"{prefix}service__no_show_owed": True,
        f"{prefix}no_show_at__lt": before,
    })  # fmt: skip


class BookingRow(NamedTuple):
    """What a statement line copies from a booking (read as plain rows: no model instances
    for tens of thousands of bookings)."""

    pk: int
    reference: str
    status: str
    completed_at: datetime | None
    no_show_at: datetime | None
    units: Decimal
    total_price: Decimal
    service_name: str
    unit: str
    partner_id: int


BOOKING_FIELDS = (  # BookingRow's fields, as the query names them
    "pk", "reference", "status", "completed_at", "no_show_at", "units", "total_price",
    "service__name", "service__unit", "service__partner_id",
)  # fmt: skip


@dataclass
class Draft:
    lines: list[SettlementLine] = field(default_factory=list)
    grants: list[list[dict]] = field(default_factory=list)  # per line: {award_id, ...}

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)


def booking_line(booking, plan_lines, online: Decimal, tz: ZoneInfo) -> tuple[SettlementLine, list]:
    amounts = {kind: ZERO for kind in PlanLineKind.values}
    grants = []
    for line in plan_lines or ():
        amounts[line.kind] += line.amount
        if line.kind == PlanLineKind.GRANT and line.amount > 0:
            grants.append({
                "award_id": line.award_id, "programme_id": line.programme_id,
                "programme_name": line.programme_name, "amount": line.amount,
            })  # fmt: skip
    share = amounts[PlanLineKind.BENEFICIARY] if plan_lines else booking.total_price
    paid_online = min(online, share)
    covered = amounts[PlanLineKind.GRANT] + amounts[PlanLineKind.LOAN]
    covered += amounts[PlanLineKind.PLATFORM]
    no_show = booking.status == BookingStatus.NO_SHOW
    done_at = booking.no_show_at if no_show else booking.completed_at
    line = SettlementLine(
        kind=LineKind.NO_SHOW if no_show else LineKind.BOOKING,
        booking_id=booking.pk,
        reference=booking.reference,
        day=done_at.astimezone(tz).date(),
        service_name=booking.service_name,
        units=booking.units,
        unit=booking.unit,
        solidarity_total=booking.total_price,
        grant=amounts[PlanLineKind.GRANT],
        loan=amounts[PlanLineKind.LOAN],
        platform_share=amounts[PlanLineKind.PLATFORM],
        beneficiary_share=share,
        paid_online=paid_online,
        paid_directly=share - paid_online,
        owed=covered + paid_online,
    )
    return line, grants


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


def drafts_for(*, platform_id: int, partners, period_end: date) -> dict[int, Draft]:
    """The lines of each partner's next statement up to `period_end`, each month read in the
    partner's time zone: six queries for the whole batch of partners, whatever the number of
    partners and bookings (the caller keeps the batches reasonable)."""
    zone_of = {p.pk: p.timezone for p in partners}
    # By the partners' services: the bookings' own index on `service_id` finds them.
    by_zone: dict[str, list[int]] = {}
    for service_id, partner_id in Service.objects.filter(partner_id__in=list(zone_of)).values_list(
        "pk", "partner_id"
    ):
        by_zone.setdefault(zone_of[partner_id], []).append(service_id)
    owed = Q(pk__in=[])
    for zone, service_ids in by_zone.items():
        owed |= Q(service_id__in=service_ids) & owed_q(local_end(period_end, ZoneInfo(zone)))
    bookings = [
        BookingRow(*row)
        for row in Booking.objects.filter(platform_id=platform_id)
        .filter(owed)
        .exclude(settled_elsewhere())
        .order_by("completed_at", "no_show_at", "pk")
        .values_list(*BOOKING_FIELDS)
    ]
    ids = [b.pk for b in bookings]
    plans = plan_lines_by_booking(ids) if ids else {}
    online = paid_online_by_booking(ids) if ids else {}
    zones = {p.pk: ZoneInfo(p.timezone) for p in partners}
    drafts = {p.pk: Draft() for p in partners}
    for booking in bookings:
        partner_id = booking.partner_id
        line, grants = booking_line(
            booking, plans.get(booking.pk), online.get(booking.pk, ZERO), zones[partner_id]
        )
        drafts[partner_id].lines.append(line)
        drafts[partner_id].grants.append(grants)
    adjustments = (
        SettlementAdjustment.objects.filter(platform_id=platform_id, partner_id__in=list(zones))
        .exclude(Exists(SettlementLine.objects.filter(adjustment=OuterRef("pk"), active=True)))
        .select_related("corrects", "booking")
        .order_by("pk")
    )
    for adjustment in adjustments:
        drafts[adjustment.partner_id].lines.append(adjustment_line(adjustment, period_end))
        drafts[adjustment.partner_id].grants.append([])
    return drafts


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
        .distinct()
    )
    with_adjustments = (
        SettlementAdjustment.objects.filter(platform_id=platform_id)
        .exclude(Exists(SettlementLine.objects.filter(adjustment=OuterRef("pk"), active=True)))
        .values_list("partner_id", flat=True)
        .distinct()
    )
    return sorted(set(with_bookings) | set(with_adjustments))
