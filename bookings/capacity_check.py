"""The capacity invariant, checked in the database (DESIGN §5).

For every slot, `reserved` must equal the places its holding bookings take, plus the places
held by open waiting-list offers (`bookings.models_waitlist`). Only slots that
have a reservation or a booking row can be wrong, so only those are checked: one query with
an aggregate subquery finds the ones that are.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from bookings.enums import HOLDING
from bookings.models import BookingSlot
from bookings.models_waitlist import WaitingListOffer
from partners.models import Slot


@dataclass(frozen=True)
class SlotMismatch:
    slot_id: int
    service_id: int
    starts_at: datetime
    reserved: int
    held: int


@dataclass(frozen=True)
class CapacityReport:
    checked: int
    mismatches: list[SlotMismatch]

    @property
    def consistent(self) -> bool:
        return not self.mismatches


def _slots_to_check() -> QuerySet[Slot]:
    """Slots with places reserved or booking rows (in any status), with what bookings hold."""
    held = (
        BookingSlot.objects.filter(slot=OuterRef("pk"), booking__status__in=HOLDING)
        .order_by()
        .values("slot")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    offered = (
        WaitingListOffer.objects.filter(slot=OuterRef("pk"), holding=True)
        .order_by()
        .values("slot")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Slot.objects.filter(
            Q(reserved__gt=0) | Exists(BookingSlot.objects.filter(slot=OuterRef("pk")))
        )
        .annotate(
            held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(offered, output_field=IntegerField()), Value(0))
        )
        .order_by()
    )


def capacity_mismatches() -> list[SlotMismatch]:
    """Every slot whose `reserved` differs from its holding bookings' quantities (one query)."""
    rows = (
        _slots_to_check()
        .exclude(reserved=F("held"))
        .order_by("service_id", "starts_at", "pk")
        .values_list("pk", "service_id", "starts_at", "reserved", "held")
    )
    return [SlotMismatch(*row) for row in rows]


def capacity_check() -> CapacityReport:
    return CapacityReport(checked=_slots_to_check().count(), mismatches=capacity_mismatches())
