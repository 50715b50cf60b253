"""The agenda API: staff of the platform read and book; the person reads their own;
partners, prescribers and finance officers see no agenda and nobody in it. Lists keep a
flat number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda.enums import KindCategory
from agenda.models import AgendaSlot, Appointment
from agenda.services_appointments import appointment_book
from tests.agenda.conftest import soon
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/agenda/places/", "/api/v1/agenda/slots/", "/api/v1/agenda/sessions/",
         "/api/v1/appointments/"]  # fmt: skip


@pytest.fixture
def booked(open_agenda, person):
    slot = AgendaSlot.objects.filter(kind__category="diagnostic", starts_at__gt=soon()).first()
    return appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)


@pytest.fixture
def roles(admin_user, adviser, finance_officer, partner_manager, partner_staff, prescriber,
          person):  # fmt: skip
    person.user = UserFactory()
    person.save()
    return {"admin": admin_user, "adviser": adviser, "finance_officer": finance_officer,
            "partner_manager": partner_manager, "partner_staff": partner_staff,
            "prescriber": prescriber, "beneficiary": person.user}  # fmt: skip


# Who opens which list (the need-to-know table: `agenda` and `appointments`).
OPEN = {
    "admin": set(LISTS), "adviser": set(LISTS), "beneficiary": {"/api/v1/appointments/"},
    "finance_officer": set(), "partner_manager": set(), "partner_staff": set(),
    "prescriber": set(),
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(OPEN))
def test_every_role_opens_exactly_its_lists(api_client, roles, booked, role):
    api_client.force_authenticate(roles[role])
    for url in LISTS:
        response = api_client.get(url)
        want = 200 if url in OPEN[role] else 403
        assert response.status_code == want, (role, url, response.status_code)
    detail = api_client.get(f"/api/v1/appointments/{booked.pk}/")
    assert detail.status_code == (200 if OPEN[role] else 403), role


def test_anonymous_gets_401(api_client, booked):
    for url in [*LISTS, f"/api/v1/appointments/{booked.pk}/"]:
        assert api_client.get(url).status_code == 401


def test_a_partner_never_sees_an_appointment_or_its_person(api_client, roles, booked):
    for role in ("partner_manager", "partner_staff", "prescriber", "finance_officer"):
        api_client.force_authenticate(roles[role])
        for url in (f"/api/v1/appointments/{booked.pk}/", "/api/v1/appointments/",
                    f"/api/v1/appointments/{booked.pk}/cancel/"):  # fmt: skip
            response = (
                api_client.get(url)
                if not url.endswith("cancel/")
                else api_client.post(url, {"reason": "x"}, format="json")
            )
            assert response.status_code == 403, (role, url)
            assert "Benali" not in response.content.decode()


def test_the_person_reads_their_own_and_nothing_else(api_client, roles, booked, open_agenda,
                                                     platform):  # fmt: skip
    other = BeneficiaryFactory(platform=platform)
    slot = AgendaSlot.objects.filter(reserved=0, kind__category="diagnostic").last()
    theirs = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=other.pk)
    api_client.force_authenticate(roles["beneficiary"])
    listed = api_client.get("/api/v1/appointments/").json()
    assert [a["id"] for a in listed["results"]] == [booked.pk]
    assert listed["results"][0]["person"]["last_name"] == "Benali"
    assert api_client.get(f"/api/v1/appointments/{theirs.pk}/").status_code == 404
    refused = api_client.post(
        "/api/v1/appointments/",
        {"slot": slot.pk, "beneficiary": roles["beneficiary"].beneficiary.pk},
        format="json",
    )
    assert refused.status_code == 403
    assert api_client.post(f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "x"},
                           format="json").status_code == 403  # fmt: skip


def test_an_adviser_books_cancels_and_moves_through_the_api(api_client, open_agenda, person):
    api_client.force_authenticate(open_agenda)
    slots = api_client.get("/api/v1/agenda/slots/?kind=diagnostic").json()["results"]
    assert slots and all(s["kind"]["category"] == "diagnostic" for s in slots)
    created = api_client.post(
        "/api/v1/appointments/", {"slot": slots[0]["id"], "beneficiary": person.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["slot"], body["person"]["beneficiary"]) == (
        "booked", slots[0]["id"], person.pk,
    )  # fmt: skip
    full = api_client.post(
        "/api/v1/appointments/", {"slot": slots[0]["id"], "beneficiary": person.pk}, format="json"
    )
    assert (full.status_code, full.json()["code"]) == (409, "slot_full")
    moved = api_client.post(f"/api/v1/appointments/{body['id']}/move/",
                            {"slot": slots[1]["id"]}, format="json")  # fmt: skip
    assert moved.status_code == 200 and moved.json()["slot"] == slots[1]["id"]
    cancel = api_client.post(f"/api/v1/appointments/{moved.json()['id']}/cancel/",
                             {"reason": "Empêchement"}, format="json")  # fmt: skip
    assert cancel.json()["status"] == "cancelled"
    assert AgendaSlot.objects.filter(reserved__gt=0).count() == 0


def test_bad_input_is_a_400_with_a_code(api_client, open_agenda, person):
    api_client.force_authenticate(open_agenda)
    both = api_client.post(
        "/api/v1/appointments/", {"slot": 1, "beneficiary": person.pk, "referral": 1}, format="json"
    )
    assert both.status_code == 400
    assert api_client.get("/api/v1/agenda/slots/?kind=nope").status_code == 400
    wide = api_client.get("/api/v1/agenda/slots/?from=2026-01-01&to=2026-12-31")
    assert wide.status_code == 400
    early = api_client.post(f"/api/v1/appointments/{_booked(open_agenda, person).pk}/attended/",
                            {}, format="json")  # fmt: skip
    assert (early.status_code, early.json()["code"]) == (400, "not_started")


def _booked(adviser, person) -> Appointment:
    slot = AgendaSlot.objects.filter(reserved=0, kind__category="diagnostic").first()
    return appointment_book(actor=adviser, slot_id=slot.pk, beneficiary_id=person.pk)


def test_sessions_are_created_with_at_most_the_kinds_seats(api_client, adviser, places, kinds):
    api_client.force_authenticate(adviser)
    body = {"kind": kinds[KindCategory.COLLECTIVE].pk, "place": places["vichy"].pk,
            "adviser": adviser.pk, "starts_at": soon(100).isoformat(), "theme": "Le code",
            "seats": 6}  # fmt: skip
    assert api_client.post("/api/v1/agenda/sessions/", body, format="json").status_code == 400
    created = api_client.post("/api/v1/agenda/sessions/", {**body, "seats": 5}, format="json")
    assert created.status_code == 201 and created.json()["capacity"] == 5


@pytest.mark.parametrize("url", ["/api/v1/appointments/", "/api/v1/agenda/slots/"])
def test_list_queries_stay_flat(api_client, open_agenda, platform, url):
    api_client.force_authenticate(open_agenda)
    free = list(AgendaSlot.objects.filter(kind__category="diagnostic").order_by("pk"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url).status_code == 200
        return len(queries)

    for slot in free[:2]:
        appointment_book(actor=open_agenda, slot_id=slot.pk,
                         beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    small = count()
    for slot in free[2:12]:
        appointment_book(actor=open_agenda, slot_id=slot.pk,
                         beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    assert count() == small <= 4
