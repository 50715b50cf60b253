"""A slot regeneration holds its service's row; a booking of that service must not wait for
it. (The booking holds its slot, and its foreign key check needs a KEY SHARE lock on the
service: with a plain FOR UPDATE there, a regeneration that then touches the slot deadlocks
with it.) On real PostgreSQL."""

import pytest
from django.utils import timezone

from bookings.services import booking_create
from partners.models import Slot
from partners.slots import slots_regenerate
from tests.concurrency.helpers import fresh_user, held_open, lock_timeout
from tests.partners.factories import RuleFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_booking_goes_through_while_a_regeneration_holds_the_service(world):
    RuleFactory(service=world.service, weekdays=list(range(7)))
    slots_regenerate(world.service.pk)
    # A slot the next run keeps as it is: only the service row is shared with the booking.
    slot = Slot.objects.filter(service=world.service, starts_at__gt=timezone.now()).first()
    with held_open(lambda: slots_regenerate(world.service.pk)):  # holds the service row
        with lock_timeout("3s"):  # waiting for the regeneration fails the test
            booking = booking_create(
                actor=fresh_user(world.adviser.pk), beneficiary_id=world.beneficiary.pk,
                service_id=world.service.pk, slot_ids=[slot.pk],
            )  # fmt: skip
    assert booking.status == "requested"
