"""The next free slot of every service, stored on the service, so that the catalogue can sort
all services by it without probing the slots index once per service.

`Service.next_free_at` is the start of the first slot with room at or after
`Service.next_free_checked_at`, as it was at that moment (empty: there was none). For a later
instant `now` it is still the answer as long as `now <= next_free_at` and no slot of the
service has changed since. Every such change (a slot becomes full or free, is created,
deleted or moved — by a booking, a cancellation, a regeneration, the admin or anything else)
writes a `StaleNextFree` row, from triggers in the database (migration 0005). So the stored
value is used only when

    next_free_checked_at <= now  and  (next_free_at is empty or next_free_at >= now)
    and the service has no StaleNextFree row;

otherwise the value is computed from the slots as before. Either way the answer is exact;
only the cost differs.

`next_free_refresh` recomputes: each slot regeneration for its services, and a beat task
every minute for the services whose value went stale (time passed it, or a slot changed).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, F, Func, OuterRef, Q, Subquery, Value
from django.utils import timezone

from partners.models import Service, Slot, StaleNextFree

CHUNK = 2000


def first_free_slot(start: datetime) -> Subquery:
    """The start of the service's first slot with room at or after `start` (a subquery on
    the partial index `slot_free_idx`: one index entry read per service)."""
    return Subquery(
        Slot.objects.filter(
            service_id=OuterRef("pk"), starts_at__gte=start, reserved__lt=F("capacity")
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


class NextFreeSlot(Func):
    """The start of the service's first slot with room at or after `start`, for the search.

    When `start` is now, the stored value where it is exact (the rule of the module's
    docstring), else what `first_free_slot` computes. Written as one expression node rather
    than a tree of ORM expressions: the search nests it in subqueries, and Django copies and
    relabels every node each time (the ORM version cost more to build than to run)."""

    output_field = DateTimeField()

    def __init__(self, start: datetime, *, now: datetime):
        super().__init__(F("pk"), F("next_free_at"), F("next_free_checked_at"))
        self.start, self.now = start, now

    def as_sql(self, compiler, connection, **extra):
        (pk, pk_params), (stored, stored_params), (checked, checked_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        start_sql, start_params = compiler.compile(Value(self.start, DateTimeField()))
        quote = connection.ops.quote_name
        slot, stale = quote(Slot._meta.db_table), quote(StaleNextFree._meta.db_table)
        computed = (
            f"(SELECT nfs.starts_at FROM {slot} nfs WHERE nfs.service_id = {pk}"
            f" AND nfs.starts_at >= {start_sql} AND nfs.reserved < nfs.capacity"
            f" ORDER BY nfs.starts_at LIMIT 1)"
        )
        computed_params = [*pk_params, *start_params]
        if self.start != self.now:
            return computed, computed_params
        now_sql, now_params = compiler.compile(Value(self.now, DateTimeField()))
        # Markers repeat (one per change); DISTINCT bounds the set PostgreSQL hashes by the
        # number of services, so that it stays one hashed lookup however many piled up.
        sql = (
            f"CASE WHEN {checked} <= {now_sql} AND ({stored} IS NULL OR {stored} >= {now_sql})"
            f" AND NOT ({pk} IN (SELECT DISTINCT nfm.service_id FROM {stale} nfm))"
            f" THEN {stored} ELSE {computed} END"
        )
        params = [
            *checked_params, *now_params, *stored_params, *stored_params, *now_params,
            *pk_params, *stored_params, *computed_params,
        ]  # fmt: skip
        return sql, params


def _needs_refresh(now: datetime) -> Q:
    return (
        Q(next_free_checked_at__isnull=True)
        | Q(next_free_checked_at__gt=now)
        | Q(next_free_at__lt=now)
        | Q(pk__in=StaleNextFree.objects.values("service_id").distinct())  # see NextFreeSlot
    )


@transaction.atomic
def next_free_refresh(
    service_ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> int:
    """Recompute the stored next free slot of these services (None: every service whose
    value is not exact any more). Returns how many were recomputed.

    The services' rows are locked first, in primary-key order, skipping those another
    transaction holds (a regeneration, which refreshes them itself, or another refresh).
    The markers are deleted before the slots are read, each in its own statement: a slot
    change committed after the deletion was read keeps its marker, so a change the
    computation might miss is never forgotten."""
    now = now or timezone.now()
    services = Service.objects.all()
    if service_ids is None:
        services = services.filter(_needs_refresh(now))
    else:
        services = services.filter(pk__in=list(service_ids))
    ids = list(
        services.select_for_update(no_key=True, skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        StaleNextFree.objects.filter(service_id__in=chunk).delete()
        Service.objects.filter(pk__in=chunk).update(
            next_free_at=first_free_slot(now), next_free_checked_at=now
        )
    if service_ids is None:  # markers left by services deleted since
        StaleNextFree.objects.exclude(service_id__in=Service.objects.values("pk")).delete()
    return len(ids)
