"""Bookings and the next free slot the catalogue shows: booking the last place of a slot and
cancelling it move the stored value (`partners.next_free`) without any code in the booking
path — database triggers leave the marker — and cost nothing when no slot fills or frees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from marketplace.selectors import SearchFilters, service_search
from partners.models import Service, StaleNextFree
from partners.next_free import next_free_refresh
from tests.bookings.conftest import make_slot

pytestmark = pytest.mark.django_db


def shown(service):
    results = service_search(Service.objects.filter(pk=service.pk), SearchFilters())
    return list(results[0:1])[0].next_available_at


def stored(service):
    service.refresh_from_db()
    return service.next_free_at


def marked(service) -> bool:
    return StaleNextFree.objects.filter(service=service).exists()


def book(adviser, person, service, slot):
    return services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk]
    )


def test_booking_the_last_place_then_cancelling(adviser, person, service):
    first, second = make_slot(service, 2), make_slot(service, 3)
    next_free_refresh()
    assert stored(service) == first.starts_at and not marked(service)

    booking = book(adviser, person, service, first)  # first is now full
    assert marked(service)
    assert shown(service) == second.starts_at
    next_free_refresh()
    assert stored(service) == second.starts_at and not marked(service)

    services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Rendez-vous déplacé")
    assert marked(service)  # first has room again
    assert shown(service) == first.starts_at
    next_free_refresh()
    assert stored(service) == first.starts_at and not marked(service)


def test_a_booking_that_leaves_room_marks_nothing(adviser, person, service):
    slot = make_slot(service, 2, capacity=2)
    next_free_refresh()
    with CaptureQueriesContext(connection) as booked:
        book(adviser, person, service, slot)
    assert not marked(service)
    assert stored(service) == shown(service) == slot.starts_at
    # The booking path itself sends no query about the next free slot, nor locks the service.
    sql = [q["sql"].lower() for q in booked.captured_queries]
    assert not [q for q in sql if "stalenextfree" in q or q.startswith('update "partners_service"')]
