"""The waiting list of a full collective session (issue 16): the same rule as a partner's
service (bookings' waiting lists), with the session's seat held by the offer; a seat freed
by a cancellation or new seats goes to the first in line by SMS/e-mail with a signed link,
then to the next on an expiry; two seats go to two people."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from agenda.enums import HOLDING, KindCategory
from agenda.models import Appointment
from agenda.services import session_create, session_seats_set
from agenda.services_appointments import appointment_book, appointment_cancel
from bookings.capacity import SlotFull
from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.links_waitlist import offer_id_from_token
from bookings.models_waitlist import WaitingListOffer
from bookings.services_waitlist import (
    AlreadyWaiting,
    waitlist_entry_add,
    waitlist_entry_remove,
    waitlist_offer_accept,
    waitlist_offer_decline,
    waitlist_offer_places,
    waitlist_sweep,
)
from core import sms
from core.errors import ApplicationError, NotFoundError
from core.models import Notification
from tests.beneficiaries.factories import BeneficiaryFactory, give_sms_consent
from tests.factories import member

pytestmark = pytest.mark.django_db


def held(session) -> int:
    """Seats the session's holding appointments and open offers take (== `reserved`)."""
    appointments = Appointment.objects.filter(slot=session, holding=True, status__in=HOLDING)
    offers = WaitingListOffer.objects.filter(entry__session=session, holding=True)
    return appointments.count() + offers.count()


@pytest.fixture
def session(adviser, platform, places, kinds):
    """« Le budget d'une voiture » at Vichy in five days, 2 seats."""
    return session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.COLLECTIVE].pk,
        place_id=places["vichy"].pk, adviser_id=adviser.pk,
        starts_at=timezone.now() + timedelta(days=5), theme="Le budget d'une voiture", seats=2,
    )  # fmt: skip


@pytest.fixture
def full(session, adviser, platform):
    """Both seats taken: the two appointments."""
    return [
        appointment_book(actor=adviser, slot_id=session.pk,
                         beneficiary_id=BeneficiaryFactory(platform=platform).pk)
        for _ in range(2)
    ]  # fmt: skip


@pytest.fixture
def line(platform, adviser):
    """Ahmed (SMS, agreed) then Brigitte (e-mail)."""
    ahmed = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Ahmed",
                               phone="+33611111111", email="")  # fmt: skip
    give_sms_consent(ahmed, by=adviser)
    brigitte = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Brigitte",
                                  phone="0470000000", email="brigitte@example.org")  # fmt: skip
    return [ahmed, brigitte]


def wait(adviser, person, session):
    return waitlist_entry_add(actor=adviser, beneficiary_id=person.pk, session_id=session.pk)


def cancel(appointment, adviser, capture):
    with capture(execute=True):
        appointment_cancel(actor=adviser, appointment_id=appointment.pk, reason="Empêchée")


def test_only_a_full_collective_session_takes_a_line(
    adviser, session, full, line, platform, other_platform, places, kinds
):
    entry = wait(adviser, line[0], session)
    assert (entry.session, entry.service, entry.status) == (session, None, EntryStatus.WAITING)
    assert entry.wanted_until == timezone.localtime(session.starts_at).date()
    with pytest.raises(AlreadyWaiting):
        wait(adviser, line[0], session)
    participant = full[0].beneficiary
    with pytest.raises(ApplicationError) as inside:
        wait(adviser, participant, session)
    assert inside.value.code == "already_booked"
    stranger = member("adviser", other_platform)
    with pytest.raises(NotFoundError):
        wait(stranger, line[1], session)
    roomy = session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.COLLECTIVE].pk,
        place_id=places["moulins"].pk, adviser_id=adviser.pk,
        starts_at=timezone.now() + timedelta(days=6), theme="Le code", seats=3,
    )  # fmt: skip
    with pytest.raises(ApplicationError) as seats_left:
        wait(adviser, line[1], roomy)
    assert seats_left.value.code == "waitlist_not_available"
    outreach = session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.OUTREACH].pk,
        place_id=places["moulins"].pk, adviser_id=adviser.pk,
        starts_at=timezone.now() + timedelta(days=6), theme="Marché", seats=1,
    )  # fmt: skip
    with pytest.raises(NotFoundError):
        wait(adviser, line[1], outreach)


def test_a_cancelled_participant_s_seat_is_held_for_the_first_in_line_who_gets_an_sms(
    adviser, session, full, line, platform, django_capture_on_commit_callbacks
):
    first, second = wait(adviser, line[0], session), wait(adviser, line[1], session)
    assert WaitingListOffer.objects.count() == 0  # nothing free yet
    sms.outbox.clear()
    cancel(full[0], adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    assert (offer.entry, offer.slot, offer.holding) == (first, None, True)
    assert offer.starts_at == session.starts_at
    assert offer.expires_at <= timezone.now() + timedelta(hours=4)
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (EntryStatus.OFFERED, EntryStatus.WAITING)
    session.refresh_from_db()
    assert session.reserved == held(session) == 2  # held for Ahmed
    with pytest.raises(SlotFull):  # nobody else takes it meanwhile
        appointment_book(actor=adviser, slot_id=session.pk,
                         beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    to_ahmed = [m for m in sms.outbox if m["to"] == "+33611111111"]
    assert len(to_ahmed) == 1 and "Le budget d'une voiture" in to_ahmed[0]["body"]
    url = to_ahmed[0]["body"].rsplit(" ", 1)[-1]
    assert offer_id_from_token(url.rstrip("/").rsplit("/", 1)[-1]) == offer.pk


def test_accepting_by_the_link_books_the_held_seat(
    adviser, session, full, line, django_capture_on_commit_callbacks
):
    entry = wait(adviser, line[0], session)
    cancel(full[0], adviser, django_capture_on_commit_callbacks)
    offer = WaitingListOffer.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_accept(offer_id=offer.pk, via_link=True)
    appointment = Appointment.objects.get(slot=session, beneficiary=line[0])
    assert appointment.holding and appointment.booked_by == adviser
    entry.refresh_from_db(), offer.refresh_from_db()
    assert (entry.status, offer.status, offer.holding) == (
        EntryStatus.BOOKED, OfferStatus.ACCEPTED, False,
    )  # fmt: skip
    session.refresh_from_db()
    assert session.reserved == held(session) == 2
    assert Notification.objects.filter(template="agenda/booked", recipient="+33611111111").exists()


def test_expiry_passes_the_seat_to_the_next_and_the_first_leaves_the_line(
    adviser, session, full, line, settings, django_capture_on_commit_callbacks
):
    first, second = wait(adviser, line[0], session), wait(adviser, line[1], session)
    cancel(full[0], adviser, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(hours=settings.WAITLIST_OFFER_HOURS, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert waitlist_sweep()["expired"] == 1
    offers = {o.entry_id: o for o in WaitingListOffer.objects.all()}
    assert offers[first.pk].status == OfferStatus.EXPIRED and not offers[first.pk].holding
    assert offers[second.pk].status == OfferStatus.OFFERED and offers[second.pk].holding
    first.refresh_from_db()
    assert first.status == EntryStatus.REMOVED  # a session has one date: off the line
    session.refresh_from_db()
    assert session.reserved == held(session) == 2
    mail = Notification.objects.get(recipient="brigitte@example.org")
    assert "Le budget d'une voiture" in mail.subject
    assert "Vous restez sur la liste" not in mail.body


def test_declining_passes_the_seat_on(
    adviser, session, full, line, django_capture_on_commit_callbacks
):
    _first, second = wait(adviser, line[0], session), wait(adviser, line[1], session)
    cancel(full[0], adviser, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_decline(offer_id=WaitingListOffer.objects.get().pk, via_link=True)
    assert WaitingListOffer.objects.get(status=OfferStatus.OFFERED).entry == second
    session.refresh_from_db()
    assert session.reserved == held(session) == 2


def test_two_seats_freed_at_once_go_to_two_different_people(
    adviser, session, full, line, django_capture_on_commit_callbacks
):
    entries = [wait(adviser, line[0], session), wait(adviser, line[1], session)]
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(actor=adviser, appointment_id=full[0].pk, reason="x")
        appointment_cancel(actor=adviser, appointment_id=full[1].pk, reason="x")
    offers = WaitingListOffer.objects.filter(status=OfferStatus.OFFERED)
    assert sorted(o.entry_id for o in offers) == sorted(e.pk for e in entries)
    session.refresh_from_db()
    assert session.reserved == held(session) == 2


def test_more_seats_are_offered_to_the_line_and_never_fewer_than_taken(
    adviser, session, full, line, kinds, django_capture_on_commit_callbacks
):
    entry = wait(adviser, line[0], session)
    with pytest.raises(ValidationError):
        session_seats_set(actor=adviser, session_id=session.pk, seats=1)
    with pytest.raises(ValidationError):
        session_seats_set(actor=adviser, session_id=session.pk,
                          seats=kinds[KindCategory.COLLECTIVE].seats + 1)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        session_seats_set(actor=adviser, session_id=session.pk, seats=3)
    assert WaitingListOffer.objects.get().entry == entry
    session.refresh_from_db()
    assert (session.capacity, session.reserved) == (3, 3) and held(session) == 3


def test_removing_the_person_offered_passes_the_seat_on(
    adviser, session, full, line, django_capture_on_commit_callbacks
):
    first, second = wait(adviser, line[0], session), wait(adviser, line[1], session)
    cancel(full[0], adviser, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_entry_remove(actor=adviser, entry_id=first.pk)
    assert WaitingListOffer.objects.get(status=OfferStatus.OFFERED).entry == second
    session.refresh_from_db()
    assert session.reserved == held(session) == 2


def test_a_person_booked_directly_meanwhile_is_not_offered_a_second_seat(
    adviser, session, full, line
):
    """A seat added, and the adviser books Ahmed, who waits, into it before the offers run:
    the run offers him nothing (nobody holds two seats), and nothing is left for Brigitte."""
    wait(adviser, line[0], session)
    wait(adviser, line[1], session)
    session_seats_set(actor=adviser, session_id=session.pk, seats=3)  # (no commit: no run)
    appointment_book(actor=adviser, slot_id=session.pk, beneficiary_id=line[0].pk)
    assert waitlist_offer_places(session_id=session.pk) == []
    session.refresh_from_db()
    assert session.reserved == held(session) == 3
