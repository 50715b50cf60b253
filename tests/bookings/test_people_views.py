"""« Mes rendez-vous », its signed link, the booking documents and the calendar feeds."""

import html
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from accounts.enums import Role
from bookings import feeds, services
from bookings.links import my_bookings_url
from bookings.models import Booking
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=PARIS)  # a Monday morning
# session, user, beneficiary, bookings (with service, partner, organisation), adviser,
# platform, memberships (navigation), the shares to pay online (payments' badges), the
# appointments with the platform (agenda's panel)
MY_BOOKINGS_QUERIES = 10  # with the person's waiting lines (none here)


# --- Helpers ----------------------------------------------------------------------------------


def book(adviser, person, service, start: datetime, *, hours=1) -> Booking:
    """A booking made by the adviser, as the platform makes them."""
    slot = Slot.objects.create(
        service=service, starts_at=start, ends_at=start + timedelta(hours=hours), capacity=2
    )
    return services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk]
    )


def past(person, service, start: datetime, *, status="completed") -> Booking:
    """A booking already in the past (booking_create refuses past slots)."""
    return Booking.objects.create(
        platform=person.platform, beneficiary=person, service=service, units=Decimal(1),
        unit_price=service.solidarity_price, market_unit_price=service.market_price,
        total_price=service.solidarity_price, market_total=service.market_price,
        status=status, starts_at=start, ends_at=start + timedelta(hours=1),
    )  # fmt: skip


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in March 2026 (or later days of the count), Paris time."""
    return datetime(2026, 3, 1, hour, minute, tzinfo=PARIS) + timedelta(days=day - 1)


def text(response) -> str:
    """The page's text, entities decoded and no-break spaces read as spaces."""
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


def uids(response) -> set[str]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]).removesuffix("@solimob") for event in calendar.walk("VEVENT")}


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person_user(person):
    user = UserFactory(first_name="Léa", last_name="Martin")
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def repair(service):
    service.eligibility_note = "Apportez la carte grise du véhicule."
    service.save(update_fields=["eligibility_note"])
    return service


# --- « Mes rendez-vous » ----------------------------------------------------------------------


@pytest.mark.django_db
def test_my_bookings_shows_upcoming_soonest_first_then_past(
    client, clock, adviser, person, person_user, repair
):
    later = book(adviser, person, repair, local(10, 14))
    soon = book(adviser, person, repair, local(3, 9, 30))
    cancelled = book(adviser, person, repair, local(5, 10))
    services.booking_cancel(actor=adviser, booking_id=cancelled.pk, reason="Garage fermé")
    last_week = past(person, repair, local(1, 9) - timedelta(days=7))
    last_month = past(person, repair, local(1, 9) - timedelta(days=30))
    client.force_login(person_user)

    page = text(client.get(reverse("my_bookings")))

    order = [page.index(b.reference) for b in (soon, later, cancelled, last_week, last_month)]
    assert order == sorted(order)
    assert page.index("À venir") < order[0] < order[1] < page.index("passés ou annulés")
    assert page.index("passés ou annulés") < order[2]
    assert "mardi 3 mars, 9 h 30" in page and "jusqu'à 10 h 30" in page
    assert "Annulé par votre conseiller·ère." in page
    assert "En attente : le partenaire doit encore confirmer." in page
    assert "https://www.openstreetmap.org/directions?to=46.5659,3.3328" in page
    assert "Comment y aller" in page
    assert "votre bon de prise en charge" in page
    assert "Apportez la carte grise du véhicule." in page
    assert reverse("booking_voucher", args=[soon.pk]) in page
    assert reverse("booking_calendar", args=[soon.pk]) in page
    assert reverse("booking_voucher", args=[cancelled.pk]) not in page
    assert reverse("my_booking_cancel", args=[soon.pk]) in page
    assert reverse("my_booking_cancel", args=[cancelled.pk]) not in page
    assert "Abonner mon agenda" in page
    assert path_of(feeds.beneficiary_feed_url(person)) in page


@pytest.mark.django_db
def test_my_bookings_query_count_does_not_grow_with_bookings(
    client, clock, adviser, person, person_user, repair, django_assert_num_queries
):
    book(adviser, person, repair, local(3, 9))
    client.force_login(person_user)
    with django_assert_num_queries(MY_BOOKINGS_QUERIES):
        assert client.get(reverse("my_bookings")).status_code == 200
    for day in (4, 5, 6):
        book(adviser, person, repair, local(day, 9))
    past(person, repair, local(1, 9) - timedelta(days=3))
    with django_assert_num_queries(MY_BOOKINGS_QUERIES):
        assert client.get(reverse("my_bookings")).status_code == 200


@pytest.mark.django_db
def test_only_beneficiaries_open_my_bookings(client, adviser, person):
    response = client.get(reverse("my_bookings"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    client.force_login(adviser)
    response = client.get(reverse("my_bookings"))
    assert response.status_code == 403
    assert "réservée aux personnes accompagnées" in text(response)


@pytest.mark.django_db
def test_home_and_navigation_lead_beneficiaries_to_their_bookings(client, person_user):
    client.force_login(person_user)
    page = text(client.get(reverse("home")))
    assert f'href="{reverse("my_bookings")}">Voir mes rendez-vous' in page
    assert f'href="{reverse("my_bookings")}">Mes rendez-vous' in page
    assert client.get(reverse("my_bookings")).status_code == 200


@pytest.mark.django_db
def test_staff_navigation_has_no_my_bookings(client, adviser):
    client.force_login(adviser)
    assert reverse("my_bookings") not in text(client.get(reverse("home")))


# --- Cancelling -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_before_the_cutoff(client, clock, adviser, person, person_user, repair):
    booking = book(adviser, person, repair, local(4, 9))
    client.force_login(person_user)
    response = client.post(
        reverse("my_booking_cancel", args=[booking.pk]), {"reason": "empechement"}, follow=True
    )
    assert "Votre rendez-vous « Main-d'œuvre » est annulé." in text(response)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancellation_reason) == (
        "cancelled",
        "beneficiary",
        "J'ai un empêchement",
    )


@pytest.mark.django_db
def test_cancel_needs_a_reason(client, clock, adviser, person, person_user, repair):
    booking = book(adviser, person, repair, local(4, 9))
    client.force_login(person_user)
    response = client.post(reverse("my_booking_cancel", args=[booking.pk]), {}, follow=True)
    assert "Choisissez pourquoi vous annulez" in text(response)
    booking.refresh_from_db()
    assert booking.status == "requested"


@pytest.mark.django_db
def test_after_the_cutoff_the_page_says_to_call_and_cancelling_is_refused(
    client, clock, adviser, person, person_user, repair
):
    booking = book(adviser, person, repair, local(3, 9))  # cut-off: 24 hours before
    client.force_login(person_user)
    page = text(client.get(reverse("my_bookings")))
    assert "Vous pouvez annuler en ligne jusqu'au lundi 2 mars, 9 h." in page

    clock.move_to(local(2, 9, 1))
    page = text(client.get(reverse("my_bookings")))
    assert reverse("my_booking_cancel", args=[booking.pk]) not in page
    assert "Pour annuler, appelez votre conseiller·ère." in page
    assert adviser.get_full_name() in page

    response = client.post(
        reverse("my_booking_cancel", args=[booking.pk]), {"reason": "malade"}, follow=True
    )
    assert "Il est trop tard pour annuler en ligne : appelez votre conseiller·ère." in text(
        response
    )
    booking.refresh_from_db()
    assert booking.status == "requested"


@pytest.mark.django_db
def test_a_person_cannot_cancel_someone_elses_booking(
    client, clock, adviser, person, person_user, repair, platform
):
    other = BeneficiaryFactory(platform=platform, adviser=adviser)
    theirs = book(adviser, other, repair, local(4, 9))
    client.force_login(person_user)
    response = client.post(reverse("my_booking_cancel", args=[theirs.pk]), {"reason": "autre"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "requested"


# --- The signed link --------------------------------------------------------------------------


@pytest.mark.django_db
def test_signed_link_shows_the_bookings_without_signing_in_read_only(
    client, clock, adviser, person, repair
):
    booking = book(adviser, person, repair, local(4, 9))
    token = path_of(my_bookings_url(person)).split("/")[-2]
    response = client.get(path_of(my_bookings_url(person)))
    assert response.status_code == 200
    page = text(response)
    assert booking.reference in page
    assert reverse("my_booking_cancel", args=[booking.pk]) not in page
    assert "Annuler ce rendez-vous" not in page
    assert "Pour annuler, appelez votre conseiller·ère." in page

    voucher_url = reverse("my_booking_voucher_link", args=[token, booking.pk])
    calendar_url = reverse("my_booking_calendar_link", args=[token, booking.pk])
    assert voucher_url in page and calendar_url in page
    voucher = client.get(voucher_url)
    assert voucher.status_code == 200 and voucher.content.startswith(b"%PDF")
    assert voucher["Content-Type"] == "application/pdf"
    calendar = client.get(calendar_url)
    assert calendar.status_code == 200 and uids(calendar) == {booking.reference}

    assert client.post(reverse("my_booking_cancel", args=[booking.pk]), {"reason": "autre"})[
        "Location"
    ].startswith(reverse("account_login"))
    booking.refresh_from_db()
    assert booking.status == "requested"


@pytest.mark.django_db
def test_signed_link_documents_are_only_the_persons_own(
    client, clock, adviser, person, repair, platform
):
    other = BeneficiaryFactory(platform=platform, adviser=adviser)
    theirs = book(adviser, other, repair, local(4, 9))
    token = path_of(my_bookings_url(person)).split("/")[-2]
    assert client.get(reverse("my_booking_voucher_link", args=[token, theirs.pk])).status_code == (
        404
    )
    assert client.get(reverse("my_booking_calendar_link", args=[token, theirs.pk])).status_code == (
        404
    )


@pytest.mark.django_db
def test_forged_or_expired_links_do_not_open(client, clock, adviser, person, repair):
    book(adviser, person, repair, local(4, 9))
    url = path_of(my_bookings_url(person))
    token = url.split("/")[-2]
    payload, stamp, signature = token.split(":")
    forged_signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    another_person = "eyJwIjo5OX0"  # {"p":99} with the signature of someone else's link
    for forged in (
        f"{payload}:{stamp}:{forged_signature}",
        f"{another_person}:{stamp}:{signature}",
        "nimportequoi",
    ):
        assert client.get(reverse("my_bookings_link", args=[forged])).status_code == 404

    max_age = settings.BENEFICIARY_LINK_MAX_AGE_DAYS
    clock.move_to(NOW + timedelta(days=max_age - 1))
    assert client.get(url).status_code == 200
    clock.move_to(NOW + timedelta(days=max_age + 1))
    response = client.get(url)
    assert response.status_code == 400
    assert "Ce lien a expiré" in text(response)


@pytest.mark.django_db
def test_signed_link_opened_by_the_signed_in_person_leads_to_their_page(
    client, person, person_user
):
    client.force_login(person_user)
    response = client.get(path_of(my_bookings_url(person)))
    assert response.status_code == 302 and response.url == reverse("my_bookings")


# --- Documents for every party ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["adviser", "admin_user", "partner_manager", "partner_staff", "person_user"]
)
def test_every_party_downloads_the_voucher_and_calendar_entry(
    request, client, clock, adviser, person, repair, who
):
    booking = book(adviser, person, repair, local(4, 9))
    client.force_login(request.getfixturevalue(who))
    voucher = client.get(reverse("booking_voucher", args=[booking.pk]))
    assert voucher.status_code == 200
    assert voucher["Content-Type"] == "application/pdf"
    assert voucher["Content-Disposition"] == (
        f'attachment; filename="bon-de-prise-en-charge-{booking.reference}.pdf"'
    )
    assert voucher.content.startswith(b"%PDF")
    calendar = client.get(reverse("booking_calendar", args=[booking.pk]))
    assert calendar.status_code == 200
    assert calendar["Content-Type"] == "text/calendar; charset=utf-8"
    assert calendar["Content-Disposition"] == (
        f'attachment; filename="rendez-vous-{booking.reference}.ics"'
    )
    assert uids(calendar) == {booking.reference}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_adviser", "other_partner", "other_person", "prescriber"])
def test_other_people_get_404_for_the_documents(
    client, clock, adviser, person, repair, other_platform, prescriber, platform, who
):
    booking = book(adviser, person, repair, local(4, 9))
    if who == "other_adviser":
        user = member(Role.ADVISER, other_platform)
    elif who == "other_partner":
        user = member(Role.PARTNER_MANAGER, OrganisationFactory(partner=True))
    elif who == "other_person":
        user = UserFactory()
        BeneficiaryFactory(platform=platform, user=user)
    else:
        user = prescriber
    client.force_login(user)
    status = 403 if who == "prescriber" else 404  # prescribers' role has no booking documents
    assert client.get(reverse("booking_voucher", args=[booking.pk])).status_code == status
    assert client.get(reverse("booking_calendar", args=[booking.pk])).status_code == status


# --- Calendar feeds ---------------------------------------------------------------------------


@pytest.fixture
def feed_bookings(clock, adviser, person, repair, garage, platform):
    """Bookings inside and outside the partner's and the person's feeds."""
    other_person = BeneficiaryFactory(platform=platform, adviser=adviser)
    other_partner = PartnerFactory()
    AgreementFactory(partner=other_partner, platform=platform)
    elsewhere = ServiceFactory(partner=other_partner, min_notice_hours=0)
    cancelled = book(adviser, person, repair, local(6, 9))
    services.booking_cancel(actor=adviser, booking_id=cancelled.pk, reason="Garage fermé")
    return {
        "requested": book(adviser, person, repair, local(3, 9)),
        "confirmed": past(person, repair, local(10, 9), status="confirmed"),
        "recent": past(person, repair, NOW - timedelta(days=20), status="confirmed"),
        "someone_else": book(adviser, other_person, repair, local(4, 11)),
        "other_partner": book(adviser, person, elsewhere, local(4, 14)),
        "cancelled": cancelled,
        "long_ago": past(person, repair, NOW - timedelta(days=40), status="confirmed"),
        "too_far": past(person, repair, NOW + timedelta(days=130), status="confirmed"),
        "completed": past(person, repair, NOW - timedelta(days=2)),
    }


def refs(bookings: dict, *names: str) -> set[str]:
    return {bookings[name].reference for name in names}


@pytest.mark.django_db
def test_partner_feed_lists_the_partners_active_bookings_of_the_window(
    client, feed_bookings, garage
):
    response = client.get(path_of(feeds.partner_feed_url(garage)))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert uids(response) == refs(feed_bookings, "requested", "confirmed", "recent", "someone_else")
    calendar = Calendar.from_ical(response.content)
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert "Main-d'œuvre — Léa Martin" in summaries


@pytest.mark.django_db
def test_person_feed_lists_only_their_active_bookings(client, feed_bookings, person):
    response = client.get(path_of(feeds.beneficiary_feed_url(person)))
    assert response.status_code == 200
    assert uids(response) == refs(
        feed_bookings, "requested", "confirmed", "recent", "other_partner"
    )


@pytest.mark.django_db
def test_forged_feed_tokens_are_404(client, garage, person):
    partner_url = path_of(feeds.partner_feed_url(garage))
    assert client.get(partner_url.replace(".ics", "x.ics")).status_code == 404
    # A person's token does not open a partner's agenda, and the reverse.
    person_token = path_of(feeds.beneficiary_feed_url(person)).split("/")[-1]
    assert client.get(f"/agenda/partenaire/{person_token}").status_code == 404
    partner_token = partner_url.split("/")[-1]
    assert client.get(f"/agenda/personne/{partner_token}").status_code == 404
