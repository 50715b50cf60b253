"""One active booking per person and slot, enforced by the database, answered 409
`already_booked` with the booking the person holds; the booking form's key makes a double
submit land on the same booking (bookings.idempotency)."""

import re

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Booking, BookingSlot
from bookings.services import AlreadyBooked
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot

pytestmark = pytest.mark.django_db
NEW = reverse("booking_new")


def book(adviser, person, service, slots, **kwargs):
    return services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
        slot_ids=[s.pk for s in slots], **kwargs,
    )  # fmt: skip


@pytest.fixture
def roomy(service):
    return make_slot(service, 3, 10, capacity=3)


def test_the_same_person_cannot_hold_two_bookings_of_one_slot(adviser, person, service, roomy):
    first = book(adviser, person, service, [roomy])

    with pytest.raises(AlreadyBooked) as refused:
        book(adviser, person, service, [roomy])

    assert refused.value.code == "already_booked" and refused.value.status == 409
    assert refused.value.extra == {"booking": first.pk, "reference": first.reference}
    assert first.reference in refused.value.message
    roomy.refresh_from_db()
    assert roomy.reserved == 1  # the refused booking's place went back with its transaction
    assert Booking.objects.count() == 1


def test_a_booking_overlapping_on_one_slot_is_refused_whole(adviser, person, service, roomy):
    other = make_slot(service, 3, 12, capacity=3)
    book(adviser, person, service, [roomy])

    with pytest.raises(AlreadyBooked):
        book(adviser, person, service, [other, roomy])

    other.refresh_from_db()
    assert other.reserved == 0


def test_another_person_may_book_the_same_slot(adviser, person, service, roomy, platform):
    neighbour = BeneficiaryFactory(platform=platform, adviser=adviser)
    book(adviser, person, service, [roomy])
    book(adviser, neighbour, service, [roomy])
    roomy.refresh_from_db()
    assert roomy.reserved == 2


@pytest.mark.parametrize("leave", ["cancel", "decline"])
def test_once_released_the_person_may_book_the_slot_again(
    adviser, partner_manager, person, service, roomy, leave
):
    first = book(adviser, person, service, [roomy])
    if leave == "cancel":
        services.booking_cancel(actor=adviser, booking_id=first.pk, reason="Déplacé")
    else:
        services.booking_decline(actor=partner_manager, booking_id=first.pk, reason="Complet")
    assert not BookingSlot.objects.get(booking=first).holding

    again = book(adviser, person, service, [roomy])

    assert again.pk != first.pk
    assert BookingSlot.objects.get(booking=again).holding


def test_the_api_answers_409_with_the_booking_already_held(
    api_client, adviser, person, service, roomy
):
    api_client.force_authenticate(adviser)
    payload = {"beneficiary": person.pk, "service": service.pk, "slots": [roomy.pk]}

    first = api_client.post("/api/v1/bookings/", payload, format="json")
    second = api_client.post("/api/v1/bookings/", payload, format="json")

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "already_booked"
    assert second.json()["booking"] == first.json()["id"]
    assert Booking.objects.count() == 1


def _confirm_page(client, service, data):
    quote = client.post(f"{NEW}?service={service.pk}", {**data, "action": "quote"})
    assert quote.status_code == 200
    return re.search(r'name="request_key" value="([0-9a-f]{32})"', quote.content.decode())[1]


def test_a_double_click_on_confirm_lands_on_the_same_booking(
    client, adviser, person, service, roomy
):
    client.force_login(adviser)
    data = {"beneficiary": person.pk, "quantity": 1, "note": "", "slots": [roomy.pk]}
    key = _confirm_page(client, service, data)
    url = f"{NEW}?service={service.pk}"

    first = client.post(url, {**data, "action": "confirm", "request_key": key})
    second = client.post(url, {**data, "action": "confirm", "request_key": key})

    booking = Booking.objects.get()
    detail = reverse("booking_detail", kwargs={"booking_id": booking.pk})
    assert (first.status_code, first.url) == (302, detail)
    assert (second.status_code, second.url) == (302, detail)
    roomy.refresh_from_db()
    assert roomy.reserved == 1


def test_each_confirmation_page_has_its_own_key(client, adviser, person, service, roomy):
    client.force_login(adviser)
    data = {"beneficiary": person.pk, "quantity": 1, "note": "", "slots": [roomy.pk]}
    assert _confirm_page(client, service, data) != _confirm_page(client, service, data)


def test_booking_again_from_a_new_page_says_the_person_is_already_booked(
    client, adviser, person, service, roomy
):
    client.force_login(adviser)
    data = {"beneficiary": person.pk, "quantity": 1, "note": "", "slots": [roomy.pk]}
    url = f"{NEW}?service={service.pk}"
    client.post(
        url, {**data, "action": "confirm", "request_key": _confirm_page(client, service, data)}
    )
    first = Booking.objects.get()

    again = client.post(
        url, {**data, "action": "confirm", "request_key": _confirm_page(client, service, data)}
    )

    assert again.status_code == 409
    assert "déjà une réservation sur ce créneau" in again.content.decode()
    assert first.reference in again.content.decode()
    assert Booking.objects.count() == 1
