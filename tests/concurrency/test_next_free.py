"""The stored next free slot under concurrency, on real PostgreSQL: a refresh that runs while
bookings are being made neither waits for them nor forgets what they changed.

The control disables the trigger that leaves the marker and shows the catalogue would then
show a full slot as the next free one: it proves the first test is able to fail.
"""

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from bookings.services import booking_create
from marketplace.selectors import SearchFilters, service_search
from partners.models import Service, Slot, StaleNextFree
from partners.next_free import first_free_slot, next_free_refresh
from tests.concurrency.helpers import fresh_user, held_open, lock_timeout
from tests.concurrency.race import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT = 30  # seconds; a thread that waits longer fails the test instead of hanging


def shown(service) -> object:
    results = service_search(Service.objects.filter(pk=service.pk), SearchFilters())
    return list(results[0:1])[0].next_available_at


def computed(service) -> object:
    return Service.objects.annotate(first=first_free_slot(timezone.now())).get(pk=service.pk).first


def refresh_while_a_booking_is_open(world, slot) -> float:
    """Book `slot` in a thread that keeps its transaction open while this thread refreshes;
    returns how long the refresh took."""

    def book():
        booking_create(actor=fresh_user(world.adviser.pk), beneficiary_id=world.beneficiary.pk,
                       service_id=world.service.pk, slot_ids=[slot.pk])  # fmt: skip

    with held_open(book), lock_timeout("5s"):  # waiting for the booking fails the test
        started = time.monotonic()
        next_free_refresh()
        return time.monotonic() - started


def test_a_refresh_during_a_booking_neither_waits_nor_forgets_it(world):
    first, second = world.slot(3), world.slot(4)
    next_free_refresh()

    elapsed = refresh_while_a_booking_is_open(world, first)

    assert elapsed < 5
    # The refresh could not see the booking (not committed yet) and stored `first`; the
    # booking's marker, committed with it, keeps that value from being trusted.
    world.service.refresh_from_db()
    assert world.service.next_free_at == first.starts_at
    assert StaleNextFree.objects.filter(service=world.service).exists()
    assert shown(world.service) == second.starts_at
    next_free_refresh()
    world.service.refresh_from_db()
    assert world.service.next_free_at == second.starts_at


def test_control_without_the_trigger_the_catalogue_would_lie(world):
    first = world.slot(3)
    world.slot(4)  # the true next free slot once `first` is full
    next_free_refresh()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE partners_slot DISABLE TRIGGER slot_changed_stale")
    try:
        refresh_while_a_booking_is_open(world, first)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE partners_slot ENABLE TRIGGER slot_changed_stale")
    first.refresh_from_db()
    assert first.reserved == first.capacity  # full...
    assert shown(world.service) == first.starts_at  # ...and still shown as the next free one


def test_many_bookings_and_refreshes_at_once(world):
    """Twenty bookings fill twenty slots (each the next free one in turn) while refreshes
    run in a loop: no deadlock, no error, and the catalogue stays exact throughout."""
    slots = [world.slot(day) for day in range(2, 22)]
    next_free_refresh()
    done = threading.Event()
    refresh_errors: list[BaseException] = []

    def refresh_loop():
        try:
            while not done.is_set():
                next_free_refresh()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            refresh_errors.append(exc)
        finally:
            connection.close()

    refresher = threading.Thread(target=refresh_loop, daemon=True)
    refresher.start()
    try:
        outcomes = race(
            len(slots),
            lambda adviser, worker, round_: booking_create(
                actor=adviser, beneficiary_id=world.beneficiary.pk,
                service_id=world.service.pk, slot_ids=[slots[worker].pk],
            ).pk,
            prepare=lambda worker: fresh_user(world.adviser.pk),
        )  # fmt: skip
    finally:
        done.set()
        refresher.join(WAIT)
    assert not refresher.is_alive() and not refresh_errors, refresh_errors
    assert [o.error for o in outcomes if not o.ok] == []
    assert not Slot.objects.filter(pk__in=[s.pk for s in slots], reserved=0).exists()
    assert shown(world.service) == computed(world.service) is None
    next_free_refresh()
    world.service.refresh_from_db()
    assert world.service.next_free_at is None
    assert not StaleNextFree.objects.filter(service=world.service).exists()
