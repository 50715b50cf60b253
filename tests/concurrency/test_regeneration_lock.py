"""A slot regeneration holds its service's row; a booking of that service must not wait for
it. (The booking holds its slot, and its foreign key check needs a KEY SHARE lock on the
service: with a plain FOR UPDATE there, a regeneration that then touches the slot deadlocks
with it.) On real PostgreSQL."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bookings.services import booking_create
from partners.models import Slot
from partners.slots import slots_regenerate
from tests.concurrency.helpers import fresh_user
from tests.partners.factories import RuleFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT = 30


def test_a_booking_goes_through_while_a_regeneration_holds_the_service(world):
    RuleFactory(service=world.service, weekdays=list(range(7)))
    slots_regenerate(world.service.pk)
    # A slot the next run keeps as it is: only the service row is shared with the booking.
    slot = Slot.objects.filter(service=world.service, starts_at__gt=timezone.now()).first()
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def regenerate_and_hold():
        try:
            with transaction.atomic():
                slots_regenerate(world.service.pk)  # locks the service row
                holding.set()
                assert release.wait(WAIT)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=regenerate_and_hold, daemon=True)
    thread.start()
    assert holding.wait(WAIT) and not errors, errors
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting for the regeneration fails
        booking = booking_create(
            actor=fresh_user(world.adviser.pk), beneficiary_id=world.beneficiary.pk,
            service_id=world.service.pk, slot_ids=[slot.pk],
        )  # fmt: skip
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        thread.join(WAIT)
    assert not errors, errors
    assert booking.status == "requested"
