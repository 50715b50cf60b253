"""Capacity: never oversold (DESIGN §5).

Reserving is, for each slot in primary-key order, one conditional update
`reserved = reserved + q WHERE reserved + q <= capacity`; a slot that does not take it
rolls the whole transaction back with `slot_full`. The update returns the slot it took
(`RETURNING`), so a booking needs no read of its slots before or after. That update is the
one statement of the booking the ORM cannot say, so it is written here in SQL, and
`Slot.objects.raw` turns its row into a `Slot` with the backend's converters (SQLite hands
datetimes back as text). The check constraint on `Slot` is the last line of defence.
`settings.BOOKING_UNSAFE_RESERVATION` (tests only) swaps in the naive read-then-write, to
show that the concurrency tests can catch an oversell.

`take` / `give_back` are the guard for any table with `capacity` and `reserved`: the
platform's own agenda (`agenda.AgendaSlot`) takes its places through them too.
"""

from functools import lru_cache

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError
from partners.models import Slot


class SlotFull(ConflictError):
    default_code = ErrorCode.SLOT_FULL


class UnknownSlot(ApplicationError):
    """A slot that does not exist, or belongs to another service (an input error)."""

    default_code = ErrorCode.INVALID


class CapacityMismatch(ConflictError):
    """The slot holds fewer places than the booking gives back: its counter drifted."""

    default_code = ErrorCode.CAPACITY_MISMATCH


@lru_cache(maxsize=16)
def _take_statement(model, scope: tuple[str, ...]) -> str:
    """`UPDATE <table> SET reserved = reserved + %s WHERE id = %s AND <scope> AND reserved +
    %s <= capacity RETURNING <every column>`, for any model with `capacity` and `reserved`
    (partners' slots, the platform's agenda slots)."""
    meta = model._meta
    where = "".join(f" AND {meta.get_field(name).column} = %s" for name in scope)
    columns = ", ".join(f.column for f in meta.concrete_fields)
    return (
        f"UPDATE {meta.db_table} SET reserved = reserved + %s WHERE id = %s{where}"
        f" AND reserved + %s <= capacity RETURNING {columns}"
    )


def take(model, row_id: int, quantity: int, **scope):
    """The guard itself: take `quantity` places on one row of `model` whose `scope` fields
    have these values, in one conditional update; the row as it is after the update, or None
    when it has no room (or is not in scope). Call inside a transaction."""
    if getattr(settings, "BOOKING_UNSAFE_RESERVATION", False):
        return _unsafe_take(model, row_id, quantity, scope)
    sql = _take_statement(model, tuple(scope))
    # Evaluated once (a raw query set caches its rows): the update runs once.
    taken_now = list(model.objects.raw(sql, [quantity, row_id, *scope.values(), quantity]))
    return taken_now[0] if taken_now else None


def reserve(slot_quantities: dict[int, int], *, service_id: int) -> list[Slot]:
    """Take `quantity` places on each slot of the service, all or nothing (call inside a
    transaction). Returns the slots as they are after the update, in primary-key order."""
    taken = []
    for slot_id in sorted(slot_quantities):
        slot = take(Slot, slot_id, slot_quantities[slot_id], service_id=service_id)
        if slot is None:
            _refuse(slot_id, service_id)
        taken.append(slot)
    return taken


def _refuse(slot_id: int, service_id: int) -> None:
    if Slot.objects.filter(pk=slot_id, service_id=service_id).exists():
        raise SlotFull(_("Ce créneau vient d'être complet. Choisissez-en un autre."))
    raise UnknownSlot(_("Choisissez un ou plusieurs créneaux de ce service."))


def _unsafe_take(model, row_id: int, quantity: int, scope: dict):
    """The race the guard prevents: read, decide in Python, write back (lost updates)."""
    row = model.objects.filter(pk=row_id, **scope).first()
    if row is None or row.reserved + quantity > row.capacity:
        return None
    row.reserved += quantity
    model.objects.filter(pk=row_id).update(reserved=row.reserved)
    return row


def give_back(model, row_quantities: dict[int, int]) -> None:
    """Give places back on rows of `model`, in primary-key order, by a conditional update
    (`reserved >= q`); a counter that drifted answers 409 `capacity_mismatch`."""
    for row_id in sorted(row_quantities):
        quantity = row_quantities[row_id]
        given = model.objects.filter(pk=row_id, reserved__gte=quantity).update(
            reserved=F("reserved") - quantity
        )
        if not given and model.objects.filter(pk=row_id).exists():
            raise CapacityMismatch(
                _(
                    "Ce créneau compte moins de places prises que cette réservation : "
                    "le compteur est à vérifier (manage.py check_capacity)."
                )
            )


def release(slot_quantities: dict[int, int]) -> None:
    """Give the places back, in the same order (call inside the transaction of the change).

    Like the reservation, a conditional update (`reserved >= q`): a counter that drifted
    below what the booking holds answers 409 `capacity_mismatch` (`manage.py
    check_capacity` shows it) rather than tripping the check constraint."""
    give_back(Slot, slot_quantities)
