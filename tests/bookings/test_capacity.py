"""`capacity.reserve`: the conditional update of DESIGN §5, written in SQL and read back with
`Slot.objects.raw`. Backend-neutral: run under SQLite (default) and under PostgreSQL
(`DATABASE_URL=postgres://...`), the two backends the project runs on."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import capacity
from partners.models import Slot
from tests.bookings.conftest import at, make_slot

pytestmark = pytest.mark.django_db


def _updates(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]


def test_each_slot_is_updated_once_and_grows_by_exactly_its_quantity(service):
    early, late = make_slot(service, 3, 9, capacity=5), make_slot(service, 3, 10, capacity=5)
    Slot.objects.filter(pk=late.pk).update(reserved=1)

    with CaptureQueriesContext(connection) as captured:
        taken = capacity.reserve({late.pk: 3, early.pk: 2}, service_id=service.pk)

    assert len(_updates(captured)) == 2 and len(captured.captured_queries) == 2
    assert [slot.pk for slot in taken] == sorted([early.pk, late.pk])  # primary-key order
    assert dict(Slot.objects.values_list("pk", "reserved")) == {early.pk: 2, late.pk: 4}
    returned = {slot.pk: slot for slot in taken}
    assert (returned[early.pk].reserved, returned[late.pk].reserved) == (2, 4)
    # The backend's converters ran: aware datetimes (SQLite stores text), the slot's values.
    assert isinstance(returned[early.pk].starts_at, datetime)
    assert returned[early.pk].starts_at == at(3, 9) and returned[late.pk].ends_at == at(3, 11)
    assert returned[late.pk].capacity == 5 and returned[late.pk].service_id == service.pk


def test_a_full_slot_refuses_and_takes_nothing(service):
    slot = make_slot(service, 3, 9, capacity=2)

    capacity.reserve({slot.pk: 2}, service_id=service.pk)
    with pytest.raises(capacity.SlotFull):
        capacity.reserve({slot.pk: 1}, service_id=service.pk)

    assert Slot.objects.get(pk=slot.pk).reserved == 2


def test_a_slot_of_another_service_is_unknown_and_untouched(service, rental):
    other = make_slot(rental, 3, 9, capacity=3)

    with pytest.raises(capacity.UnknownSlot):
        capacity.reserve({other.pk: 1}, service_id=service.pk)

    assert Slot.objects.get(pk=other.pk).reserved == 0


def test_release_gives_back_exactly_what_was_taken(service):
    slot = make_slot(service, 3, 9, capacity=4)
    capacity.reserve({slot.pk: 3}, service_id=service.pk)

    capacity.release({slot.pk: 2})

    assert Slot.objects.get(pk=slot.pk).reserved == 1
