"""Booking notifications are written after commit, from the transition's event, exactly once.

The event row is the outbox entry: a task writes its notifications right after commit, and a
periodic sweep catches the events whose task was lost.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from accounts.enums import Role
from bookings import services, tasks
from bookings.models import BookingEvent
from core.errors import NotFoundError
from core.models import Notification
from tests.bookings.test_services import book
from tests.factories import MembershipFactory, OrganisationFactory


@pytest.mark.django_db
def test_nothing_is_written_before_commit_then_once(
    adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking = book(adviser, person, service, [slot])
    event = booking.events.get()
    assert event.notified_at is None
    assert not Notification.objects.exists()  # inside the transaction: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:  # the task, as after commit
            callback()
    event.refresh_from_db()
    assert event.notified_at is not None
    request = Notification.objects.get(template="bookings/requested")
    assert request.recipient == partner_manager.email
    # The task runs again (redelivery) or races the sweep: nothing more is written.
    assert services.booking_event_announce(event_id=event.pk) is False
    assert services.bookings_announce_pending() == 0
    assert Notification.objects.filter(template="bookings/requested").count() == 1


@pytest.mark.django_db
def test_a_rolled_back_booking_announces_nothing(
    adviser, person, service, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(NotFoundError):
            services.booking_create(
                actor=adviser, beneficiary_id=person.pk, service_id=service.pk + 999,
                slot_ids=[slot.pk],
            )  # fmt: skip
    assert callbacks == [] and not BookingEvent.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_sweep_announces_events_whose_run_was_lost(
    adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks
):
    booking = book(adviser, person, service, [slot])  # its after-commit run never happens
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.bookings_announce_pending() == 1  # the beat sweep
    assert tasks.bookings_announce_pending() == 0
    assert booking.events.get().notified_at is not None
    assert [m.to for m in mail.outbox] == [[partner_manager.email]]


@pytest.mark.django_db
def test_commits_while_a_run_is_queued_ride_along_with_it(
    adviser, person, service, partner_manager, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.bookings.conftest import make_slot

    queued = []
    monkeypatch.setattr(tasks.bookings_announce_pending, "delay", lambda: queued.append(1))
    slots = [make_slot(service, 3, hour) for hour in (9, 10, 11)]
    with django_capture_on_commit_callbacks(execute=True):
        book(adviser, person, service, [slots[0]])
    with django_capture_on_commit_callbacks(execute=True):
        book(adviser, person, service, [slots[1]])
    assert len(queued) == 1  # the second commit found a run on its way
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.bookings_announce_pending() == 2  # the queued run: both bookings
    with django_capture_on_commit_callbacks(execute=True):
        book(adviser, person, service, [slots[2]])
    assert len(queued) == 2  # the run cleared its mark: the next commit queues a new one
    assert Notification.objects.filter(template="bookings/requested").count() == 2


@pytest.mark.django_db
def test_a_late_announcement_speaks_of_the_transition_not_the_current_status(
    adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks
):
    booking = book(adviser, person, service, [slot])
    services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Empêchement")
    with django_capture_on_commit_callbacks(execute=True):  # the tasks run late, in order
        for event in booking.events.order_by("pk"):
            assert services.booking_event_announce(event_id=event.pk)
    templates = list(Notification.objects.order_by("pk").values_list("template", flat=True))
    assert templates.count("bookings/confirmed") == 2  # adviser and person: "confirmed"
    assert "bookings/declined" not in templates
    assert templates.count("bookings/cancelled") == 3  # adviser, person and partner
    # The partner's request came after the answer: no confirm/decline links any more.
    request = Notification.objects.get(template="bookings/requested")
    assert "/reservations/lien/" not in request.body


@pytest.mark.django_db
def test_completion_tells_nobody_and_needs_no_announcement(
    adviser, person, service, partner_manager, django_capture_on_commit_callbacks
):
    from tests.bookings.conftest import make_slot

    slot = make_slot(service, 1, 9)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(adviser, person, service, [slot])
        services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    with time_machine.travel(slot.ends_at + timedelta(hours=1)):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.booking_complete(actor=partner_manager, booking_id=booking.pk)
    completed = booking.events.get(to_status="completed")
    assert completed.notified_at is not None and callbacks == []


@pytest.mark.django_db
def test_a_service_is_bookable_only_under_the_persons_platform_agreement(
    adviser, person, service, slot
):
    """An adviser of two platforms cannot book, for a person of platform B, a partner that
    only has an agreement with platform A."""
    other_platform = OrganisationFactory(name="Plateforme B")
    MembershipFactory(role=Role.ADVISER, organisation=other_platform, user=adviser)
    person.platform = other_platform
    person.save()
    with pytest.raises(NotFoundError, match="Service introuvable"):
        book(adviser, person, service, [slot])
