"""A collective session of 5 seats raced by 50 advisers' bookings at once, on real
PostgreSQL: exactly 5 appointments, the seats counted right. The agenda takes its seats
through bookings' capacity guard (`bookings.capacity.take`); the control switches the guard
off and must show the oversell."""

import pytest

from agenda.models import Appointment
from agenda.services_appointments import appointment_book
from bookings.capacity import SlotFull
from tests.concurrency.helpers import collective_session, fresh_user, seats_held
from tests.concurrency.race import errors_other_than, race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKERS = 50
CONTROL_TRIES = 5


def _book(world, session):
    def attempt(adviser, worker, round_):
        return appointment_book(
            actor=adviser, slot_id=session.pk, beneficiary_id=world.people[worker].pk
        ).pk

    return attempt


def test_a_session_of_five_raced_by_fifty_takes_exactly_five(world):
    session = collective_session(world, seats=5, days=3)

    outcomes = race(WORKERS, _book(world, session),
                    prepare=lambda worker: fresh_user(world.adviser.pk))  # fmt: skip

    assert sum(o.ok for o in outcomes) == 5
    assert errors_other_than(outcomes, SlotFull, "slot_full") == []
    session.refresh_from_db()
    assert session.reserved == seats_held(session) == 5
    assert Appointment.objects.filter(slot=session).count() == 5


def test_control_without_the_guard_the_same_race_oversells(world, settings):
    settings.BOOKING_UNSAFE_RESERVATION = True
    for attempt in range(CONTROL_TRIES):
        session = collective_session(world, seats=1, days=10 + attempt)
        outcomes = race(WORKERS, _book(world, session),
                        prepare=lambda worker: fresh_user(world.adviser.pk))  # fmt: skip
        booked = sum(o.ok for o in outcomes)
        if booked > 1:
            break
    assert booked > 1, f"no oversell in {CONTROL_TRIES} tries: the race is too weak"
    session.refresh_from_db()
    assert seats_held(session) == booked > session.reserved
