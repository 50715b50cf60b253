"""Phones around a booking: the adviser, the partner (pages and e-mail) and the person read
numbers the French way, overseas ones included; only a mobile gets the person's SMS."""

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from bookings import services
from core.models import Notification
from tests.bookings.conftest import make_slot
from tests.bookings.test_people_views import book as book_at
from tests.bookings.test_views import book

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_adviser_and_partner_read_an_overseas_number_the_french_way(
    client, adviser, person, service, partner_manager, django_capture_on_commit_callbacks
):
    person.phone = "0692 12 34 56"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(adviser, person, service, [make_slot(service, 3)])
    link = '<a href="tel:+262692123456">0692 12 34 56</a>'

    client.force_login(adviser)
    assert link in page(client.get(reverse("booking_detail", args=[booking.pk])))
    client.force_login(partner_manager)
    assert link in page(client.get(reverse("partner_booking_inbox")))
    assert link in page(client.get(reverse("partner_booking_detail", args=[booking.pk])))
    message = next(m for m in mail.outbox if m.to == [partner_manager.email])
    assert "(téléphone : 0692 12 34 56)" in message.body


def test_the_person_reads_the_advisers_number_the_french_way(client, adviser, person, service):
    adviser.phone = "0690 12 34 56"
    adviser.save()
    person.user = adviser.__class__.objects.create_user(email="lea@exemple.test")
    person.save()
    paris = ZoneInfo("Europe/Paris")
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=paris), tick=False):
        book_at(adviser, person, service, datetime(2026, 3, 5, 9, 0, tzinfo=paris))
        client.force_login(person.user)
        body = page(client.get(reverse("my_bookings")))
    assert '<a href="tel:+590690123456" class="nowrap">0690 12 34 56</a>' in body


@pytest.mark.parametrize(
    ("phone", "channel", "recipient"),
    [
        ("06 00 00 00 01", "sms", "+33600000001"),
        ("0693 01 23 45", "sms", "+262693012345"),
        ("04 70 12 34 56", "email", "lea@exemple.test"),  # a landline takes no SMS
        ("0262 12 34 56", "email", "lea@exemple.test"),
    ],
)
def test_the_person_gets_an_sms_only_on_a_mobile(
    adviser, person, service, slot, partner_manager, phone, channel, recipient,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    person.phone, person.email = phone, "lea@exemple.test"
    person.save()
    booking = book(adviser, person, service, [slot])
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    told = Notification.objects.get(template="bookings/confirmed", user=None)
    assert (told.channel, told.recipient) == (channel, recipient)
