"""The waiting list of a full collective session under concurrency (issue 16), on real
PostgreSQL: two seats held by offers and one seat free; each offer accepted twice at once
(the person by the link, the adviser on the phone) while 46 advisers book the session
directly. The offers' seats go to the two people offered, the free one to one adviser, and
the session never holds more than its seats. The control switches the capacity guard off
and must show the same race overselling the session."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.models import AgendaSlot, Appointment
from agenda.services_appointments import appointment_book, appointment_cancel
from bookings.capacity import SlotFull
from bookings.enums_waitlist import OfferStatus
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.services_waitlist import waitlist_offer_accept
from core.errors import InvalidTransition
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.concurrency.helpers import collective_session, fresh_user, seats_held
from tests.concurrency.race import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKERS = 50
CONTROL_TRIES = 5


def _session(world, *, days: int) -> AgendaSlot:
    """A session of 3 seats, full, two people in line; then the 3 participants cancel: two
    offers hold two seats, the third seat is free (nobody else waits)."""
    session = collective_session(world, seats=3, days=days)
    participants = [
        appointment_book(actor=world.adviser, slot_id=session.pk,
                         beneficiary_id=BeneficiaryFactory(platform=world.platform).pk)
        for _ in range(3)
    ]  # fmt: skip
    for person in world.people[:2]:
        WaitingListEntry.objects.create(
            platform=world.platform, beneficiary=person, session=session,
            wanted_from=timezone.localdate(), wanted_until=timezone.localdate() + timedelta(days),
            added_by=world.adviser,
        )  # fmt: skip
    for appointment in participants:  # each commit offers the seat to the line
        appointment_cancel(actor=world.adviser, appointment_id=appointment.pk, reason="x")
    session.refresh_from_db()
    assert session.reserved == 2
    assert WaitingListOffer.objects.filter(entry__session=session, holding=True).count() == 2
    return session


def _attempt(world, session):
    offers = {
        o.entry.beneficiary_id: o.pk
        for o in WaitingListOffer.objects.filter(entry__session=session, status="offered")
        .select_related("entry")
    }  # fmt: skip
    first, second = (offers[p.pk] for p in world.people[:2])

    def attempt(adviser, worker, round_):
        if worker < 4:  # workers 0, 1: the first offer; 2, 3: the second
            offer_id = first if worker < 2 else second
            if worker % 2:
                return waitlist_offer_accept(offer_id=offer_id, actor=adviser).pk
            return waitlist_offer_accept(offer_id=offer_id, via_link=True).pk
        return appointment_book(
            actor=adviser, slot_id=session.pk, beneficiary_id=world.people[worker].pk
        ).pk

    return attempt


def _race(world, session):
    return race(WORKERS, _attempt(world, session),
                prepare=lambda worker: fresh_user(world.adviser.pk))  # fmt: skip


def test_acceptances_and_direct_bookings_of_a_session_never_oversell(world):
    session = _session(world, days=3)

    outcomes = _race(world, session)

    accepted = [o for o in outcomes if o.worker < 4 and o.ok]
    assert sorted(o.worker // 2 for o in accepted) == [0, 1]  # one acceptance per offer
    late_clicks = [o.error for o in outcomes if o.worker < 4 and not o.ok]
    assert len(late_clicks) == 2 and all(isinstance(e, InvalidTransition) for e in late_clicks)
    direct = [o for o in outcomes if o.worker >= 4]
    assert sum(o.ok for o in direct) == 1  # the free seat, to one adviser
    assert all(isinstance(o.error, SlotFull) for o in direct if not o.ok)
    people = set(
        Appointment.objects.filter(slot=session, holding=True).values_list(
            "beneficiary_id", flat=True
        )
    )
    assert {p.pk for p in world.people[:2]} <= people and len(people) == 3
    assert not WaitingListOffer.objects.filter(entry__session=session, holding=True).exists()
    assert set(WaitingListOffer.objects.values_list("status", flat=True)) == {OfferStatus.ACCEPTED}
    session.refresh_from_db()
    assert session.reserved == seats_held(session) == 3


def test_control_without_the_guard_the_same_race_oversells_the_session(world, settings):
    for attempt in range(CONTROL_TRIES):
        session = _session(world, days=10 + attempt)
        settings.BOOKING_UNSAFE_RESERVATION = True
        outcomes = _race(world, session)
        settings.BOOKING_UNSAFE_RESERVATION = False
        booked = sum(o.ok for o in outcomes)
        if booked > 3:
            break
        WaitingListEntry.objects.filter(session=session).delete()
    assert booked > 3, f"no oversell in {CONTROL_TRIES} tries: the race is too weak"
    session.refresh_from_db()
    assert seats_held(session) == booked > session.capacity
