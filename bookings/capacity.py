"""Capacity: never oversold (DESIGN §5).

Reserving is, for each slot in primary-key order, one conditional update
`reserved = reserved + q WHERE reserved + q <= capacity`; a slot that does not take it
rolls the whole transaction back with `slot_full`. The check constraint on `Slot` is the
last line of defence. `settings.BOOKING_UNSAFE_RESERVATION` (tests only) swaps in the naive
read-then-write, to show that the concurrency tests can catch an oversell.
"""

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ConflictError
from partners.models import Slot


class SlotFull(ConflictError):
    default_code = ErrorCode.SLOT_FULL


def reserve(slot_quantities: dict[int, int]) -> None:
    """Take `quantity` places on each slot, all or nothing (call inside a transaction)."""
    for slot_id in sorted(slot_quantities):
        quantity = slot_quantities[slot_id]
        if getattr(settings, "BOOKING_UNSAFE_RESERVATION", False):
            taken = _unsafe_take(slot_id, quantity)
        else:
            taken = Slot.objects.filter(pk=slot_id, reserved__lte=F("capacity") - quantity).update(
                reserved=F("reserved") + quantity
            )
        if not taken:
            raise SlotFull(_("Ce créneau vient d'être complet. Choisissez-en un autre."))


def _unsafe_take(slot_id: int, quantity: int) -> int:
    """The race the guard prevents: read, decide in Python, write back (lost updates)."""
    slot = Slot.objects.get(pk=slot_id)
    if slot.reserved + quantity > slot.capacity:
        return 0
    return Slot.objects.filter(pk=slot_id).update(reserved=slot.reserved + quantity)


def release(slot_quantities: dict[int, int]) -> None:
    """Give the places back, in the same order (call inside the transaction of the change)."""
    for slot_id in sorted(slot_quantities):
        Slot.objects.filter(pk=slot_id).update(reserved=F("reserved") - slot_quantities[slot_id])
