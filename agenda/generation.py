"""The agenda's slots: advisers' weekly rules and closures, in the platform's time zone,
become `AgendaSlot` rows over a rolling horizon.

The wanted slots come from `partners.slots.desired_slots`, the partners' own pure generator
(clock changes, closures), fed with `AgendaRule`s (they have the attributes of an
`AvailabilityRule`: the slot length and seats come from the appointment kind). Writing is a
diff like the partners' one: a slot holding appointments is never deleted, never moved to
another place or kind, and its capacity never goes below `reserved`. Sessions set by hand
(`session=True`) are not the rules' and are left alone.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from agenda.models import AgendaClosure, AgendaRule, AgendaSlot
from partners.enums import BookingMode
from partners.slots import Window, desired_slots


def agenda_tz() -> ZoneInfo:
    return ZoneInfo(settings.AGENDA_TIME_ZONE)


@dataclass(frozen=True)
class Wanted:
    window: Window
    place_id: int
    kind_id: int
    platform_id: int


@dataclass
class AgendaReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: int = 0  # slots the rules no longer give but that hold appointments


def _applies(closure: AgendaClosure, rule: AgendaRule) -> bool:
    return (
        closure.platform_id == rule.place.platform_id
        and closure.adviser_id in (None, rule.adviser_id)
        and closure.place_id in (None, rule.place_id)
    )


def desired_agenda(
    *, rules: Iterable[AgendaRule], closures: Iterable[AgendaClosure], first_day, days: int,
    not_before: datetime | None = None, tz: ZoneInfo | None = None,
) -> dict[datetime, Wanted]:  # fmt: skip
    """The slots one adviser's rules give (rules of one adviser), keyed by start; on an
    overlap (refused on input) the earlier rule wins."""
    tz = tz or agenda_tz()
    closures = list(closures)
    result: dict[datetime, Wanted] = {}
    for rule in sorted(rules, key=lambda r: r.pk or 0):
        windows = desired_slots(
            rules=[rule], closures=[c for c in closures if _applies(c, rule)], tz=tz,
            mode=BookingMode.SLOT, first_day=first_day, days=days, not_before=not_before,
        )  # fmt: skip
        for start, window in windows.items():
            result.setdefault(
                start, Wanted(window, rule.place_id, rule.kind_id, rule.place.platform_id)
            )
    return result


@transaction.atomic
def agenda_regenerate(
    adviser_ids: Iterable[int], *, now: datetime | None = None, days: int | None = None
) -> AgendaReport:
    """Make the advisers' future rule slots match their rules, in one transaction. The
    advisers' rows are locked first (primary-key order) so two runs never interleave."""
    now = now or timezone.now()
    days = days or settings.AGENDA_HORIZON_DAYS
    report = AgendaReport()
    ids = list(
        get_user_model()
        .objects.select_for_update(no_key=True)
        .filter(pk__in=list(adviser_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return report
    rules = defaultdict(list)
    for rule in AgendaRule.objects.filter(adviser_id__in=ids).select_related("kind", "place"):
        rules[rule.adviser_id].append(rule)
    closures = list(
        AgendaClosure.objects.filter(ends_at__gt=now).filter(
            Q(adviser_id__in=ids) | Q(adviser__isnull=True)
        )
    )
    tz = agenda_tz()
    end = now + timedelta(days=days + 1)
    existing = defaultdict(list)
    for slot in AgendaSlot.objects.filter(
        adviser_id__in=ids, session=False, starts_at__gte=now, starts_at__lt=end
    ):
        existing[slot.adviser_id].append(slot)
    inserts, changed, deletions = [], [], []
    for adviser_id in ids:
        wanted = desired_agenda(
            rules=rules[adviser_id], closures=closures, first_day=now.astimezone(tz).date(),
            days=days, not_before=now, tz=tz,
        )  # fmt: skip
        for slot in existing[adviser_id]:
            want = wanted.pop(slot.starts_at, None)
            if want is None:
                if slot.reserved == 0:
                    deletions.append(slot.pk)
                else:
                    report.kept += 1
                continue
            same_kind = (want.place_id, want.kind_id) == (slot.place_id, slot.kind_id)
            if not same_kind and slot.reserved:
                report.kept += 1  # people are expected there: the slot stays as booked
                continue
            if (
                not same_kind
                or want.window.capacity != slot.capacity
                or want.window.ends_at != slot.ends_at
            ):
                changed.append((slot.pk, want))
        inserts += [
            AgendaSlot(
                platform_id=w.platform_id,
                adviser_id=adviser_id,
                place_id=w.place_id,
                kind_id=w.kind_id,
                starts_at=w.window.starts_at,
                ends_at=w.window.ends_at,
                capacity=w.window.capacity,
            )  # fmt: skip
            for w in wanted.values()
        ]
    for pk, want in changed:
        # Relative to the row as it is now: a concurrent appointment is never undercut.
        report.updated += AgendaSlot.objects.filter(pk=pk).update(
            place_id=want.place_id, kind_id=want.kind_id, ends_at=want.window.ends_at,
            capacity=Greatest(Value(want.window.capacity), F("reserved")),
        )  # fmt: skip
    if deletions:
        # Only still empty: an appointment taken meanwhile keeps its slot.
        report.deleted = (
            AgendaSlot.objects.filter(pk__in=deletions, reserved=0)
            .delete()[1]
            .get(AgendaSlot._meta.label, 0)
        )
    AgendaSlot.objects.bulk_create(inserts, batch_size=2000)
    report.created = len(inserts)
    return report
