"""Property: whatever the sequence of bookings and transitions, every slot's `reserved` equals
the places its holding bookings take, and stays within 0..capacity (DESIGN §5).

A Hypothesis state machine books, confirms, cancels, declines and expires on a few slots of
small capacities, and checks each answer against a model: a booking succeeds exactly when all
its slots have room, a transition exactly when the table allows it.
"""

from datetime import timedelta
from typing import ClassVar

import pytest
from django.conf import settings as django_settings
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from bookings.capacity import SlotFull
from bookings.enums import HOLDING, TRANSITIONS, BookingStatus
from bookings.models import Booking, BookingSlot
from bookings.services import (
    AlreadyBooked,
    booking_cancel,
    booking_confirm,
    booking_create,
    booking_decline,
    bookings_expire,
)
from core.errors import InvalidTransition
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

SLOT_INDEXES = st.sets(st.integers(min_value=0, max_value=2), min_size=1, max_size=2)


class CapacityMachine(RuleBasedStateMachine):
    """`world` is set by the test: adviser, partner manager, service (no notice needed) and
    the person booked for, in the test's transaction; each example starts with fresh slots and
    no booking."""

    world: ClassVar[dict]
    bookings = Bundle("bookings")

    def __init__(self):
        super().__init__()
        self.service = self.world["service"]
        Booking.objects.filter(service=self.service).delete()
        Slot.objects.filter(service=self.service).delete()
        self.slots: list[Slot] = []
        self.status: dict[int, str] = {}  # the model: booking → status
        self.places: dict[int, dict[int, int]] = {}  # booking → {slot: quantity}
        self.person: dict[int, int] = {}  # booking → the person it is for

    def expected_reserved(self, slot_id: int) -> int:
        return sum(
            places.get(slot_id, 0)
            for booking_id, places in self.places.items()
            if self.status[booking_id] in HOLDING
        )

    @initialize(capacities=st.lists(st.integers(min_value=1, max_value=3), min_size=2, max_size=3))
    def make_slots(self, capacities):
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        self.slots = [
            Slot.objects.create(service=self.service, starts_at=start + timedelta(hours=n),
                                ends_at=start + timedelta(hours=n + 1), capacity=capacity)
            for n, capacity in enumerate(capacities)
        ]  # fmt: skip

    def holds(self, person_id: int, slot_id: int) -> bool:
        return any(
            self.person[b] == person_id and slot_id in places and self.status[b] in HOLDING
            for b, places in self.places.items()
        )

    @rule(target=bookings, indexes=SLOT_INDEXES, quantity=st.integers(min_value=1, max_value=2),
          who=st.integers(min_value=0, max_value=1))  # fmt: skip
    def book(self, indexes, quantity, who):
        slots = {self.slots[i % len(self.slots)] for i in indexes}
        person_id = self.world["people"][who].pk
        room = all(self.expected_reserved(s.pk) + quantity <= s.capacity for s in slots)
        held = any(self.holds(person_id, s.pk) for s in slots)
        try:
            booking = booking_create(
                actor=self.world["adviser"], beneficiary_id=person_id,
                service_id=self.service.pk, slot_ids=[s.pk for s in slots], quantity=quantity,
            )  # fmt: skip
        except SlotFull:
            assert not room, "refused although every slot had room"
            return multiple()
        except AlreadyBooked:
            assert room and held, "refused as already booked although the person holds none"
            return multiple()
        assert room, "accepted although a slot was full"
        assert not held, "a person holds two active bookings of one slot"
        self.status[booking.pk] = booking.status
        self.places[booking.pk] = {s.pk: quantity for s in slots}
        self.person[booking.pk] = person_id
        return booking.pk

    def _transition(self, booking_id: int, to: str, call) -> None:
        allowed = to in TRANSITIONS.get(self.status[booking_id], set())
        try:
            call()
        except InvalidTransition:
            assert not allowed, f"{self.status[booking_id]} → {to} refused"
            return
        assert allowed, f"{self.status[booking_id]} → {to} accepted"
        self.status[booking_id] = to

    @rule(booking_id=bookings)
    def confirm(self, booking_id):
        self._transition(booking_id, BookingStatus.CONFIRMED, lambda: booking_confirm(
            actor=self.world["manager"], booking_id=booking_id))  # fmt: skip

    @rule(booking_id=bookings)
    def decline(self, booking_id):
        self._transition(booking_id, BookingStatus.DECLINED, lambda: booking_decline(
            actor=self.world["manager"], booking_id=booking_id, reason="Fermé"))  # fmt: skip

    @rule(booking_id=bookings, by=st.sampled_from(["adviser", "manager"]))
    def cancel(self, booking_id, by):
        self._transition(booking_id, BookingStatus.CANCELLED, lambda: booking_cancel(
            actor=self.world[by], booking_id=booking_id, reason="Plus besoin"))  # fmt: skip

    @rule()
    def expire(self):
        later = timezone.now() + timedelta(hours=django_settings.PARTNER_ANSWER_HOURS + 1)
        requested = [b for b, s in self.status.items() if s == BookingStatus.REQUESTED]
        assert bookings_expire(now=later) == len(requested)
        for booking_id in requested:
            self.status[booking_id] = BookingStatus.EXPIRED

    @invariant()
    def reserved_is_what_holding_bookings_take(self):
        rows = Slot.objects.filter(service=self.service).annotate(
            held=Coalesce(Sum("booking_slots__quantity",
                              filter=Q(booking_slots__booking__status__in=HOLDING)), 0)
        )  # fmt: skip
        for slot in rows:
            assert slot.reserved == slot.held == self.expected_reserved(slot.pk), slot
            assert 0 <= slot.reserved <= slot.capacity, slot

    @invariant()
    def a_slot_link_holds_exactly_while_its_booking_does(self):
        links = BookingSlot.objects.filter(booking__service=self.service)
        assert not links.filter(holding=True).exclude(booking__status__in=HOLDING).exists()
        assert not links.filter(holding=False, booking__status__in=HOLDING).exists()


def test_capacity_invariant_holds_through_any_sequence(adviser, partner_manager, service, person):
    neighbour = BeneficiaryFactory(platform=person.platform, adviser=adviser)
    CapacityMachine.world = {
        "adviser": adviser, "manager": partner_manager, "service": service,
        "people": [person, neighbour],
    }  # fmt: skip
    run_state_machine_as_test(
        CapacityMachine,
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None, database=None),
    )
