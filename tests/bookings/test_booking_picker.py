"""The booking form's week picker, its next-free-place links and its person search, as
pages without JavaScript see them (the browser journeys are in tests/e2e/): a week at a
time (`?semaine=`), HTMX swapping the picker only, the place of a "Réserver le …" link
chosen, a place taken meanwhile named with the picker on its week, the person searched
without JavaScript, and a query count that does not grow with the slots."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)  # a Wednesday
NEW = reverse("booking_new")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in December 2026, Paris time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


def make(service, day: int, hour: int, minute: int = 0, *, capacity=1, reserved=0, hours=1):
    start = at(day, hour, minute)
    return Slot.objects.create(
        service=service, starts_at=start, ends_at=start.replace(hour=hour + hours),
        capacity=capacity, reserved=reserved,
    )  # fmt: skip


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.content.decode()))


def place(slot) -> str:
    return slot.starts_at.isoformat()


@pytest.fixture
def page(client, adviser):
    client.force_login(adviser)
    return client


def test_the_form_opens_on_the_week_of_the_first_free_place_and_moves_by_week(
    page, service, person
):
    make(service, 2, 9, reserved=1)  # today, full
    first = make(service, 9, 8, 30)  # next week: the first free place
    later = make(service, 17, 14)
    response = page.get(NEW, {"service": service.pk, "beneficiary": person.pk})
    body = text(response)
    assert "Semaine du lundi 7 au dimanche 13 décembre" in body
    assert f'value="{first.pk}"> <span>8 h 30</span>' in body
    assert f'value="{later.pk}"' not in body
    # Each week is a link (with the person), and, for HTMX, a request for the picker only.
    following = f"?service={service.pk}&beneficiary={person.pk}&semaine=2026-12-14"
    assert f'href="{NEW}{following}#id_slots"' in body
    assert f'hx-get="{NEW}{following}"' in body
    assert "Semaine précédente" in body  # back to this week

    week = page.get(NEW, {"service": service.pk, "semaine": "2026-12-16", "slots": first.pk})
    body = text(week)
    assert "Semaine du lundi 14 au dimanche 20 décembre" in body
    assert f'value="{later.pk}"> <span>14 h 00</span>' in body
    # The time chosen in another week goes along, hidden.
    assert f'type="hidden" name="slots" value="{first.pk}" data-chosen-elsewhere' in body
    assert "Première place libre" in body

    fragment = page.get(
        NEW, {"service": service.pk, "semaine": "2026-12-16", "slots": first.pk},
        headers={"HX-Request": "true", "HX-Target": "id_slots"},
    )  # fmt: skip
    body = text(fragment)
    assert body.lstrip().startswith('<fieldset class="week-picker')
    assert "<html" not in body and "Semaine du lundi 14" in body


def test_the_next_free_place_link_books_exactly_that_place(page, service, person):
    make(service, 9, 8, 30)
    chosen = make(service, 9, 10)
    url = f"{NEW}?service={service.pk}"
    response = page.get(NEW, {"service": service.pk, "place": place(chosen),
                              "beneficiary": person.pk})  # fmt: skip
    body = text(response)
    assert re.search(rf'value="{chosen.pk}" checked> <span>10 h 00</span>', body)
    assert body.count(" checked>") == 1
    data = {"beneficiary": person.pk, "slots": [chosen.pk], "quantity": 1, "note": ""}
    assert page.post(url, {**data, "action": "quote"}).status_code == 200
    assert page.post(url, {**data, "action": "confirm"}).status_code == 302
    booking = Booking.objects.get()
    assert list(booking.booking_slots.values_list("slot_id", flat=True)) == [chosen.pk]
    assert booking.beneficiary == person


def test_a_place_taken_since_the_link_is_named_and_its_week_shown(page, service, person):
    make(service, 3, 9)  # this week: a free place
    taken = make(service, 15, 9, reserved=1)
    response = page.get(NEW, {"service": service.pk, "place": place(taken)})
    body = text(response)
    assert "La place du mardi 15 décembre à 9 h 00 vient d'être prise" in body
    assert "Semaine du lundi 14 au dimanche 20 décembre" in body
    assert re.search(rf'value="{taken.pk}" disabled> <span>9 h 00</span>', body)
    assert "complet" in body


def test_a_place_taken_before_the_confirmation_reopens_the_picker_on_its_week(
    page, service, person
):
    make(service, 3, 9)
    wanted = make(service, 22, 11)
    data = {"beneficiary": person.pk, "slots": [wanted.pk], "quantity": 1, "note": "Matin"}
    url = f"{NEW}?service={service.pk}"
    assert page.post(url, {**data, "action": "quote"}).status_code == 200
    Slot.objects.filter(pk=wanted.pk).update(reserved=1)  # someone else was quicker

    response = page.post(url, {**data, "action": "confirm"})
    assert response.status_code == 409
    body = text(response)
    assert "Plus de place sur le créneau du mardi 22 décembre à 11 h 00" in body
    assert "Semaine du lundi 21 au dimanche 27 décembre" in body
    assert re.search(rf'value="{wanted.pk}" disabled>', body)
    assert "Matin" in body
    assert f'name="beneficiary" value="{person.pk}"' in body
    assert not Booking.objects.exists()


def test_without_javascript_the_person_is_searched_then_chosen_among_the_matches(
    page, service, person, other_platform
):
    slot = make(service, 9, 9)
    BeneficiaryFactory(platform=other_platform, first_name="Léa", last_name="Martin")
    url = f"{NEW}?service={service.pk}"
    data = {"slots": [slot.pk], "quantity": 1, "note": ""}
    response = page.post(url, {**data, "personne": "MARTIN lea", "action": "find_person"})
    assert response.status_code == 200
    body = text(response)
    assert "Personnes trouvées : choisissez-en une" in body
    assert body.count('type="radio" name="beneficiary"') == 1  # not the other platform's
    assert f'value="{person.pk}" id="personne-{person.pk}" checked' in body
    assert re.search(rf'value="{slot.pk}" checked>', body)  # the time chosen stays

    none = page.post(url, {**data, "personne": "zzz", "action": "find_person"})
    assert "Aucune personne de la plateforme ne correspond" in text(none)

    missing = page.post(url, {**data, "action": "quote"})
    assert missing.status_code == 400
    assert "Choisissez la personne : cherchez-la par son nom." in text(missing)
    assert 'href="#id_beneficiary"' in text(missing)  # the error summary leads there


def test_the_change_link_keeps_the_times_and_drops_the_person(page, service, person):
    slot = make(service, 9, 9)
    response = page.get(NEW, {"service": service.pk, "beneficiary": person.pk,
                              "slots": slot.pk})  # fmt: skip
    body = text(response)
    assert f'href="{NEW}?service={service.pk}&slots={slot.pk}#id_beneficiary"' in body


def test_a_rental_link_prefills_its_day_and_shows_the_month(page, rental, person):
    days = [make(rental, day, 9, hours=9, capacity=2) for day in (9, 10, 11)]
    make(rental, 14, 9, hours=9, capacity=1, reserved=1)
    response = page.get(NEW, {"service": rental.pk, "place": place(days[0])})
    body = text(response)
    assert 'name="first_day" value="2026-12-09"' in body
    assert 'name="last_day" value="2026-12-09"' in body
    assert "Jours libres en décembre 2026" in body
    assert '<td class="day-free">9<span class="visually-hidden"> : libre' in body
    assert '<td class="day-full">14<span class="visually-hidden"> : complet' in body
    assert "Mois suivant" in body


def test_the_query_count_does_not_grow_with_the_slots(page, service, person):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = page.get(NEW, {"service": service.pk, "beneficiary": person.pk})
        assert response.status_code == 200
        return len(captured)

    for n in range(10):
        make(service, 3 + n % 3, 8 + n // 3)
    few = queries()
    Slot.objects.bulk_create(
        Slot(service=service, starts_at=at(day, hour), ends_at=at(day, hour + 1), capacity=1)
        for day in range(6, 31)
        for hour in range(8, 20)
    )
    assert Slot.objects.filter(service=service).count() >= 300
    assert queries() == few


def test_booking_from_a_record_keeps_the_person_to_the_end(page, service, person, communes):
    """Record → "Réserver un service" → catalogue around their home → service → form with
    the person prefilled → price → booked for that person."""
    slot = make(service, 9, 9)
    record = text(page.get(reverse("beneficiary_detail", args=[person.pk])))
    catalogue_url = f"{reverse('catalogue_search')}?beneficiary={person.pk}"
    assert f'href="{catalogue_url}#resultats">Réserver un service' in record

    results = text(page.get(catalogue_url))
    service_url = f"{reverse('catalogue_service', args=[service.pk])}?beneficiary={person.pk}"
    assert f'href="{service_url}"' in results
    book_next = re.search(r'href="([^"]*place=[^"]*)"', results).group(1)
    assert f"beneficiary={person.pk}" in book_next

    service_page = text(page.get(service_url))
    assert f"&beneficiary={person.pk}" in service_page

    form = text(page.get(book_next))
    assert f'<input type="hidden" name="beneficiary" value="{person.pk}">' in form
    assert "MARTIN Léa — Moulins" in form
    assert re.search(rf'value="{slot.pk}" checked>', form)
    url = f"{NEW}?service={service.pk}"
    data = {"beneficiary": person.pk, "slots": [slot.pk], "quantity": 1, "note": ""}
    quote = text(page.post(url, {**data, "action": "quote"}))
    assert f'name="beneficiary" value="{person.pk}"' in quote  # carried to the last step
    assert "MARTIN Léa — Moulins" in quote
    assert page.post(url, {**data, "action": "confirm"}).status_code == 302
    assert Booking.objects.get().beneficiary == person
