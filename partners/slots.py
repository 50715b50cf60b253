"""Slot materialisation: weekly rules and closures, in the partner's time zone, become `Slot`
rows over a rolling horizon.

The computation is pure (`desired_slots`); writing is a diff against what exists
(`slots_regenerate`). A slot that holds reservations is never deleted and its capacity never
goes below `reserved`; when the rules want less, the slot keeps `reserved` and a `SlotConflict`
tells the partner.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from partners import hooks
from partners.enums import BookingMode
from partners.models import AvailabilityRule, Closure, Service, Slot, SlotConflict
from partners.next_free import next_free_refresh


@dataclass(frozen=True)
class Window:
    """A slot's start and end in UTC, and its capacity."""

    starts_at: datetime
    ends_at: datetime
    capacity: int


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time, or None when that time does not exist
    (the hour skipped when clocks go forward). An ambiguous time (clocks go back) maps to
    its first occurrence, so each local time yields one slot."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    utc = aware.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return utc


class DayClock:
    """Local → UTC for one day. Days without a clock change (all but two a year) use one
    offset for every slot; the others go through `local_to_utc`."""

    def __init__(self, day: date, tz: ZoneInfo):
        self.day, self.tz = day, tz
        first = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
        last = datetime.combine(day, time(23, 59), tzinfo=tz).utcoffset()
        self.offset = first if first == last else None
        self.midnight_utc = datetime.combine(day, time(0)).replace(tzinfo=UTC) - (first or ZERO)

    def utc(self, at: time) -> datetime | None:
        if self.offset is None:
            return local_to_utc(self.day, at, self.tz)
        return self.midnight_utc + timedelta(hours=at.hour, minutes=at.minute)


ZERO = timedelta(0)


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def rule_windows(rule: AvailabilityRule, clock: DayClock, mode: str) -> list[Window]:
    """The slots one rule opens on one local day (none when the day is outside the rule)."""
    day = clock.day
    if day.weekday() not in rule.weekdays or day < rule.valid_from:
        return []
    if rule.valid_until is not None and day > rule.valid_until:
        return []
    if mode == BookingMode.PERIOD:
        start = clock.utc(rule.start_time)
        end = clock.utc(rule.end_time)
        if start is None or end is None or end <= start:
            return []
        return [Window(start, end, rule.capacity)]
    windows = []
    begin, finish = _minutes(rule.start_time), _minutes(rule.end_time)
    step = rule.slot_minutes
    for minute in range(begin, finish - step + 1, step):
        start = clock.utc(_time(minute))
        if start is not None:
            windows.append(Window(start, start + timedelta(minutes=step), rule.capacity))
    return windows


def apply_closures(window: Window, closures: Iterable[Closure]) -> Window | None:
    """Full closures remove the slot; partial ones cap its capacity."""
    capacity = window.capacity
    for closure in closures:
        if closure.starts_at < window.ends_at and closure.ends_at > window.starts_at:
            capacity = 0 if closure.capacity is None else min(capacity, closure.capacity)
    if capacity <= 0:
        return None
    return Window(window.starts_at, window.ends_at, capacity)


def desired_slots(
    *,
    rules: Iterable[AvailabilityRule],
    closures: Iterable[Closure],
    tz: ZoneInfo,
    mode: str,
    first_day: date,
    days: int,
    not_before: datetime | None = None,
) -> dict[datetime, Window]:
    """Every slot the rules open over `days` local days from `first_day`, after closures."""
    rules = list(rules)
    closures = list(closures)
    result: dict[datetime, Window] = {}
    for offset in range(days):
        clock = DayClock(first_day + timedelta(days=offset), tz)
        for rule in rules:
            for window in rule_windows(rule, clock, mode):
                if not_before is not None and window.starts_at < not_before:
                    continue
                if window.starts_at in result:
                    continue  # overlapping rules are refused on input; keep the first
                kept = apply_closures(window, closures)
                if kept is not None:
                    result[window.starts_at] = kept
    return result


@dataclass
class RegenerationReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0


@dataclass
class _Plan:
    """Every write of one batch, gathered so each kind is one statement (or a few)."""

    inserts: list[tuple] = field(default_factory=list)
    capacity_updates: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    keep_at_reserved: list[int] = field(default_factory=list)
    end_updates: list[Slot] = field(default_factory=list)
    deletions: list[int] = field(default_factory=list)
    conflicts: list[SlotConflict] = field(default_factory=list)


def _diff(service_id: int, desired: dict[datetime, Window], existing: list[tuple], plan) -> None:
    """Plan the writes that make the rows match `desired`, never below what is reserved."""
    for slot_id, starts_at, ends_at, capacity, reserved in existing:
        want = desired.pop(starts_at, None)
        if want is None:
            if reserved == 0:
                plan.deletions.append(slot_id)
            else:
                if capacity != reserved:
                    plan.keep_at_reserved.append(slot_id)
                plan.conflicts.append(
                    SlotConflict(slot_id=slot_id, service_id=service_id, wanted_capacity=0,
                                 reserved=reserved)
                )  # fmt: skip
            continue
        if want.capacity != capacity:
            plan.capacity_updates[want.capacity].append(slot_id)
        if want.ends_at != ends_at:
            plan.end_updates.append(Slot(pk=slot_id, ends_at=want.ends_at))
        if want.capacity < reserved:
            plan.conflicts.append(
                SlotConflict(slot_id=slot_id, service_id=service_id,
                             wanted_capacity=want.capacity, reserved=reserved)
            )  # fmt: skip
    plan.inserts.extend(
        (service_id, w.starts_at, w.ends_at, w.capacity, 0) for w in desired.values()
    )


def _chunks(items: list, size: int = 5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_slots(rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        # COPY is an order of magnitude faster than INSERT for the rolling horizon.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY partners_slot (service_id, starts_at, ends_at, capacity, reserved) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    Slot.objects.bulk_create(
        [Slot(service_id=r[0], starts_at=r[1], ends_at=r[2], capacity=r[3]) for r in rows],
        batch_size=2000,
    )


def _apply(plan: _Plan, service_ids: list[int], report: RegenerationReport) -> None:
    _insert_slots(plan.inserts)
    report.created += len(plan.inserts)
    for wanted, ids in plan.capacity_updates.items():
        for chunk in _chunks(ids):
            # Relative to the row as it is now: a concurrent reservation is never undercut.
            report.updated += Slot.objects.filter(pk__in=chunk).update(
                capacity=Greatest(Value(wanted), F("reserved"))
            )
    for chunk in _chunks(plan.keep_at_reserved):
        report.updated += Slot.objects.filter(pk__in=chunk).update(capacity=F("reserved"))
    if plan.end_updates:
        Slot.objects.bulk_update(plan.end_updates, ["ends_at"], batch_size=1000)
        report.updated += len(plan.end_updates)
    for chunk in _chunks(plan.deletions):
        _count, by_model = Slot.objects.filter(pk__in=chunk, reserved=0).delete()
        report.deleted += by_model.get(Slot._meta.label, 0)
    in_conflict = [c.slot_id for c in plan.conflicts]
    stale = SlotConflict.objects.filter(service_id__in=service_ids).exclude(slot_id__in=in_conflict)
    if stale.exists():
        stale.delete()
    if plan.conflicts:
        SlotConflict.objects.bulk_create(
            plan.conflicts,
            update_conflicts=True,
            unique_fields=["slot"],
            update_fields=["wanted_capacity", "reserved", "detected_at"],
        )
    report.conflicts += len(plan.conflicts)


def horizon_days() -> int:
    return getattr(settings, "SLOT_HORIZON_DAYS", 120)


@transaction.atomic
def slots_regenerate_many(
    service_ids: Iterable[int], *, now: datetime | None = None, days: int | None = None
) -> RegenerationReport:
    """Regenerate the future slots of these services over the horizon: a fixed number of
    queries per batch, in one transaction. The services' rows are locked first (in primary
    key order) so two runs for the same service never interleave, and what exists is read
    after the lock. Their stored next free slot is recomputed at the end."""
    now = now or timezone.now()
    days = days or horizon_days()
    report = RegenerationReport()
    # FOR NO KEY UPDATE: two regenerations of a service still queue, but a booking's foreign
    # key check (KEY SHARE) on the service goes through — a booking holding a slot this run
    # will touch never waits for the run, so the two cannot deadlock.
    services = list(
        Service.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=list(service_ids))
        .select_related("partner")
        .only("id", "booking_mode", "partner__id", "partner__timezone")
        .order_by("pk")
    )
    if not services:
        return report
    ids = [s.pk for s in services]
    rules_by_service: dict[int, list] = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(service_id__in=ids):
        rules_by_service[rule.service_id].append(rule)
    closures_by_partner: dict[int, list] = defaultdict(list)
    for closure in Closure.objects.filter(
        partner_id__in={s.partner_id for s in services}, ends_at__gt=now
    ).only("partner_id", "service_id", "starts_at", "ends_at", "capacity"):
        closures_by_partner[closure.partner_id].append(closure)
    horizon_end = now + timedelta(days=days + 1)
    existing_by_service: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Slot.objects.filter(service_id__in=ids, starts_at__gte=now, starts_at__lt=horizon_end)
        .values_list("service_id", "id", "starts_at", "ends_at", "capacity", "reserved")
        .iterator(chunk_size=5000)
    ):
        existing_by_service[row[0]].append(row[1:])
    plan = _Plan()
    for service in services:
        tz = ZoneInfo(service.partner.timezone)
        desired = desired_slots(
            rules=rules_by_service[service.pk],
            closures=[
                c for c in closures_by_partner[service.partner_id]
                if c.service_id in (None, service.pk)
            ],
            tz=tz,
            mode=service.booking_mode,
            first_day=now.astimezone(tz).date(),
            days=days,
            not_before=now,
        )  # fmt: skip
        _diff(service.pk, desired, existing_by_service.pop(service.pk, []), plan)
    _apply(plan, ids, report)
    next_free_refresh(ids, now=now)
    if plan.inserts or plan.capacity_updates:
        hooks.capacity_added.send(sender=Service, service_ids=ids)  # e.g. waiting lists
    return report


def slots_regenerate(service_id: int, *, now: datetime | None = None) -> RegenerationReport:
    return slots_regenerate_many([service_id], now=now)
