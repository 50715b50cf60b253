"""Booking pages: an adviser books (price first), the platform's list and one booking, the
partner's inbox and answers, the voucher check, the signed link of the request e-mail; who
may open what; and the partner never reading anything of the person's file."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.enums import BeneficiaryStatus, DiagnosisDecision
from beneficiaries.models import Diagnosis
from bookings import services
from bookings.capacity import SlotFull
from bookings.models import Booking
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot
from tests.factories import OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db

NEW = reverse("booking_new")
INBOX = reverse("partner_booking_inbox")
LIST = reverse("booking_list")
# What the person's file holds and a partner must never read (DESIGN §10).
SECRETS = (
    "Synthèse confidentielle du diagnostic",
    "Dettes de loyer, RSA 607 euros",
    "Projet secret d'aide-soignante",
    "Foyer monoparental, trois enfants",
    "Allocataire du RSA",
)


# --- Helpers --------------------------------------------------------------------------------


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    """The page as read: entities decoded, white space collapsed (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.content.decode()))


def book(adviser, person, service, slots, **kwargs):
    return services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
        slot_ids=[s.pk for s in slots], **kwargs,
    )  # fmt: skip


def past_booking(adviser, person, service, *, units=None, confirm_by=None, day=-1):
    """A booking whose slot started `day` days ago (booked the day before)."""
    slot = make_slot(service, day, 10)
    booking = book(adviser, person, service, [slot], units=units,
                   now=slot.starts_at - timedelta(days=1))  # fmt: skip
    if confirm_by is not None:
        services.booking_confirm(actor=confirm_by, booking_id=booking.pk)
    return booking


def form_data(person, slots=(), **extra) -> dict:
    data = {"beneficiary": person.pk, "quantity": 1, "note": "", "slots": [s.pk for s in slots]}
    data.update(extra)
    return data


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://[^\s]+(/reservations/lien/[^\s/]+/)", body)


@pytest.fixture
def secret_person(platform, adviser):
    """A person with a full file: situation, project, household, income notes, diagnosis."""
    person = BeneficiaryFactory(
        platform=platform, adviser=adviser, first_name="Léa", last_name="Martin",
        phone="+33600000001", professional_project=SECRETS[2], household=SECRETS[3],
        income_notes=SECRETS[1], status=BeneficiaryStatus.REINFORCED,
    )  # fmt: skip
    Diagnosis.objects.create(
        beneficiary=person, author=adviser, held_on=timezone.localdate(), summary=SECRETS[0],
        decision=DiagnosisDecision.REINFORCED,
    )  # fmt: skip
    return person


# --- Booking (adviser) ----------------------------------------------------------------------


def test_the_form_shows_the_week_of_free_times_and_the_person_prefilled(
    client, adviser, person, service, slot
):
    full = make_slot(service, 3, 11, capacity=1)
    Slot.objects.filter(pk=full.pk).update(reserved=1)
    closed = BeneficiaryFactory(platform=person.platform, status=BeneficiaryStatus.CLOSED)
    response = signed_in(client, adviser).get(
        NEW, {"service": service.pk, "beneficiary": person.pk}
    )
    assert response.status_code == 200
    html = text(response)
    assert re.search(rf'<input type="checkbox" name="slots" value="{slot.pk}">', html)
    # A full time is shown, "complet", and cannot be chosen.
    assert re.search(rf'name="slots" value="{full.pk}" disabled> <span>11 h 00</span>', html)
    assert '<span class="week-note">complet</span>' in html
    assert '9 h 00</span><span class="visually-hidden"> – 10 h 00' in html
    assert "Chaque créneau dure 1 h." in html
    # The person of the link is shown, with a way to change; nobody else is listed.
    assert "MARTIN Léa — Moulins" in html
    assert f'<input type="hidden" name="beneficiary" value="{person.pk}">' in html
    assert ">changer<" in html
    assert closed.last_name.upper() not in html
    assert "Voir le prix" in html


def test_adviser_sees_the_price_then_books_and_the_partner_gets_the_two_links(
    client, adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks
):
    url = f"{NEW}?service={service.pk}"
    client = signed_in(client, adviser)
    data = form_data(person, [slot], note="Apporter la carte grise")

    quote = client.post(url, {**data, "action": "quote"})
    assert quote.status_code == 200
    html = text(quote)
    assert "1 heure × 35,00\xa0€" in html
    assert "65,00\xa0€" in html and "30,00\xa0€" in html  # market total and saving
    assert "Confirmer la réservation" in html
    assert not Booking.objects.exists()  # the price step books nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "action": "confirm"})
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("booking_detail", kwargs={"booking_id": booking.pk})
    assert (booking.status, booking.beneficiary, booking.booked_by) == (
        "requested",
        person,
        adviser,
    )
    assert booking.note_for_partner == "Apporter la carte grise"
    slot.refresh_from_db()
    assert slot.reserved == 1
    message = next(m for m in mail.outbox if m.to == [partner_manager.email])
    assert len(links_in(message.body)) == 2
    page = client.get(response.url)
    assert "Demande envoyée au partenaire" in text(page)
    assert booking.reference in text(page)


def test_an_auto_confirmed_service_says_so(client, adviser, person, garage, platform):
    service = ServiceFactory(partner=garage, auto_confirm=True, min_notice_hours=0)
    slot = make_slot(service, 2)
    response = signed_in(client, adviser).post(
        f"{NEW}?service={service.pk}", {**form_data(person, [slot]), "action": "confirm"},
        follow=True,
    )  # fmt: skip
    assert Booking.objects.get().status == "confirmed"
    assert "Confirmée automatiquement" in text(response)


def test_a_slot_that_fills_up_meanwhile_brings_the_form_back_with_nothing_lost(
    client, adviser, person, service, partner_staff
):
    slot = make_slot(service, 3, capacity=1)
    other = make_slot(service, 3, 10, capacity=1)
    url = f"{NEW}?service={service.pk}"
    data = form_data(person, [slot, other], note="Le matin de préférence", quantity=1)
    client = signed_in(client, adviser)
    assert client.post(url, {**data, "action": "quote"}).status_code == 200
    someone = BeneficiaryFactory(platform=person.platform)
    book(adviser, someone, service, [slot])  # another adviser was quicker

    response = client.post(url, {**data, "action": "confirm"})
    assert response.status_code == 409
    html = text(response)
    assert "Plus de place sur le créneau du" in html
    assert "complet" in html
    assert "Le matin de préférence" in html  # the note is kept
    # so is the person
    assert f'<input type="hidden" name="beneficiary" value="{person.pk}">' in html
    assert re.search(rf'value="{other.pk}" checked>', html)  # and the other slot
    assert re.search(rf'value="{slot.pk}" disabled> <span>9 h 00</span>', html)
    assert Booking.objects.count() == 1
    other.refresh_from_db()
    assert other.reserved == 0


def test_a_slot_taken_between_the_check_and_the_booking_is_explained(
    client, adviser, person, service, slot, monkeypatch
):
    def full(slot_quantities, *, service_id):
        raise SlotFull("Ce créneau vient d'être complet. Choisissez-en un autre.")

    monkeypatch.setattr("bookings.capacity.reserve", full)
    data = form_data(person, [slot], note="Garder la note")
    response = signed_in(client, adviser).post(
        f"{NEW}?service={service.pk}", {**data, "action": "confirm"}
    )
    assert response.status_code == 409
    html = text(response)
    assert "Ce créneau vient d'être complet. Choisissez-en un autre." in html
    assert "Garder la note" in html
    assert not Booking.objects.exists()


def test_a_rental_takes_every_open_day_between_the_first_and_the_last(
    client, adviser, person, rental
):
    days = [make_slot(rental, offset, 9, hours=9, capacity=2) for offset in (2, 3, 4, 6)]
    url = f"{NEW}?service={rental.pk}"
    first, last = (timezone.localtime(days[i].starts_at).date().isoformat() for i in (0, 2))
    data = {**form_data(person), "first_day": first, "last_day": last}
    client = signed_in(client, adviser)
    page = client.get(url)
    assert 'name="first_day"' in text(page) and 'name="last_day"' in text(page)

    quote = client.post(url, {**data, "action": "quote"})
    assert quote.status_code == 200
    assert "3 jours × 5,00\xa0€" in text(quote) and "15,00\xa0€" in text(quote)

    response = client.post(url, {**data, "action": "confirm"})
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert sorted(booking.booking_slots.values_list("slot_id", flat=True)) == [
        s.pk for s in days[:3]
    ]
    assert (booking.units, booking.total_price) == (Decimal("3.00"), Decimal("15.00"))

    backwards = client.post(url, {**data, "first_day": last, "last_day": first,
                                  "action": "quote"})  # fmt: skip
    assert backwards.status_code == 400
    assert "Le dernier jour doit venir après le premier jour." in text(backwards)


def test_km_services_need_the_planned_distance(client, adviser, person, transport):
    slot = make_slot(transport, 2, 14)
    url = f"{NEW}?service={transport.pk}"
    client = signed_in(client, adviser)
    assert "Kilomètres prévus" in text(client.get(url))
    missing = client.post(url, {**form_data(person, [slot]), "action": "quote"})
    assert missing.status_code == 400
    assert "Kilomètres prévus" in text(missing) and "Ce champ est obligatoire." in text(missing)

    quote = client.post(url, {**form_data(person, [slot], units="42,5"), "action": "quote"})
    assert quote.status_code == 200
    assert "42,5 km × 0,35\xa0€" in text(quote) and "14,88\xa0€" in text(quote)
    client.post(url, {**form_data(person, [slot], units="42,5"), "action": "confirm"})
    assert Booking.objects.get().units == Decimal("42.50")


def test_the_form_explains_what_is_missing(client, adviser, person, service, slot):
    response = signed_in(client, adviser).post(
        f"{NEW}?service={service.pk}", {"beneficiary": "", "quantity": 3, "action": "quote"}
    )
    assert response.status_code == 400
    html = text(response)
    assert "Choisissez au moins un créneau." in html
    response = client.post(
        f"{NEW}?service={service.pk}",
        {**form_data(person, [slot]), "quantity": 3, "action": "quote"},
    )
    assert "Il ne reste que 2 places pour le créneau du" in text(response)


def test_booking_needs_a_service_the_adviser_may_see(client, adviser, other_platform):
    client = signed_in(client, adviser)
    assert client.get(NEW).url == reverse("catalogue_search")
    assert client.get(NEW, {"service": 999999}).status_code == 404
    hidden = ServiceFactory(partner=PartnerFactory())  # no agreement with the platform
    assert client.get(NEW, {"service": hidden.pk}).status_code == 404


@pytest.mark.parametrize(
    "role", ["finance_officer", "partner_manager", "prescriber", "beneficiary"]
)
def test_only_advisers_and_admins_book(client, request, role, service, slot, person):
    if role == "beneficiary":
        user = person.user = UserFactory()
        person.save()
    else:
        user = request.getfixturevalue(role)
    response = signed_in(client, user).get(NEW, {"service": service.pk})
    assert response.status_code == 403
    response = client.post(f"{NEW}?service={service.pk}",
                           {**form_data(person, [slot]), "action": "confirm"})  # fmt: skip
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_person_of_another_platform_cannot_be_booked(
    client, adviser, service, slot, other_platform
):
    stranger = BeneficiaryFactory(platform=other_platform)
    response = signed_in(client, adviser).post(
        f"{NEW}?service={service.pk}", {**form_data(stranger, [slot]), "action": "confirm"}
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_a_platform_admin_books_too(client, platform, person, service, slot):
    admin = member(Role.ADMIN, platform)
    response = signed_in(client, admin).post(
        f"{NEW}?service={service.pk}", {**form_data(person, [slot]), "action": "confirm"}
    )
    assert response.status_code == 302
    assert Booking.objects.get().booked_by == admin


def test_the_catalogue_offers_booking_to_advisers_only(client, adviser, finance_officer, service):
    url = reverse("catalogue_service", args=[service.pk])
    link = f'href="{NEW}?service={service.pk}"'
    assert link in text(signed_in(client, adviser).get(url))
    assert "Réserver pour une personne" not in text(signed_in(client, finance_officer).get(url))


# --- The platform's bookings ----------------------------------------------------------------


def test_the_list_shows_the_platform_bookings_and_filters_them(
    client, adviser, person, service, other_platform
):
    soon = book(adviser, person, service, [make_slot(service, 2, capacity=3)])
    other = BeneficiaryFactory(platform=person.platform, first_name="Karim", last_name="Haddad")
    later = book(adviser, other, service, [make_slot(service, 9, capacity=3)])
    services.booking_cancel(actor=adviser, booking_id=later.pk, reason="Plus besoin")
    foreign_agreement = AgreementFactory(partner=service.partner, platform=other_platform)
    foreign_adviser = member(Role.ADVISER, other_platform)
    foreign = BeneficiaryFactory(platform=other_platform, last_name="Ailleurs")
    book(foreign_adviser, foreign, service, [make_slot(service, 3, 14)])
    assert foreign_agreement.pk

    client = signed_in(client, adviser)
    html = text(client.get(LIST))
    assert "2 réservations" in html
    assert "MARTIN Léa" in html and "HADDAD Karim" in html and "AILLEURS" not in html

    assert "1 réservation" in text(client.get(LIST, {"status": "cancelled"}))
    assert soon.reference not in text(client.get(LIST, {"status": "cancelled"}))
    assert later.reference not in text(client.get(LIST, {"person": "mart"}))
    assert soon.reference in text(client.get(LIST, {"person": "mart"}))
    day = timezone.localtime(later.starts_at).date().isoformat()
    dated = text(client.get(LIST, {"date_from": day, "date_to": day}))
    assert later.reference in dated and soon.reference not in dated
    assert soon.reference in text(client.get(LIST, {"upcoming": "on"}))
    assert soon.reference in text(client.get(LIST, {"beneficiary": person.pk}))
    assert later.reference not in text(client.get(LIST, {"beneficiary": person.pk}))


@pytest.mark.parametrize("count", [1, 6])
def test_list_query_count_does_not_grow_with_the_page(
    client, adviser, person, service, count, django_assert_num_queries
):
    for index in range(count):
        book(adviser, person, service, [make_slot(service, 2 + index)])
    client = signed_in(client, adviser)
    client.get(LIST)  # warm the session
    # session, user, memberships, the navigation's teams, count, page
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["rows"]) == count


def test_partners_go_to_their_inbox_and_others_may_not_list(client, partner_manager, prescriber):
    assert signed_in(client, partner_manager).get(LIST).url == INBOX
    assert signed_in(client, prescriber).get(LIST).status_code == 403


def test_the_detail_says_everything_about_one_booking(client, adviser, person, service):
    slot = make_slot(service, 3, capacity=2)
    booking = book(adviser, person, service, [slot], quantity=2, note="Carte grise")
    response = signed_in(client, adviser).get(
        reverse("booking_detail", kwargs={"booking_id": booking.pk})
    )
    assert response.status_code == 200
    html = text(response)
    for expected in (
        booking.reference, "Léa Martin", "06 00 00 00 01", service.name, service.partner.name,
        "9 h 00 – 10 h 00", "2 places × 1 heure × 35,00\xa0€", "70,00\xa0€", "130,00\xa0€",
        "60,00\xa0€", "Demandée", "Demande envoyée au partenaire", "Carte grise",
        "Annuler la réservation",
    ):  # fmt: skip
        assert expected in html, expected
    local = timezone.localtime(slot.starts_at)
    assert f"{local.day} " in html


def test_adviser_cancels_with_a_reason(client, adviser, person, service, slot):
    booking = book(adviser, person, service, [slot])
    url = reverse("booking_cancel", kwargs={"booking_id": booking.pk})
    client = signed_in(client, adviser)
    missing = client.post(url, {"reason": "  "})
    assert missing.status_code == 400
    assert "Indiquez le motif en quelques mots." in text(missing)
    response = client.post(url, {"reason": "La personne a trouvé un emploi à pied"}, follow=True)
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, booking.cancellation_reason, slot.reserved) == (
        "cancelled", "La personne a trouvé un emploi à pied", 0,
    )  # fmt: skip
    html = text(response)
    assert "Réservation annulée" in html and "La personne a trouvé un emploi à pied" in html
    assert "Annuler la réservation" not in html


def test_who_may_open_a_booking(
    client, adviser, finance_officer, person, service, slot, partner_manager, prescriber,
    other_partner_manager,
):  # fmt: skip
    booking = book(adviser, person, service, [slot])
    url = reverse("booking_detail", kwargs={"booking_id": booking.pk})
    cancel = reverse("booking_cancel", kwargs={"booking_id": booking.pk})
    finance = signed_in(client, finance_officer).get(url)
    assert finance.status_code == 200 and "Annuler la réservation" not in text(finance)
    assert client.post(cancel, {"reason": "Non"}).status_code == 403
    # Partners use their own pages: nothing of the person's file is reachable from here.
    assert signed_in(client, partner_manager).get(url).status_code == 403
    assert client.post(cancel, {"reason": "Non"}).status_code == 403
    assert signed_in(client, other_partner_manager).get(url).status_code == 403
    assert signed_in(client, prescriber).get(url).status_code == 403
    user = UserFactory()
    person.user = user
    person.save()
    assert signed_in(client, user).get(url).status_code == 403
    foreign = member(Role.ADVISER, OrganisationFactory(name="Autre plateforme"))
    assert signed_in(client, foreign).get(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "requested"


# --- The partner's inbox and answers --------------------------------------------------------


def test_inbox_lists_requests_today_coming_and_past_to_close(
    client, adviser, person, service, partner_manager
):
    request_ = book(adviser, person, service, [make_slot(service, 2)], note="Bruit au freinage")
    coming = book(adviser, person, service, [make_slot(service, 5)])
    services.booking_confirm(actor=partner_manager, booking_id=coming.pk)
    past = past_booking(adviser, person, service, confirm_by=partner_manager)
    response = signed_in(client, partner_manager).get(INBOX)
    assert response.status_code == 200
    html = text(response)
    assert [row["booking"] for row in response.context["requests"]] == [request_]
    assert [row["booking"] for row in response.context["later"]] == [coming]
    assert [row["booking"] for row in response.context["to_close"]] == [past]
    assert "Léa Martin" in html and "06 00 00 00 01" in html and "Bruit au freinage" in html
    assert "Confirmer" in html and "Refuser" in html and "Personne absente" in html


@pytest.mark.parametrize("count", [1, 5])
def test_inbox_query_count_does_not_grow_with_the_bookings(
    client, adviser, person, service, partner_manager, count, django_assert_num_queries
):
    for index in range(count):
        book(adviser, person, service, [make_slot(service, 2 + index)])
        coming = book(adviser, person, service, [make_slot(service, 2 + index, 11)])
        services.booking_confirm(actor=partner_manager, booking_id=coming.pk)
        past_booking(adviser, person, service, confirm_by=partner_manager, day=-1 - index)
    client = signed_in(client, partner_manager)
    client.get(INBOX)  # warm the session
    # session, user, memberships, the navigation's teams and partner portal,
    # requests, past to close, coming
    with django_assert_num_queries(8):
        response = client.get(INBOX)
    context = response.context
    assert [len(context[k]) for k in ("requests", "later", "to_close")] == [count] * 3


def test_partner_confirms_from_the_inbox_and_the_adviser_is_told(
    client, adviser, person, service, slot, partner_staff, django_capture_on_commit_callbacks
):
    booking = book(adviser, person, service, [slot])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, partner_staff).post(
            reverse("partner_booking_confirm", kwargs={"booking_id": booking.pk}),
            {"next": "inbox"},
        )
    assert response.url == INBOX
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.confirmed_at is not None
    assert any(m.to == [adviser.email] for m in mail.outbox)
    assert "confirmée" in text(client.get(INBOX))


def test_partner_declines_with_a_reason(client, adviser, person, service, slot, partner_staff):
    booking = book(adviser, person, service, [slot])
    url = reverse("partner_booking_decline", kwargs={"booking_id": booking.pk})
    client = signed_in(client, partner_staff)
    missing = client.post(url, {"decline-reason": "", "next": "inbox"})
    assert missing.status_code == 400
    assert "Indiquez le motif en quelques mots." in text(missing)
    booking.refresh_from_db()
    assert booking.status == "requested"

    response = client.post(url, {"decline-reason": "Pièce indisponible", "next": "inbox"})
    assert response.url == INBOX
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, booking.decline_reason, slot.reserved) == (
        "declined", "Pièce indisponible", 0,
    )  # fmt: skip


def test_partner_completes_with_the_actual_distance_and_totals_follow(
    client, adviser, person, transport, partner_manager
):
    booking = past_booking(adviser, person, transport, units=Decimal("40"),
                           confirm_by=partner_manager)  # fmt: skip
    url = reverse("partner_booking_complete", kwargs={"booking_id": booking.pk})
    client = signed_in(client, partner_manager)
    detail = text(client.get(reverse("partner_booking_detail", kwargs={"booking_id": booking.pk})))
    assert "Kilomètres réellement parcourus" in detail
    assert client.post(url, {"units": ""}).status_code == 400
    response = client.post(url, {"units": "52,5"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "completed"
    assert (booking.units, booking.total_price, booking.market_total) == (
        Decimal("52.50"), Decimal("18.38"), Decimal("94.50"),
    )  # fmt: skip


def test_partner_completes_an_hourly_service_without_a_distance(
    client, adviser, person, service, partner_manager
):
    booking = past_booking(adviser, person, service, confirm_by=partner_manager)
    response = signed_in(client, partner_manager).post(
        reverse("partner_booking_complete", kwargs={"booking_id": booking.pk}), {"next": "inbox"}
    )
    assert response.url == INBOX
    booking.refresh_from_db()
    assert (booking.status, booking.total_price) == ("completed", Decimal("35.00"))


def test_partner_records_a_no_show(client, adviser, person, service, partner_manager):
    booking = past_booking(adviser, person, service, confirm_by=partner_manager)
    response = signed_in(client, partner_manager).post(
        reverse("partner_booking_no_show", kwargs={"booking_id": booking.pk}), follow=True
    )
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert "absence de la personne notée" in text(response)


def test_a_future_booking_cannot_be_closed_and_the_page_says_why(
    client, adviser, person, service, slot, partner_manager
):
    booking = book(adviser, person, service, [slot])
    services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    response = signed_in(client, partner_manager).post(
        reverse("partner_booking_no_show", kwargs={"booking_id": booking.pk}), follow=True
    )
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert "pas encore eu lieu" in text(response)


def test_partner_cancels_a_coming_booking(client, adviser, person, service, slot,
                                          partner_manager):  # fmt: skip
    booking = book(adviser, person, service, [slot])
    services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    url = reverse("partner_booking_cancel", kwargs={"booking_id": booking.pk})
    client = signed_in(client, partner_manager)
    assert client.post(url, {"cancel-reason": ""}).status_code == 400
    client.post(url, {"cancel-reason": "Mécanicien malade"})
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "partner")


def test_partner_pages_are_for_the_partner_of_the_booking(
    client, adviser, person, service, slot, other_partner_manager, prescriber, partner_manager
):
    booking = book(adviser, person, service, [slot])
    detail = reverse("partner_booking_detail", kwargs={"booking_id": booking.pk})
    actions = [
        reverse(name, kwargs={"booking_id": booking.pk})
        for name in ("partner_booking_confirm", "partner_booking_decline",
                     "partner_booking_complete", "partner_booking_no_show",
                     "partner_booking_cancel")
    ]  # fmt: skip
    client = signed_in(client, other_partner_manager)
    assert client.get(detail).status_code == 404
    for url in actions:
        assert client.post(url, {"decline-reason": "x", "cancel-reason": "x"}).status_code == 404
    assert booking.reference not in text(client.get(INBOX))
    beneficiary_user = UserFactory()
    person.user = beneficiary_user
    person.save()
    for user in (adviser, prescriber, beneficiary_user):
        client = signed_in(client, user)
        assert client.get(INBOX).status_code == 403
        assert client.get(detail).status_code == 403
        assert client.post(actions[0]).status_code == 403
    client.logout()
    assert client.get(INBOX).status_code == 302  # to the login page
    booking.refresh_from_db()
    assert booking.status == "requested"
    assert signed_in(client, partner_manager).get(detail).status_code == 200


def test_reference_check_finds_only_the_partner_bookings(
    client, adviser, person, service, slot, partner_staff, other_platform
):
    booking = book(adviser, person, service, [slot])
    elsewhere = ServiceFactory(min_notice_hours=0)
    AgreementFactory(partner=elsewhere.partner, platform=person.platform)
    foreign = book(adviser, person, elsewhere, [make_slot(elsewhere, 2)])
    url = reverse("partner_reference_check")
    client = signed_in(client, partner_staff)
    compact = booking.reference.replace("-", "").lower()
    found = text(client.get(url, {"reference": compact}))
    assert booking.reference in found and "Léa Martin" in found and "Demandée" in found
    unknown = text(client.get(url, {"reference": foreign.reference}))
    assert "Référence inconnue" in unknown and "Léa Martin" not in unknown
    assert "Référence inconnue" in text(client.get(url, {"reference": "SM-2222-3333"}))
    assert client.get(url, {"reference": "SM-12"}).status_code == 400


# --- The signed link of the request e-mail --------------------------------------------------


@pytest.fixture
def requested(adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(adviser, person, service, [slot], note="Sonner au portail")
    message = next(m for m in mail.outbox if m.to == [partner_manager.email])
    confirm, decline = links_in(message.body)
    return booking, confirm, decline


def test_the_link_shows_the_request_and_acts_only_on_post(client, requested):
    booking, confirm, _decline = requested
    page = client.get(confirm)
    assert page.status_code == 200
    html = text(page)
    assert "Léa Martin" in html and "06 00 00 00 01" in html and "Sonner au portail" in html
    assert "Confirmer la réservation" in html
    assert page["Cache-Control"].startswith("max-age=0")
    booking.refresh_from_db()
    assert booking.status == "requested"  # a mail scanner opening the link changes nothing

    done = client.post(confirm)
    assert done.status_code == 200
    assert "Merci, la réservation est confirmée" in text(done)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert booking.events.last().actor is None  # answered without an account

    again = client.get(confirm)
    assert "Cette demande a déjà reçu une réponse" in text(again)
    assert "Confirmer la réservation" not in text(again)
    twice = client.post(confirm)
    assert twice.status_code == 409
    assert "Cette demande a déjà reçu une réponse" in text(twice)


def test_the_decline_link_needs_a_reason(client, requested):
    booking, confirm, decline = requested
    assert "Motif du refus" in text(client.get(decline))
    missing = client.post(decline, {"decline-reason": ""})
    assert missing.status_code == 400
    booking.refresh_from_db()
    assert booking.status == "requested"
    client.post(decline, {"decline-reason": "Fermé pour inventaire"})
    booking.refresh_from_db()
    assert (booking.status, booking.decline_reason) == ("declined", "Fermé pour inventaire")
    assert "Cette demande a déjà reçu une réponse" in text(client.get(confirm))
    assert client.post(confirm).status_code == 409


def test_forged_and_expired_links_are_refused(client, requested):
    booking, confirm, _decline = requested
    forged = confirm[:-3] + "xx/"
    response = client.get(forged)
    assert response.status_code == 404 and "Ce lien n'est pas valide." in text(response)
    assert client.post(forged).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        expired = client.post(confirm)
    assert expired.status_code == 400
    assert "Ce lien a expiré" in text(expired)
    booking.refresh_from_db()
    assert booking.status == "requested"


# --- Privacy ----------------------------------------------------------------------------------


def test_the_partner_never_reads_the_person_file(
    client, adviser, secret_person, service, partner_manager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        requested = book(adviser, secret_person, service, [make_slot(service, 2)])
        past = past_booking(adviser, secret_person, service, confirm_by=partner_manager)
        cancelled = book(adviser, secret_person, service, [make_slot(service, 4)])
        services.booking_cancel(actor=adviser, booking_id=cancelled.pk, reason="Plus besoin")
    partner_mail = [m for m in mail.outbox if m.to == [partner_manager.email]]
    assert len(partner_mail) == 4  # three requests and a cancellation
    confirm, decline = links_in(partner_mail[0].body)
    client = signed_in(client, partner_manager)
    pages = [
        client.get(INBOX),
        client.get(reverse("partner_booking_detail", kwargs={"booking_id": requested.pk})),
        client.get(reverse("partner_booking_detail", kwargs={"booking_id": past.pk})),
        client.get(reverse("partner_reference_check"), {"reference": requested.reference}),
        client.get(confirm),
        client.get(decline),
    ]
    client.logout()
    pages += [client.get(confirm), client.get(decline)]
    assert all(page.status_code == 200 for page in pages)
    texts = [text(page) for page in pages]
    assert all("Léa Martin" in content for content in texts)  # the pages are the right ones
    texts += [html.unescape(m.subject + m.body) for m in partner_mail]
    for content in texts:
        for secret in SECRETS:
            assert secret not in content, secret


# --- A service's refusal, shown the one way (core.web.run_service) ---------------------------


def test_a_refused_cancel_is_a_message_on_the_booking(client, adviser, person, service, slot):
    booking = book(adviser, person, service, [slot])
    services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Plus besoin")
    url = reverse("booking_cancel", kwargs={"booking_id": booking.pk})

    response = signed_in(client, adviser).post(url, {"reason": "Encore"}, follow=True)

    assert response.redirect_chain == [
        (reverse("booking_detail", kwargs={"booking_id": booking.pk}), 302)
    ]
    assert "Impossible : la réservation est « Annulée »." in text(response)
    assert "Réservation annulée. Le partenaire" not in text(response)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("partner_booking_confirm", {}),
        ("partner_booking_decline", {"decline-reason": "Complet"}),
        ("partner_booking_cancel", {"cancel-reason": "Fermé"}),
    ],
)
def test_a_partners_refused_answer_is_a_message(
    client, adviser, person, service, slot, partner_staff, name, data
):
    booking = book(adviser, person, service, [slot])
    services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Plus besoin")
    url = reverse(name, kwargs={"booking_id": booking.pk})

    response = signed_in(client, partner_staff).post(url, {**data, "next": "inbox"}, follow=True)

    assert response.redirect_chain == [(INBOX, 302)]
    assert "Impossible : la réservation est « Annulée »." in text(response)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
