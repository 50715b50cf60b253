"""The booking lists' one selector: the filters shared by the API and the platform's list
page, the one definition of "upcoming" (not yet ended), and the person's order."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from bookings import selectors, services
from bookings.enums import BookingStatus
from bookings.models import Booking
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)  # a Monday morning


def made(person, service, start: datetime, *, hours=1, status=BookingStatus.REQUESTED):
    """A booking row at any time, past ones included (booking_create refuses those)."""
    return Booking.objects.create(
        platform=person.platform, beneficiary=person, service=service, units=Decimal(1),
        unit_price=service.solidarity_price, market_unit_price=service.market_price,
        total_price=service.solidarity_price, market_total=service.market_price,
        status=status, starts_at=start, ends_at=start + timedelta(hours=hours),
    )  # fmt: skip


def made_slot(service, start: datetime) -> Slot:
    return Slot.objects.create(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1), capacity=1
    )


def pks(bookings) -> set[int]:
    return {b.pk for b in bookings}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def times(clock, person, service):
    """Yesterday's (ended), one under way (began half an hour ago), tomorrow's, and a
    cancelled one of tomorrow."""
    return {
        "ended": made(person, service, NOW - timedelta(days=1)),
        "under_way": made(person, service, NOW - timedelta(minutes=30)),
        "tomorrow": made(person, service, NOW + timedelta(days=1)),
        "called_off": made(
            person, service, NOW + timedelta(days=1, hours=2), status=BookingStatus.CANCELLED
        ),
    }


def test_upcoming_means_not_yet_ended_whatever_the_status(adviser, times):
    found = selectors.booking_list_filtered(user=adviser, upcoming=True)

    assert pks(found) == pks([times["under_way"], times["tomorrow"], times["called_off"]])


def test_a_booking_is_no_longer_upcoming_the_moment_it_ends(adviser, times, clock):
    clock.move_to(times["under_way"].ends_at)

    found = selectors.booking_list_filtered(user=adviser, upcoming=True)

    assert times["under_way"].pk not in pks(found)


def test_the_api_and_the_page_list_the_same_upcoming_bookings(client, api_client, adviser, times):
    """Before, the API took `starts_at >= now` and left out the booking under way."""
    api_client.force_authenticate(adviser)
    api = api_client.get("/api/v1/bookings/", {"upcoming": "true"}).json()
    client.force_login(adviser)
    page = client.get(reverse("booking_list"), {"upcoming": "on"}).content.decode()

    assert {b["id"] for b in api["results"]} == pks(
        [times["under_way"], times["tomorrow"], times["called_off"]]
    )
    assert times["under_way"].reference in page and times["tomorrow"].reference in page
    assert times["ended"].reference not in page


def test_dates_are_local_days_on_the_start_both_included(adviser, person, service, clock):
    late_evening = made(person, service, datetime(2026, 3, 3, 23, 30, tzinfo=PARIS))
    next_morning = made(person, service, datetime(2026, 3, 4, 0, 30, tzinfo=PARIS))
    day = late_evening.starts_at.astimezone(PARIS).date()

    assert pks(selectors.booking_list_filtered(user=adviser, date_from=day, date_to=day)) == {
        late_evening.pk
    }
    assert pks(
        selectors.booking_list_filtered(user=adviser, date_from=day + timedelta(days=1))
    ) == {next_morning.pk}
    assert pks(selectors.booking_list_filtered(user=adviser, date_to=day)) == {late_evening.pk}


def test_status_person_and_beneficiary(adviser, person, service, platform, times):
    other = BeneficiaryFactory(platform=platform, first_name="Karim", last_name="Haddad")
    theirs = made(other, service, NOW + timedelta(days=2))

    cancelled = selectors.booking_list_filtered(user=adviser, status=BookingStatus.CANCELLED)
    assert pks(cancelled) == {times["called_off"].pk}
    # Every word must match a first or last name, in any case.
    assert pks(selectors.booking_list_filtered(user=adviser, person="karim HADD")) == {theirs.pk}
    assert pks(selectors.booking_list_filtered(user=adviser, person="karim martin")) == set()
    assert pks(selectors.booking_list_filtered(user=adviser, beneficiary_id=other.pk)) == {
        theirs.pk
    }


def test_filters_never_widen_what_the_user_may_see(partner_manager, other_partner_manager, times):
    # The partner sees its bookings; `platforms_only` (the platform's page) leaves none.
    assert pks(selectors.booking_list_filtered(user=partner_manager)) == pks(times.values())
    assert not selectors.booking_list_filtered(user=partner_manager, platforms_only=True)
    assert not selectors.booking_list_filtered(user=other_partner_manager, upcoming=True)


def test_the_person_sees_what_is_to_come_first_then_the_rest_latest_first(
    adviser, person, service, clock, django_assert_num_queries
):
    ended = made(person, service, NOW - timedelta(days=1), status=BookingStatus.COMPLETED)
    older = made(person, service, NOW - timedelta(days=8), status=BookingStatus.COMPLETED)
    under_way = made(person, service, NOW - timedelta(minutes=30), status=BookingStatus.CONFIRMED)
    later = services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
        slot_ids=[made_slot(service, NOW + timedelta(days=9)).pk],
    )  # fmt: skip
    soon = made(person, service, NOW + timedelta(days=2))
    called_off = made(person, service, NOW + timedelta(days=3), status=BookingStatus.CANCELLED)

    with django_assert_num_queries(1):
        coming, others = selectors.bookings_of_beneficiary_in_order(
            beneficiary_id=person.pk, now=NOW
        )

    assert [b.pk for b in coming] == [under_way.pk, soon.pk, later.pk]
    # Called off, it is no longer to come, even though its day has not come.
    assert [b.pk for b in others] == [called_off.pk, ended.pk, older.pk]


def test_me_bookings_api_follows_the_persons_page(api_client, adviser, person, service, clock):
    """Before, the API put a cancelled booking of tomorrow among those to come."""
    person.user = UserFactory()
    person.save(update_fields=["user"])
    called_off = made(person, service, NOW + timedelta(days=1), status=BookingStatus.CANCELLED)
    ended = made(person, service, NOW - timedelta(days=1), status=BookingStatus.COMPLETED)
    soon = made(person, service, NOW + timedelta(days=2))
    api_client.force_authenticate(person.user)

    mine = api_client.get("/api/v1/me/bookings/").json()

    assert [b["id"] for b in mine] == [soon.pk, called_off.pk, ended.pk]


def test_the_api_offers_the_pages_person_filters(api_client, adviser, platform, times, service):
    other = BeneficiaryFactory(platform=platform, first_name="Karim", last_name="Haddad")
    theirs = made(other, service, NOW + timedelta(days=2))
    api_client.force_authenticate(adviser)

    def ids(**params) -> set[int]:
        return {b["id"] for b in api_client.get("/api/v1/bookings/", params).json()["results"]}

    assert ids(person="haddad") == {theirs.pk}
    assert ids(beneficiary=other.pk) == {theirs.pk}
    assert ids(beneficiary=other.pk, upcoming="true", status="cancelled") == set()
    assert api_client.get("/api/v1/bookings/", {"beneficiary": "x"}).status_code == 400
