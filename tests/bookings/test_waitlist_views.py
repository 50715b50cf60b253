"""Waiting-list pages: the adviser's list and form, and the person's signed offer page."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.links_waitlist import offer_url
from bookings.models_waitlist import WaitingListEntry
from bookings.services_waitlist import waitlist_entry_add, waitlist_offer_places
from tests.bookings.conftest import make_slot

pytestmark = pytest.mark.django_db


def _entry(adviser, person, service, days=10):
    today = timezone.localdate()
    return waitlist_entry_add(
        actor=adviser,
        beneficiary_id=person.pk,
        service_id=service.pk,
        wanted_from=today,
        wanted_until=today + timedelta(days=days),
    )


def test_the_adviser_puts_a_person_in_line_from_the_page(client, adviser, person, service):
    client.force_login(adviser)
    page = client.get(reverse("waitlist_add"), {"service": service.pk, "beneficiary": person.pk})
    assert page.status_code == 200
    assert f'<option value="{service.pk}" selected' in page.content.decode()
    today = timezone.localdate()
    response = client.post(reverse("waitlist_add"), {
        "beneficiary": person.pk, "service": service.pk, "wanted_from": str(today),
        "wanted_until": str(today + timedelta(days=7)), "note": "le matin",
    })  # fmt: skip
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get()
    assert (entry.beneficiary, entry.note, entry.added_by) == (person, "le matin", adviser)
    listing = client.get(response["Location"]).content.decode()
    assert "MARTIN Léa" in listing and "le matin" in listing
    again = client.post(reverse("waitlist_add"), {
        "beneficiary": person.pk, "service": service.pk, "wanted_from": str(today),
        "wanted_until": str(today + timedelta(days=7)),
    })  # fmt: skip
    assert again.status_code == 409
    assert "déjà sur la liste d&#x27;attente" in again.content.decode()


def test_dates_in_the_wrong_order_are_a_form_error(client, adviser, person, service):
    client.force_login(adviser)
    today = timezone.localdate()
    response = client.post(reverse("waitlist_add"), {
        "beneficiary": person.pk, "service": service.pk, "wanted_from": str(today),
        "wanted_until": str(today - timedelta(days=1)),
    })  # fmt: skip
    assert response.status_code == 400
    assert "Le dernier jour doit venir après le premier." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin_user", 200), ("adviser", 200), ("finance_officer", 403), ("partner_manager", 403),
     ("partner_staff", 403), ("prescriber", 403)],
)  # fmt: skip
def test_who_sees_the_list(client, request, role, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("waitlist_list")).status_code == expected
    assert client.get(reverse("waitlist_add")).status_code == expected


def test_anonymous_goes_to_sign_in(client):
    assert client.get(reverse("waitlist_list")).status_code == 302


def test_remove_from_the_page(client, adviser, person, service):
    entry = _entry(adviser, person, service)
    client.force_login(adviser)
    response = client.post(reverse("waitlist_remove", kwargs={"waiting_id": entry.pk}))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED


def _token(offer) -> str:
    return urlparse(offer_url(offer)).path.rstrip("/").rsplit("/", 1)[-1]


def test_the_person_takes_the_place_from_the_link_without_an_account(
    client, adviser, person, service
):
    make_slot(service, 4)
    entry = _entry(adviser, person, service)
    (offer,) = waitlist_offer_places(service_id=service.pk)
    url = reverse("waitlist_offer_link", kwargs={"token": _token(offer)})
    page = client.get(url).content.decode()
    assert "Je prends cette place" in page and service.name in page.replace("&#x27;", "'")
    assert client.post(url, {"answer": "accept"}).status_code == 302
    offer.refresh_from_db(), entry.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and entry.status == EntryStatus.BOOKED
    after = client.get(url).content.decode()
    assert "C'est réservé" in after.replace("&#x27;", "'") and "Je prends" not in after


def test_the_person_lets_the_place_go_and_stays_in_line(client, adviser, person, service):
    make_slot(service, 4)
    entry = _entry(adviser, person, service)
    (offer,) = waitlist_offer_places(service_id=service.pk)
    url = reverse("waitlist_offer_link", kwargs={"token": _token(offer)})
    client.post(url, {"answer": "decline"})
    offer.refresh_from_db(), entry.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED and entry.status == EntryStatus.WAITING
    assert "Vous restez sur la liste" in client.get(url).content.decode()


def test_a_forged_link_is_404(client):
    assert (
        client.get(reverse("waitlist_offer_link", kwargs={"token": "abc:def"})).status_code == 404
    )


def test_the_service_page_offers_the_waiting_list_to_advisers(client, adviser, service):
    client.force_login(adviser)
    html = client.get(reverse("catalogue_service", args=[service.pk])).content.decode()
    assert f"{reverse('waitlist_add')}?service={service.pk}" in html


def test_the_list_shows_each_persons_rank_in_line(client, adviser, person, service, platform):
    from tests.beneficiaries.factories import BeneficiaryFactory

    second = BeneficiaryFactory(platform=platform, first_name="Paul", last_name="Zed")
    first_entry, second_entry = _entry(adviser, person, service), _entry(adviser, second, service)
    client.force_login(adviser)
    html = client.get(reverse("waitlist_list")).content.decode()
    rank = r'<tr id="attente-{}">\s*<th scope="row">{}</th>'
    import re

    assert re.search(rank.format(first_entry.pk, 1), html)
    assert re.search(rank.format(second_entry.pk, 2), html)


# --- The person's own lines on « Mes rendez-vous » --------------------------------------------


@pytest.fixture
def signed_in_person(person):
    from tests.factories import UserFactory

    person.user = UserFactory(first_name="Léa", last_name="Martin")
    person.save(update_fields=["user"])
    return person.user


def test_the_person_sees_their_place_in_line_then_the_place_held_for_them(
    client, adviser, person, service, signed_in_person
):
    from tests.beneficiaries.factories import BeneficiaryFactory

    ahead = BeneficiaryFactory(platform=person.platform)
    _entry(adviser, ahead, service)
    entry = _entry(adviser, person, service)
    client.force_login(signed_in_person)
    page = client.get(reverse("my_bookings")).content.decode().replace("&#x27;", "'")
    assert "En liste d'attente" in page and service.name in page
    assert f'id="attente-{entry.pk}"' in page
    assert "Vous êtes la personne n° 2 de la liste." in page
    # the first in line took another place: one freed now is held for Léa
    WaitingListEntry.objects.filter(beneficiary=ahead).update(status=EntryStatus.REMOVED)
    make_slot(service, 4)
    (offer,) = waitlist_offer_places(service_id=service.pk)
    assert offer.entry_id == entry.pk
    page = client.get(reverse("my_bookings")).content.decode().replace("&#x27;", "'")
    assert "Une place s'est libérée pour vous" in page
    assert urlparse(offer_url(offer)).path in page
    # out of line, the section is gone
    WaitingListEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.REMOVED)
    assert "En liste d'attente" not in client.get(reverse("my_bookings")).content.decode()


def test_the_person_sees_only_their_own_lines(client, adviser, person, service, signed_in_person):
    from tests.beneficiaries.factories import BeneficiaryFactory

    other = BeneficiaryFactory(platform=person.platform, first_name="Zoé", last_name="Durand")
    _entry(adviser, other, service)
    client.force_login(signed_in_person)
    page = client.get(reverse("my_bookings")).content.decode()
    assert "En liste d'attente" not in page.replace("&#x27;", "'")


def test_the_lines_cost_the_same_queries_however_many(
    client, adviser, person, service, garage, signed_in_person, django_assert_num_queries
):
    from tests.partners.factories import ServiceFactory

    _entry(adviser, person, service)
    client.force_login(signed_in_person)
    client.get(reverse("my_bookings"))  # warm the per-process caches
    with django_assert_num_queries(10) as one:
        assert client.get(reverse("my_bookings")).status_code == 200
    for name in ("Vidange", "Pneus", "Freins"):
        _entry(adviser, person, ServiceFactory(partner=garage, name=name, min_notice_hours=0))
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("my_bookings")).content.decode()
    assert all(name in page for name in ("Vidange", "Pneus", "Freins"))
