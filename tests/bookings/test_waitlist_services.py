"""Waiting lists (issue 16): a freed place goes to the first in line, expiry passes it to the
next, two places go to two people, an offer holds its place until answered."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings import services
from bookings.capacity import SlotFull
from bookings.capacity_check import capacity_mismatches
from bookings.enums import BookingStatus
from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.links_waitlist import OfferExpired, offer_id_from_token
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.services_waitlist import (
    AlreadyWaiting,
    waitlist_entry_add,
    waitlist_entry_remove,
    waitlist_offer_accept,
    waitlist_offer_decline,
    waitlist_sweep,
)
from core import sms
from core.errors import ApplicationError, NotFoundError
from core.models import Notification
from partners.slots import slots_regenerate
from tests.beneficiaries.factories import BeneficiaryFactory, give_sms_consent
from tests.bookings.conftest import make_slot
from tests.factories import member
from tests.partners.factories import RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_slot(service, person, adviser):
    """A one-place slot in three days, booked by Léa."""
    slot = make_slot(service, 3, capacity=1)
    booking = services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk]
    )
    return slot, booking


@pytest.fixture
def line(platform, adviser):
    """Two people waiting, Ahmed first (SMS, which he agreed to), then Brigitte (e-mail)."""
    ahmed = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Ahmed",
                               phone="+33611111111", email="")  # fmt: skip
    give_sms_consent(ahmed, by=adviser)
    return [
        ahmed,
        BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Brigitte",
                           phone="0470000000", email="brigitte@example.org"),
    ]  # fmt: skip


def add(actor, person, service, days=10):
    today = timezone.localdate()
    return waitlist_entry_add(
        actor=actor, beneficiary_id=person.pk, service_id=service.pk,
        wanted_from=today, wanted_until=today + timedelta(days=days),
    )  # fmt: skip


def cancel(booking, adviser, capture):
    with capture(execute=True):
        services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Empêchée")


def test_a_freed_place_is_offered_to_the_first_in_line_who_gets_an_sms(
    adviser, service, full_slot, line, django_capture_on_commit_callbacks
):
    slot, booking = full_slot
    with django_capture_on_commit_callbacks(execute=True):
        first, second = add(adviser, line[0], service), add(adviser, line[1], service)
    assert WaitingListOffer.objects.count() == 0  # nothing free yet
    sms.outbox.clear()
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    assert offer.entry == first and offer.slot == slot and offer.holding
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (EntryStatus.OFFERED, EntryStatus.WAITING)
    slot.refresh_from_db()
    assert slot.reserved == 1  # held for Ahmed: nobody else can take it
    assert capacity_mismatches() == []
    to_ahmed = [m for m in sms.outbox if m["to"] == "+33611111111"]
    assert len(to_ahmed) == 1 and "place s'est libérée" in to_ahmed[0]["body"]
    assert not [m for m in sms.outbox if m["to"] == "+33470000000"]  # Brigitte: not yet
    url = to_ahmed[0]["body"].rsplit(" ", 1)[-1]
    assert offer_id_from_token(url.rstrip("/").rsplit("/", 1)[-1]) == offer.pk


def test_nobody_else_can_book_a_place_held_by_an_offer(
    adviser, service, full_slot, line, platform, django_capture_on_commit_callbacks
):
    slot, booking = full_slot
    add(adviser, line[0], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    stranger = BeneficiaryFactory(platform=platform)
    with pytest.raises(SlotFull):
        services.booking_create(
            actor=adviser, beneficiary_id=stranger.pk, service_id=service.pk, slot_ids=[slot.pk]
        )


def test_expiry_passes_the_place_to_the_next_who_is_e_mailed(
    adviser, service, full_slot, line, settings, django_capture_on_commit_callbacks
):
    slot, booking = full_slot
    first, second = add(adviser, line[0], service), add(adviser, line[1], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    later = timezone.now() + timedelta(hours=settings.WAITLIST_OFFER_HOURS, minutes=1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = waitlist_sweep()
    assert result["expired"] == 1
    offer.refresh_from_db()
    assert (offer.status, offer.holding) == (OfferStatus.EXPIRED, False)
    second_offer = WaitingListOffer.objects.get(status=OfferStatus.OFFERED)
    assert second_offer.entry == second and second_offer.slot == slot
    first.refresh_from_db()
    assert first.status == EntryStatus.WAITING  # still in line for another place
    slot.refresh_from_db()
    assert slot.reserved == 1 and capacity_mismatches() == []
    mail = Notification.objects.filter(recipient="brigitte@example.org").get()
    assert "place" in mail.subject.lower()


def test_declining_passes_the_place_on_and_keeps_the_person_in_line(
    adviser, service, full_slot, line, django_capture_on_commit_callbacks
):
    _slot, booking = full_slot
    first, second = add(adviser, line[0], service), add(adviser, line[1], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_decline(offer_id=offer.pk, via_link=True)
    assert WaitingListOffer.objects.get(status=OfferStatus.OFFERED).entry == second
    first.refresh_from_db()
    assert first.status == EntryStatus.WAITING
    # Ahmed is not offered that slot again once Brigitte declines too.
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_decline(offer_id=WaitingListOffer.objects.get(status="offered").pk,
                               via_link=True)  # fmt: skip
    assert not WaitingListOffer.objects.filter(status=OfferStatus.OFFERED).exists()
    assert capacity_mismatches() == []


def test_two_places_freed_at_once_go_to_two_different_people(
    adviser, service, person, line, django_capture_on_commit_callbacks
):
    slot = make_slot(service, 3, capacity=2)
    booking = services.booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk],
        quantity=2,
    )  # fmt: skip
    first, second = add(adviser, line[0], service), add(adviser, line[1], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    offers = WaitingListOffer.objects.filter(status=OfferStatus.OFFERED)
    assert sorted(o.entry_id for o in offers) == sorted([first.pk, second.pk])
    slot.refresh_from_db()
    assert slot.reserved == 2 and capacity_mismatches() == []


def test_accepting_books_the_held_place(
    adviser, service, full_slot, line, django_capture_on_commit_callbacks
):
    slot, booking = full_slot
    entry = add(adviser, line[0], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    waitlist_offer_accept(offer_id=offer.pk, via_link=True)
    offer.refresh_from_db(), entry.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and not offer.holding
    assert entry.status == EntryStatus.BOOKED and entry.booking == offer.booking
    assert offer.booking.beneficiary == line[0] and offer.booking.status in (
        BookingStatus.REQUESTED, BookingStatus.CONFIRMED,
    )  # fmt: skip
    assert offer.booking.booked_by == adviser  # who put the person in line
    slot.refresh_from_db()
    assert slot.reserved == 1 and capacity_mismatches() == []
    with pytest.raises(ApplicationError) as refused:
        waitlist_offer_accept(offer_id=offer.pk, via_link=True)
    assert refused.value.code == "invalid_transition"


def test_an_expired_offer_cannot_be_accepted(
    adviser, service, full_slot, line, settings, django_capture_on_commit_callbacks
):
    _slot, booking = full_slot
    add(adviser, line[0], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    with time_machine.travel(offer.expires_at + timedelta(seconds=1)), pytest.raises(OfferExpired):
        waitlist_offer_accept(offer_id=offer.pk, via_link=True)


def test_removing_someone_with_an_offer_gives_the_place_to_the_next(
    adviser, service, full_slot, line, django_capture_on_commit_callbacks
):
    _slot, booking = full_slot
    first, second = add(adviser, line[0], service), add(adviser, line[1], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_entry_remove(actor=adviser, entry_id=first.pk)
    first.refresh_from_db()
    assert first.status == EntryStatus.REMOVED
    assert WaitingListOffer.objects.get(status=OfferStatus.OFFERED).entry == second
    assert WaitingListOffer.objects.get(entry=first).status == OfferStatus.WITHDRAWN
    assert capacity_mismatches() == []


def test_new_capacity_from_slot_generation_is_offered(
    adviser, service, line, django_capture_on_commit_callbacks
):
    entry = add(adviser, line[0], service, days=14)
    assert not WaitingListOffer.objects.exists()
    RuleFactory(service=service, weekdays=[0, 1, 2, 3, 4, 5, 6], capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        slots_regenerate(service.pk)
    offer = WaitingListOffer.objects.get()
    assert offer.entry == entry and offer.slot.reserved == 1
    assert capacity_mismatches() == []


def test_only_the_dates_wanted_are_offered(
    adviser, service, full_slot, line, django_capture_on_commit_callbacks
):
    _slot, booking = full_slot  # in three days
    today = timezone.localdate()
    waitlist_entry_add(actor=adviser, beneficiary_id=line[0].pk, service_id=service.pk,
                       wanted_from=today + timedelta(days=5),
                       wanted_until=today + timedelta(days=9))  # fmt: skip
    later = add(adviser, line[1], service)
    cancel(booking, adviser, django_capture_on_commit_callbacks)
    assert WaitingListOffer.objects.get().entry == later


def test_adding_refuses_duplicates_rentals_past_dates_and_strangers(
    adviser, service, rental, person, other_platform
):
    add(adviser, person, service)
    with pytest.raises(AlreadyWaiting):
        add(adviser, person, service)
    with pytest.raises(ApplicationError) as rental_refused:
        add(adviser, person, rental)
    assert rental_refused.value.code == "waitlist_not_available"
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as past:
        waitlist_entry_add(actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
                           wanted_from=today - timedelta(days=9),
                           wanted_until=today - timedelta(days=2))  # fmt: skip
    assert past.value.code == "invalid"
    from accounts.enums import Role

    outsider = member(Role.ADVISER, other_platform)
    with pytest.raises(NotFoundError):
        add(outsider, BeneficiaryFactory(platform=person.platform), service)
    assert WaitingListEntry.objects.count() == 1


def test_a_wait_of_more_than_a_year_is_refused(adviser, service, person):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as refused:
        waitlist_entry_add(actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
                           wanted_from=today, wanted_until=today.replace(year=9999))  # fmt: skip
    assert refused.value.code == "invalid"


def test_nothing_is_held_for_a_closed_file_or_a_service_no_longer_bookable(
    adviser, service, line, garage
):
    make_slot(service, 4)
    first, second = add(adviser, line[0], service), add(adviser, line[1], service)
    type(line[0]).objects.filter(pk=line[0].pk).update(status="closed")
    from bookings.services_waitlist import waitlist_offer_places

    (offer,) = waitlist_offer_places(service_id=service.pk)
    assert offer.entry == second  # Ahmed's file is closed: Brigitte gets the place
    waitlist_offer_decline(offer_id=offer.pk, via_link=True)
    make_slot(service, 5)
    garage.agreements.update(active=False)
    assert waitlist_offer_places(service_id=service.pk) == []
    first.refresh_from_db()
    assert first.status == EntryStatus.WAITING
