"""`manage.py check_capacity`: slots whose `reserved` differs from their holding bookings."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from bookings import services
from bookings.capacity_check import capacity_mismatches
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("check_capacity", stdout=out)
    return out.getvalue()


@pytest.fixture
def booked(adviser, partner_manager, person, service):
    """Two slots booked twice (one booking cancelled since), one confirmed, one untouched;
    each booking for another person (one person holds one active booking of a slot)."""
    first, second, untouched = (make_slot(service, 3, hour, capacity=3) for hour in (9, 10, 11))

    def book(slots, quantity=1):
        someone = BeneficiaryFactory(platform=person.platform, adviser=adviser)
        return services.booking_create(
            actor=adviser, beneficiary_id=someone.pk, service_id=service.pk,
            slot_ids=[s.pk for s in slots], quantity=quantity,
        )  # fmt: skip

    book([first, second], quantity=2)
    cancelled = book([first])
    services.booking_cancel(actor=adviser, booking_id=cancelled.pk, reason="Plus besoin")
    confirmed = book([second])
    services.booking_confirm(actor=partner_manager, booking_id=confirmed.pk)
    return first, second, untouched


def test_consistent_slots_exit_zero(booked):
    first, second, _ = booked
    assert Slot.objects.get(pk=first.pk).reserved == 2
    assert Slot.objects.get(pk=second.pk).reserved == 3
    assert run() == "capacity consistent: 2 slots checked\n"


def test_a_corrupted_slot_is_listed_and_fails(booked):
    first, second, _ = booked
    Slot.objects.filter(pk=second.pk).update(reserved=F("reserved") - 1)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 2 slots checked") as failure:
        call_command("check_capacity", stdout=out)
    assert failure.value.returncode == 1
    [line] = out.getvalue().splitlines()
    assert line.startswith(f"slot {second.pk} of service {second.service_id} at ")
    assert line.endswith(": reserved 2, bookings hold 3")


def test_places_reserved_without_bookings_and_bookings_without_places(booked, service):
    first, _, untouched = booked
    stray = make_slot(service, 4, capacity=2)
    Slot.objects.filter(pk=stray.pk).update(reserved=1)  # reserved, no booking at all
    Slot.objects.filter(pk=first.pk).update(reserved=0)  # held by a booking, nothing reserved
    wrong = {(m.slot_id, m.reserved, m.held) for m in capacity_mismatches()}
    assert wrong == {(stray.pk, 1, 0), (first.pk, 0, 2)}
    assert untouched.pk not in {m.slot_id for m in capacity_mismatches()}


def test_the_check_is_one_query(booked, django_assert_num_queries):
    Slot.objects.filter(pk=booked[0].pk).update(reserved=1)
    with django_assert_num_queries(1):
        assert len(capacity_mismatches()) == 1
