"""Waiting lists under concurrency (issue 16), on real PostgreSQL: offers made by runs that
race, and acceptances racing with each other and with direct bookings of the same slot."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.capacity import SlotFull
from bookings.capacity_check import capacity_mismatches
from bookings.enums_waitlist import OfferStatus
from bookings.models import Booking
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.services import booking_create
from bookings.services_waitlist import waitlist_offer_accept, waitlist_offer_places
from core.errors import InvalidTransition
from tests.concurrency.helpers import fresh_user, held
from tests.concurrency.race import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKERS = 50


def _line(world, count: int) -> list[WaitingListEntry]:
    today = timezone.localdate()
    return [
        WaitingListEntry.objects.create(
            platform=world.platform,
            beneficiary=person,
            service=world.service,
            wanted_from=today,
            wanted_until=today + timedelta(days=20),
            added_by=world.adviser,
        )  # fmt: skip
        for person in world.people[:count]
    ]


def test_racing_offer_runs_give_each_free_place_to_one_person(world):
    """Fifty runs at once for a service with three free places and ten people in line: three
    offers, to the first three people, each holding one place."""
    slot = world.slot(4, capacity=3)
    entries = _line(world, 10)

    outcomes = race(
        WORKERS, lambda _p, worker, round_: len(waitlist_offer_places(service_id=world.service.pk))
    )

    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
    assert sum(o.value for o in outcomes) == 3
    offers = WaitingListOffer.objects.filter(status=OfferStatus.OFFERED)
    assert sorted(o.entry_id for o in offers) == [e.pk for e in entries[:3]]
    slot.refresh_from_db()
    assert slot.reserved == 3 and capacity_mismatches() == []


def test_concurrent_acceptances_and_bookings_never_oversell(world):
    """Two places held by two offers; each offer accepted twice at once (the person by the
    link, the adviser on the phone) while 46 advisers try to book the same slot directly:
    exactly the two offered people get it, nobody else, and the slot holds two."""
    slot = world.slot(4, capacity=2)
    first, second = _line(world, 2)
    waitlist_offer_places(service_id=world.service.pk)
    offers = {o.entry_id: o.pk for o in WaitingListOffer.objects.all()}
    assert set(offers) == {first.pk, second.pk}

    def attempt(adviser, worker, round_):
        if worker < 4:  # workers 0, 1: the first offer; 2, 3: the second
            offer_id = offers[first.pk if worker < 2 else second.pk]
            if worker % 2:
                return waitlist_offer_accept(offer_id=offer_id, actor=adviser).booking_id
            return waitlist_offer_accept(offer_id=offer_id, via_link=True).booking_id
        return booking_create(
            actor=adviser, beneficiary_id=world.people[worker].pk,
            service_id=world.service.pk, slot_ids=[slot.pk],
        ).pk  # fmt: skip

    outcomes = race(WORKERS, attempt, prepare=lambda worker: fresh_user(world.adviser.pk))

    won = [o for o in outcomes if o.ok]
    assert sorted(o.worker // 2 for o in won) == [0, 1]  # one acceptance per offer
    late_clicks = [o.error for o in outcomes if o.worker < 4 and not o.ok]
    assert all(isinstance(e, InvalidTransition) for e in late_clicks) and len(late_clicks) == 2
    direct = [o.error for o in outcomes if o.worker >= 4]
    assert all(isinstance(e, SlotFull) for e in direct), direct[:3]
    bookings = Booking.objects.filter(service=world.service)
    assert sorted(b.beneficiary_id for b in bookings) == sorted(
        [first.beneficiary_id, second.beneficiary_id]
    )
    slot.refresh_from_db()
    assert slot.reserved == held(slot) == 2
    assert capacity_mismatches() == []
