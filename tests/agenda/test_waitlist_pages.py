"""The waiting list of a full collective session from the session's page, the person's
signed link and the API (`/api/v1/waiting-list/`, an entry for a `session`)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.enums import KindCategory
from agenda.models import Appointment
from agenda.services import session_create
from agenda.services_appointments import appointment_book, appointment_cancel
from bookings.enums_waitlist import EntryStatus
from bookings.links_waitlist import offer_url
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from tests.beneficiaries.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/waiting-list/"


def make_session(adviser, platform, places, kinds, *, seats=1, theme="Passer le code"):
    return session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.COLLECTIVE].pk,
        place_id=places["vichy"].pk, adviser_id=adviser.pk,
        starts_at=timezone.now() + timedelta(days=4), theme=theme, seats=seats,
    )  # fmt: skip


@pytest.fixture
def full_session(adviser, platform, places, kinds):
    session = make_session(adviser, platform, places, kinds)
    appointment_book(actor=adviser, slot_id=session.pk,
                     beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    return session


def test_the_adviser_puts_a_person_in_line_from_the_full_session_s_page(
    client, adviser, full_session, person
):
    client.force_login(adviser)
    url = reverse("agenda_session", args=[full_session.pk])
    page = client.get(url).content.decode()
    assert "Liste d'attente" in page and "Personne n'attend une place." in page
    answer = client.post(
        reverse("agenda_session_waitlist", args=[full_session.pk]),
        {"beneficiary": person.pk, "note": "l'après-midi"},
    )
    assert answer.status_code == 302 and answer["Location"] == url
    entry = WaitingListEntry.objects.get()
    assert (entry.session, entry.beneficiary, entry.note) == (full_session, person, "l'après-midi")
    page = client.get(url).content.decode()
    assert f"attente-{entry.pk}" in page and "Nadia" in page
    # its button brings the adviser back to the session's page
    remove = page.split(f'action="{reverse("waitlist_remove", args=[entry.pk])}"', 1)[1]
    assert remove.split("</form>", 1)[0].count('name="retour" value="cible"') == 1
    again = client.post(
        reverse("agenda_session_waitlist", args=[full_session.pk]), {"beneficiary": person.pk}
    )
    assert again.status_code == 409
    assert "déjà sur la liste d&#x27;attente de cette séance" in again.content.decode()
    removed = client.post(reverse("waitlist_remove", args=[entry.pk]), {"retour": "cible"})
    assert removed["Location"] == url
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED


def test_a_session_with_seats_left_says_to_book_directly(
    client, adviser, platform, places, kinds, person
):
    session = make_session(adviser, platform, places, kinds, seats=2)
    client.force_login(adviser)
    answer = client.post(
        reverse("agenda_session_waitlist", args=[session.pk]), {"beneficiary": person.pk}
    )
    assert answer.status_code == 400
    assert "inscrivez la personne directement" in answer.content.decode()
    assert not WaitingListEntry.objects.exists()


def test_more_seats_from_the_page_go_to_the_first_in_line(
    client, adviser, full_session, person, django_capture_on_commit_callbacks
):
    client.force_login(adviser)
    client.post(reverse("agenda_session_waitlist", args=[full_session.pk]),
                {"beneficiary": person.pk})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("agenda_session_seats", args=[full_session.pk]),
                             {"seats": "2"})  # fmt: skip
    assert answer.status_code == 302
    assert WaitingListOffer.objects.get().entry.beneficiary == person
    too_many = client.post(reverse("agenda_session_seats", args=[full_session.pk]),
                           {"seats": "9"})  # fmt: skip
    assert too_many.status_code == 400 and "Entre 2" in too_many.content.decode()


def test_the_person_takes_the_seat_from_the_link_on_a_phone(
    client, adviser, full_session, person, django_capture_on_commit_callbacks
):
    client.force_login(adviser)
    client.post(reverse("agenda_session_waitlist", args=[full_session.pk]),
                {"beneficiary": person.pk})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(actor=adviser, appointment_id=Appointment.objects.get().pk,
                           reason="Malade")  # fmt: skip
    client.logout()
    link = offer_url(WaitingListOffer.objects.get())
    page = client.get(link).content.decode()
    assert "Séance collective « Passer le code »" in page and "Mairie de Vichy" in page
    assert "vous restez sur la liste" not in page
    client.post(link, {"answer": "accept"})
    assert Appointment.objects.filter(slot=full_session, beneficiary=person, holding=True).exists()
    assert "C&#x27;est réservé" in client.get(link).content.decode()


def test_the_api_adds_to_a_session_s_line_and_lists_it(api_client, adviser, full_session, person):
    api_client.force_authenticate(adviser)
    both = api_client.post(API, {"beneficiary": person.pk, "session": full_session.pk,
                                 "service": 1}, format="json")  # fmt: skip
    neither = api_client.post(API, {"beneficiary": person.pk}, format="json")
    assert (both.status_code, neither.status_code) == (400, 400)
    no_dates = api_client.post(API, {"beneficiary": person.pk, "service": 1},
                               format="json")  # fmt: skip
    assert no_dates.status_code == 400 and "wanted_from" in no_dates.json()
    response = api_client.post(
        API, {"beneficiary": person.pk, "session": full_session.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["service"] is None and data["position"] == 1
    assert data["session"] == {"id": full_session.pk,
                               "name": "Séance collective « Passer le code »",
                               "place": "Mairie de Vichy"}  # fmt: skip
    listed = api_client.get(API, {"session": full_session.pk}).json()
    assert [e["id"] for e in listed["results"]] == [data["id"]]
    assert api_client.get(API, {"session": full_session.pk + 1000}).json()["count"] == 0


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_of_a_session_s_line_costs_the_same_queries_at_any_size(
    api_client, adviser, platform, full_session, count
):
    today = timezone.localdate()
    for _ in range(count):
        WaitingListEntry.objects.create(
            platform=platform, beneficiary=BeneficiaryFactory(platform=platform),
            session=full_session, wanted_from=today, wanted_until=today + timedelta(days=4),
        )  # fmt: skip
    api_client.force_authenticate(type(adviser).objects.get(pk=adviser.pk))
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(API, {"page_size": 50})
    assert response.status_code == 200 and response.data["count"] == count
    assert sorted(e["position"] for e in response.data["results"]) == list(range(1, count + 1))
    assert len(queries) == 4  # memberships, count, page, open offers
