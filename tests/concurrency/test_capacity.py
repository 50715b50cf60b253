"""Capacity under concurrency (DESIGN §5), on real PostgreSQL: many threads, each with its own
connection, released together by a barrier, race for the same places.

The control runs the same race with the guard switched off (`BOOKING_UNSAFE_RESERVATION`)
and must show the oversell: it proves these tests are able to fail.
"""

from collections import Counter

import pytest

from bookings.capacity import SlotFull
from bookings.enums import BookingStatus
from bookings.models import Booking, BookingEvent
from bookings.services import AlreadyBooked, booking_confirm, booking_create
from core.errors import InvalidTransition
from core.models import Notification
from tests.concurrency.helpers import fresh_user, held
from tests.concurrency.race import errors_other_than, race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKERS = 50  # threads (connections) released together
ROUNDS = 4  # WORKERS × ROUNDS = 200 attempts on one slot
CONTROL_TRIES = 5


def book(world, *, service=None, slot_ids_for, same_person=False):
    """An attempt: the adviser books the slots `slot_ids_for(worker)` for the worker's own
    person (or, `same_person`, all for the one person)."""
    service = service or world.service

    def attempt(adviser, worker, round_):
        person = world.beneficiary if same_person else world.people[worker]
        return booking_create(
            actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
            slot_ids=slot_ids_for(worker),
        ).pk  # fmt: skip

    return attempt


def as_user(user):
    return lambda worker: fresh_user(user.pk)


@pytest.mark.parametrize("capacity", [1, 5])
def test_a_slot_is_never_oversold(world, capacity):
    slot = world.slot(3, capacity=capacity)

    outcomes = race(
        WORKERS, book(world, slot_ids_for=lambda worker: [slot.pk]),
        prepare=as_user(world.adviser), rounds=ROUNDS,
    )  # fmt: skip

    assert len(outcomes) == 200
    assert sum(o.ok for o in outcomes) == capacity
    assert errors_other_than(outcomes, SlotFull, "slot_full") == []
    assert sum(not o.ok for o in outcomes) == 200 - capacity
    assert Booking.objects.filter(service=world.service).count() == capacity
    slot.refresh_from_db()
    assert slot.reserved == held(slot) == capacity


def test_one_person_holds_one_booking_of_a_slot_however_many_try(world):
    """Fifty clicks for one person on a slot with room for five: one booking, the database's
    partial unique constraint refusing the others (409 already_booked), their places back."""
    slot = world.slot(5, capacity=5)

    outcomes = race(
        WORKERS, book(world, slot_ids_for=lambda worker: [slot.pk], same_person=True),
        prepare=as_user(world.adviser),
    )  # fmt: skip

    assert sum(o.ok for o in outcomes) == 1
    assert errors_other_than(outcomes, AlreadyBooked, "already_booked") == []
    assert Booking.objects.filter(service=world.service, beneficiary=world.beneficiary).count() == 1
    slot.refresh_from_db()
    assert slot.reserved == held(slot) == 1


def test_control_without_the_guard_the_same_race_oversells(world, settings):
    """The naive read-then-write loses updates: more bookings than places. If this test
    passes, the race above is real and would catch a broken guard."""
    settings.BOOKING_UNSAFE_RESERVATION = True
    for attempt in range(CONTROL_TRIES):
        slot = world.slot(10 + attempt, capacity=1)
        outcomes = race(
            WORKERS, book(world, slot_ids_for=lambda worker, slot=slot: [slot.pk]),
            prepare=as_user(world.adviser),
        )  # fmt: skip
        booked = sum(o.ok for o in outcomes)
        if booked > slot.capacity:
            break
    assert booked > slot.capacity, f"no oversell in {CONTROL_TRIES} tries: the race is too weak"
    slot.refresh_from_db()
    assert held(slot) == booked > slot.reserved  # the lost updates, in the data


def test_one_confirmation_wins(world):
    slot = world.slot(4, capacity=1)
    booking = booking_create(
        actor=world.adviser, beneficiary_id=world.beneficiary.pk,
        service_id=world.service.pk, slot_ids=[slot.pk],
    )  # fmt: skip
    assert booking.status == BookingStatus.REQUESTED
    assert not Notification.objects.filter(template="bookings/confirmed").exists()

    outcomes = race(
        WORKERS,
        lambda manager, worker, round_: booking_confirm(actor=manager, booking_id=booking.pk),
        prepare=as_user(world.manager),
    )

    assert sum(o.ok for o in outcomes) == 1
    assert errors_other_than(outcomes, InvalidTransition, "invalid_transition") == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert BookingEvent.objects.filter(booking=booking, to_status="confirmed").count() == 1
    sent = Notification.objects.filter(template="bookings/confirmed")
    assert Counter(sent.values_list("recipient", flat=True)) == {
        world.adviser.email: 1,
        world.beneficiary.email: 1,
    }
    slot.refresh_from_db()
    assert slot.reserved == held(slot) == 1


PERIOD_ROUNDS = 5
RIVALS = 9  # single-day bookings of the middle day, against one booking of the period


def test_a_period_takes_every_day_or_none(world):
    """Days 1–3 of a rental, one place each: one period booking races nine bookings of day 2
    alone. Whoever loses reserves nothing; when the period loses, days 1 and 3 stay free."""
    period_lost = 0
    for round_ in range(PERIOD_ROUNDS):
        days = [world.slot(20 + 3 * round_ + n, service=world.rental) for n in range(3)]
        period, middle = [d.pk for d in days], [days[1].pk]

        outcomes = race(
            1 + RIVALS,
            book(world, service=world.rental,
                 slot_ids_for=lambda worker, p=period, m=middle: p if worker == 0 else m),
            prepare=as_user(world.adviser),
        )  # fmt: skip

        winners = [o for o in outcomes if o.ok]
        assert len(winners) == 1
        assert errors_other_than(outcomes, SlotFull, "slot_full") == []
        period_won = winners[0].worker == 0
        period_lost += not period_won
        for day in days:
            day.refresh_from_db()
            assert day.reserved == held(day)
        assert [d.reserved for d in days] == [int(period_won), 1, int(period_won)]
    assert Booking.objects.filter(service=world.rental).count() == PERIOD_ROUNDS
    assert period_lost, "the period booking never lost: the all-or-nothing path did not run"
