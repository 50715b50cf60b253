"""bookings.hooks: the extension points the apps above bookings plug into (financing does)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import format_html

from bookings import hooks, services
from bookings.models import Booking
from partners.models import Slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(adviser, person, service, slot):
    return services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk]
    )


@pytest.fixture
def released():
    """What receivers of `places_released` saw: (booking, its status then, places then)."""
    seen = []

    def receiver(sender, *, booking, **kwargs):
        reserved = Slot.objects.get(pk=booking.booking_slots.get().slot_id).reserved
        seen.append((booking.pk, booking.status, reserved))

    hooks.places_released.connect(receiver, dispatch_uid="tests.released")
    yield seen
    hooks.places_released.disconnect(dispatch_uid="tests.released")


def test_a_booking_that_stops_holding_tells_after_releasing_its_places(
    booking, adviser, partner_manager, released
):
    services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    assert released == []  # still holding

    services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Plus besoin")

    # Told once, the places already given back, before the status changes (same transaction).
    assert released == [(booking.pk, "confirmed", 0)]


def test_declining_tells_too(booking, partner_manager, released):
    services.booking_decline(actor=partner_manager, booking_id=booking.pk, reason="Complet")
    assert released == [(booking.pk, "requested", 0)]


def test_a_receiver_that_fails_rolls_the_transition_back(booking, adviser, slot):
    def broken(sender, **kwargs):
        raise RuntimeError("plus d'enveloppe")

    hooks.places_released.connect(broken, dispatch_uid="tests.broken")
    try:
        with pytest.raises(RuntimeError):
            services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Plus besoin")
    finally:
        hooks.places_released.disconnect(dispatch_uid="tests.broken")

    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, slot.reserved, booking.events.count()) == ("requested", 1, 1)


def test_the_booking_page_shows_the_panels_of_other_apps(client, booking, adviser):
    def panel(sender, *, booking, request, **kwargs):
        return format_html('<section id="test-panel">Panneau de {}</section>', booking.reference)

    def nothing(sender, **kwargs):
        return ""

    hooks.booking_page_panels.connect(panel, dispatch_uid="tests.panel")
    hooks.booking_page_panels.connect(nothing, dispatch_uid="tests.nothing")
    try:
        client.force_login(adviser)
        page = client.get(reverse("booking_detail", kwargs={"booking_id": booking.pk}))
        request = RequestFactory().get("/")
        request.user = adviser
        panels = hooks.page_panels(booking=Booking.objects.get(pk=booking.pk), request=request)
    finally:
        hooks.booking_page_panels.disconnect(dispatch_uid="tests.panel")
        hooks.booking_page_panels.disconnect(dispatch_uid="tests.nothing")

    expected = f'<section id="test-panel">Panneau de {booking.reference}</section>'
    assert expected in page.content.decode()
    assert "" not in panels and panels[-1] == expected  # in the order they registered
