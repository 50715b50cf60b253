"""Slot materialisation: weekly rules and closures, in the partner's time zone, become `Slot`
rows over a rolling horizon.

The computation is pure (`desired_slots`); writing is a diff against what exists
(`slots_regenerate`). A slot that holds reservations is never deleted and its capacity never
goes below `reserved`; when the rules want less, the slot keeps `reserved` and a `SlotConflict`
tells the partner.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from partners.enums import BookingMode
from partners.models import AvailabilityRule, Closure, Service, Slot, SlotConflict


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


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def rule_windows(rule: AvailabilityRule, day: date, tz: ZoneInfo, mode: str) -> list[Window]:
    """The slots one rule opens on one local day (none when the day is outside the rule)."""
    if day.weekday() not in rule.weekdays or day < rule.valid_from:
        return []
    if rule.valid_until is not None and day > rule.valid_until:
        return []
    if mode == BookingMode.PERIOD:
        start = local_to_utc(day, rule.start_time, tz)
        end = local_to_utc(day, rule.end_time, tz)
        if start is None or end is None or end <= start:
            return []
        return [Window(start, end, rule.capacity)]
    windows = []
    begin, finish = _minutes(rule.start_time), _minutes(rule.end_time)
    step = rule.slot_minutes
    for minute in range(begin, finish - step + 1, step):
        start = local_to_utc(day, _time(minute), tz)
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
        day = first_day + timedelta(days=offset)
        for rule in rules:
            for window in rule_windows(rule, day, tz, mode):
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


def _write(service_id: int, desired: dict[datetime, Window], existing: list[tuple], report) -> None:
    """Make the rows match `desired`, never below what is reserved."""
    capacity_updates: dict[int, list[int]] = defaultdict(list)
    end_updates: list[Slot] = []
    keep_at_reserved: list[int] = []
    deletions: list[int] = []
    conflicts: list[SlotConflict] = []
    desired = dict(desired)
    for slot_id, starts_at, ends_at, capacity, reserved in existing:
        want = desired.pop(starts_at, None)
        if want is None:
            if reserved == 0:
                deletions.append(slot_id)
            else:
                if capacity != reserved:
                    keep_at_reserved.append(slot_id)
                conflicts.append(
                    SlotConflict(slot_id=slot_id, service_id=service_id, wanted_capacity=0,
                                 reserved=reserved)
                )  # fmt: skip
            continue
        if want.capacity != capacity:
            capacity_updates[want.capacity].append(slot_id)
        if want.ends_at != ends_at:
            end_updates.append(Slot(pk=slot_id, ends_at=want.ends_at))
        if want.capacity < reserved:
            conflicts.append(
                SlotConflict(slot_id=slot_id, service_id=service_id,
                             wanted_capacity=want.capacity, reserved=reserved)
            )  # fmt: skip
    if desired:
        created = Slot.objects.bulk_create(
            [
                Slot(service_id=service_id, starts_at=w.starts_at, ends_at=w.ends_at,
                     capacity=w.capacity)
                for w in desired.values()
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )  # fmt: skip
        report.created += len(created)
    for wanted, ids in capacity_updates.items():
        # Conditional on the row as it is now: a concurrent reservation is never undercut.
        report.updated += Slot.objects.filter(pk__in=ids).update(
            capacity=Greatest(Value(wanted), F("reserved"))
        )
    if keep_at_reserved:
        report.updated += Slot.objects.filter(pk__in=keep_at_reserved).update(
            capacity=F("reserved")
        )
    if end_updates:
        Slot.objects.bulk_update(end_updates, ["ends_at"], batch_size=1000)
        report.updated += len(end_updates)
    if deletions:
        report.deleted += (
            Slot.objects.filter(pk__in=deletions, reserved=0).delete()[1].get(Slot._meta.label, 0)
        )
    conflict_ids = [c.slot_id for c in conflicts]
    SlotConflict.objects.filter(service_id=service_id).exclude(slot_id__in=conflict_ids).delete()
    if conflicts:
        SlotConflict.objects.bulk_create(
            conflicts,
            update_conflicts=True,
            unique_fields=["slot"],
            update_fields=["wanted_capacity", "reserved", "detected_at"],
        )
    report.conflicts += len(conflicts)


def horizon_days() -> int:
    return getattr(settings, "SLOT_HORIZON_DAYS", 120)


def slots_regenerate_many(
    service_ids: Iterable[int], *, now: datetime | None = None, days: int | None = None
) -> RegenerationReport:
    """Regenerate the future slots of these services over the horizon, a few queries per
    batch. Each service is written in its own transaction, its row locked so two runs for
    the same service never interleave."""
    now = now or timezone.now()
    days = days or horizon_days()
    report = RegenerationReport()
    services = list(
        Service.objects.filter(pk__in=list(service_ids))
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
    partner_ids = {s.partner_id for s in services}
    closures = list(
        Closure.objects.filter(partner_id__in=partner_ids, ends_at__gt=now).only(
            "partner_id", "service_id", "starts_at", "ends_at", "capacity"
        )
    )
    horizon_end = now + timedelta(days=days + 1)
    existing_by_service: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Slot.objects.filter(service_id__in=ids, starts_at__gte=now, starts_at__lt=horizon_end)
        .values_list("service_id", "id", "starts_at", "ends_at", "capacity", "reserved")
        .iterator(chunk_size=5000)
    ):
        existing_by_service[row[0]].append(row[1:])
    for service in services:
        tz = ZoneInfo(service.partner.timezone)
        first_day = now.astimezone(tz).date()
        desired = desired_slots(
            rules=rules_by_service[service.pk],
            closures=[
                c for c in closures
                if c.partner_id == service.partner_id and c.service_id in (None, service.pk)
            ],
            tz=tz,
            mode=service.booking_mode,
            first_day=first_day,
            days=days,
            not_before=now,
        )  # fmt: skip
        with transaction.atomic():
            Service.objects.select_for_update().filter(pk=service.pk).values_list("pk").first()
            _write(service.pk, desired, existing_by_service.pop(service.pk, []), report)
    return report


def slots_regenerate(service_id: int, *, now: datetime | None = None) -> RegenerationReport:
    return slots_regenerate_many([service_id], now=now)
