"""Waiting-list API: the contract, every role, the person's own entries, flat queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import services
from bookings.enums_waitlist import EntryStatus
from bookings.models_waitlist import WaitingListEntry
from bookings.services_waitlist import waitlist_entry_add, waitlist_offer_places
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/waiting-list/"


def body(person, service, **extra):
    today = timezone.localdate()
    return {"beneficiary": person.pk, "service": service.pk, "wanted_from": str(today),
            "wanted_until": str(today + timedelta(days=14)), **extra}  # fmt: skip


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_adding_returns_the_contract_and_a_second_time_is_409(api_client, adviser, person, service):
    client = as_user(api_client, adviser)
    response = client.post(URL, body(person, service, note="le matin"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "waiting" and data["position"] == 1 and data["offer"] is None
    assert data["beneficiary"] == {"id": person.pk, "first_name": "Léa", "last_name": "Martin"}
    assert data["service"]["id"] == service.pk and data["note"] == "le matin"
    again = client.post(URL, body(person, service), format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_waiting"


def test_a_rental_has_no_waiting_list(api_client, adviser, person, rental):
    response = as_user(api_client, adviser).post(URL, body(person, rental), format="json")
    assert response.status_code == 400 and response.json()["code"] == "waitlist_not_available"


def test_bad_dates_are_400(api_client, adviser, person, service):
    today = timezone.localdate()
    response = as_user(api_client, adviser).post(
        URL, body(person, service, wanted_until=str(today - timedelta(days=3))), format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("admin_user", 200, 201),
        ("adviser", 200, 201),
        ("finance_officer", 403, 403),
        ("partner_manager", 403, 403),
        ("partner_staff", 403, 403),
        ("prescriber", 403, 403),
    ],
)
def test_every_role(api_client, request, role, read, write, person, service):
    user = request.getfixturevalue(role)
    client = as_user(api_client, user)
    assert client.get(URL).status_code == read
    assert client.post(URL, body(person, service), format="json").status_code == write


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_the_person_reads_only_their_own_and_cannot_write(
    api_client, adviser, person, service, platform
):
    person.user = UserFactory()
    person.save()
    other = BeneficiaryFactory(platform=platform)
    today = timezone.localdate()
    mine = waitlist_entry_add(
        actor=adviser,
        beneficiary_id=person.pk,
        service_id=service.pk,
        wanted_from=today,
        wanted_until=today + timedelta(days=5),
    )
    theirs = waitlist_entry_add(
        actor=adviser,
        beneficiary_id=other.pk,
        service_id=service.pk,
        wanted_from=today,
        wanted_until=today + timedelta(days=5),
    )
    client = as_user(api_client, person.user)
    listed = client.get(URL).json()
    assert [e["id"] for e in listed["results"]] == [mine.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.get(f"{URL}{mine.pk}/").json()["position"] == 1
    assert client.post(URL, body(person, service), format="json").status_code == 403
    assert client.delete(f"{URL}{mine.pk}/").status_code == 403


def test_other_platforms_entries_are_404(api_client, adviser, person, service, other_platform):
    from accounts.enums import Role
    from tests.factories import member

    today = timezone.localdate()
    entry = waitlist_entry_add(
        actor=adviser,
        beneficiary_id=person.pk,
        service_id=service.pk,
        wanted_from=today,
        wanted_until=today + timedelta(days=5),
    )
    outsider = as_user(api_client, member(Role.ADVISER, other_platform))
    assert outsider.get(f"{URL}{entry.pk}/").status_code == 404
    assert outsider.delete(f"{URL}{entry.pk}/").status_code == 404
    assert outsider.get(URL).json()["count"] == 0


def test_the_adviser_answers_an_offer_for_the_person(api_client, adviser, person, service):
    slot = make_slot(service, 4)
    today = timezone.localdate()
    entry = waitlist_entry_add(
        actor=adviser,
        beneficiary_id=person.pk,
        service_id=service.pk,
        wanted_from=today,
        wanted_until=today + timedelta(days=8),
    )
    client = as_user(api_client, adviser)
    assert client.post(f"{URL}{entry.pk}/accept/").status_code == 404  # nothing offered yet
    waitlist_offer_places(service_id=service.pk)
    data = client.get(f"{URL}{entry.pk}/").json()
    assert data["status"] == "offered" and data["offer"]["slot"] == slot.pk
    accepted = client.post(f"{URL}{entry.pk}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "booked" and accepted.json()["booking"]
    assert accepted.json()["position"] is None


def test_removing_through_the_api(api_client, adviser, person, service):
    today = timezone.localdate()
    entry = waitlist_entry_add(
        actor=adviser,
        beneficiary_id=person.pk,
        service_id=service.pk,
        wanted_from=today,
        wanted_until=today + timedelta(days=8),
    )
    response = as_user(api_client, adviser).delete(f"{URL}{entry.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "removed"
    assert as_user(api_client, adviser).get(URL).json()["count"] == 0  # live ones by default
    assert as_user(api_client, adviser).get(URL, {"status": "removed"}).json()["count"] == 1


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_count_is_flat(api_client, adviser, platform, service, count):
    today = timezone.localdate()
    for _n in range(count):
        person = BeneficiaryFactory(platform=platform)
        WaitingListEntry.objects.create(
            platform=platform, beneficiary=person, service=service, wanted_from=today,
            wanted_until=today + timedelta(days=3), status=EntryStatus.WAITING,
        )  # fmt: skip
    client = as_user(api_client, type(adviser).objects.get(pk=adviser.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"page_size": 50})
    assert response.status_code == 200 and response.data["count"] == count
    positions = sorted(e["position"] for e in response.data["results"])
    assert positions == list(range(1, count + 1))
    assert len(queries) == 4  # memberships, count, page, open offers


def test_cancelling_a_booking_offers_its_place_through_the_whole_stack(
    api_client, adviser, person, service, platform, django_capture_on_commit_callbacks
):
    slot = make_slot(service, 3)
    booking = services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk]
    )
    waiting = BeneficiaryFactory(platform=platform, phone="+33612121212")
    client = as_user(api_client, adviser)
    entry = client.post(URL, body(waiting, service), format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Malade"}, format="json")
    data = client.get(f"{URL}{entry['id']}/").json()
    assert data["status"] == "offered" and data["offer"]["slot"] == slot.pk
