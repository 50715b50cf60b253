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
"""

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


_TAKE = (
    f"UPDATE {Slot._meta.db_table} SET reserved = reserved + %s"
    " WHERE id = %s AND service_id = %s AND reserved + %s <= capacity"
    " RETURNING id, service_id, starts_at, ends_at, capacity, reserved"
)


def reserve(slot_quantities: dict[int, int], *, service_id: int) -> list[Slot]:
    """Take `quantity` places on each slot of the service, all or nothing (call inside a
    transaction). Returns the slots as they are after the update, in primary-key order."""
    taken = []
    for slot_id in sorted(slot_quantities):
        quantity = slot_quantities[slot_id]
        if getattr(settings, "BOOKING_UNSAFE_RESERVATION", False):
            slot = _unsafe_take(slot_id, quantity, service_id)
        else:
            # Evaluated once (a raw query set caches its rows): the update runs once.
            taken_now = list(Slot.objects.raw(_TAKE, [quantity, slot_id, service_id, quantity]))
            slot = taken_now[0] if taken_now else None
        if slot is None:
            _refuse(slot_id, service_id)
        taken.append(slot)
    return taken


def _refuse(slot_id: int, service_id: int) -> None:
    if Slot.objects.filter(pk=slot_id, service_id=service_id).exists():
        raise SlotFull(_("Ce créneau vient d'être complet. Choisissez-en un autre."))
    raise UnknownSlot(_("Choisissez un ou plusieurs créneaux de ce service."))


def _unsafe_take(slot_id: int, quantity: int, service_id: int) -> Slot | None:
    """The race the guard prevents: read, decide in Python, write back (lost updates)."""
    slot = Slot.objects.filter(pk=slot_id, service_id=service_id).first()
    if slot is None or slot.reserved + quantity > slot.capacity:
        return None
    slot.reserved += quantity
    Slot.objects.filter(pk=slot_id).update(reserved=slot.reserved)
    return slot


def release(slot_quantities: dict[int, int]) -> None:
    """Give the places back, in the same order (call inside the transaction of the change).

    Like the reservation, a conditional update (`reserved >= q`): a counter that drifted
    below what the booking holds answers 409 `capacity_mismatch` (`manage.py
    check_capacity` shows it) rather than tripping the check constraint."""
    for slot_id in sorted(slot_quantities):
        quantity = slot_quantities[slot_id]
        given = Slot.objects.filter(pk=slot_id, reserved__gte=quantity).update(
            reserved=F("reserved") - quantity
        )
        if not given and Slot.objects.filter(pk=slot_id).exists():
            raise CapacityMismatch(
                _(
                    "Ce créneau compte moins de places prises que cette réservation : "
                    "le compteur est à vérifier (manage.py check_capacity)."
                )
            )
