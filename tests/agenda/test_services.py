"""Appointments: a seat taken by the capacity guard, given back on cancel, moved all or
nothing; follow-ups within their kind's limit; attendance; the person's messages and
reminders 48 h and 24 h before; sessions and outreach dates."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agenda.enums import AppointmentStatus, CancelledBy, KindCategory
from agenda.models import AgendaSlot, Appointment
from agenda.services import outreach_record, session_create
from agenda.services_appointments import (
    appointment_book,
    appointment_cancel,
    appointment_cancel_by_person,
    appointment_mark,
    appointment_move,
    appointments_remind,
)
from core import sms
from core.errors import ApplicationError, NotFoundError
from core.models import Notification
from tests.agenda.conftest import soon
from tests.beneficiaries.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def texts() -> list[dict]:
    """The SMS written to the outbox (sent after commit), oldest first."""
    return [
        {"to": n.recipient, "body": n.body}
        for n in Notification.objects.filter(channel="sms").order_by("pk")
    ]


def free(category=KindCategory.DIAGNOSTIC, place=None):
    slots = AgendaSlot.objects.filter(kind__category=category, starts_at__gt=soon(49))
    if place is not None:
        slots = slots.filter(place=place)
    return slots.order_by("starts_at")


def test_booking_takes_the_seat_and_tells_the_person_by_sms(
    open_agenda, person, places, django_capture_on_commit_callbacks
):
    slot = free(place=places["montlucon"]).first()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    slot.refresh_from_db()
    assert (slot.reserved, appointment.status, appointment.place) == (
        1, AppointmentStatus.BOOKED, places["montlucon"],
    )  # fmt: skip
    assert (appointment.starts_at, appointment.ends_at) == (slot.starts_at, slot.ends_at)
    [message] = sms.outbox
    assert message["to"] == "+33612345678"
    assert "Diagnostic mobilité" in message["body"] and "/rendez-vous/" in message["body"]


def test_a_full_slot_is_refused_with_slot_full(open_agenda, person, platform):
    slot = free().first()
    appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    other = BeneficiaryFactory(platform=platform)
    with pytest.raises(ApplicationError) as refused:
        appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=other.pk)
    assert refused.value.code == "slot_full"
    assert Appointment.objects.count() == 1


def test_a_referral_books_without_a_record_and_its_record_sees_it_later(
    open_agenda, referral, platform
):
    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, referral_id=referral.pk)
    assert (appointment.beneficiary, appointment.referral) == (None, referral)
    assert texts()[0]["to"] == "+33698765432"
    record = BeneficiaryFactory(platform=platform)
    referral.beneficiary = record
    referral.save()
    from agenda.selectors import appointments_of_person

    assert list(appointments_of_person(record.pk)) == [appointment]


def test_another_platform_cannot_book_here(open_agenda, person, other_platform):
    from accounts.enums import Role
    from tests.factories import member

    stranger = member(Role.ADVISER, other_platform)
    with pytest.raises(NotFoundError):
        appointment_book(actor=stranger, slot_id=free().first().pk, beneficiary_id=person.pk)


def test_a_past_slot_is_refused(open_agenda, person):
    slot = free().first()
    with pytest.raises(ApplicationError) as refused:
        appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk,
                         now=slot.starts_at + timedelta(minutes=1))  # fmt: skip
    assert refused.value.code == "slot_passed"


def test_cancel_gives_the_seat_back_and_tells_the_person(open_agenda, person):
    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    appointment_cancel(actor=open_agenda, appointment_id=appointment.pk, reason="Conseiller malade")
    slot.refresh_from_db()
    appointment.refresh_from_db()
    assert (slot.reserved, appointment.status, appointment.holding) == (
        0, AppointmentStatus.CANCELLED, False,
    )  # fmt: skip
    assert "annulé" in texts()[-1]["body"]
    with pytest.raises(ApplicationError) as again:
        appointment_cancel(actor=open_agenda, appointment_id=appointment.pk, reason="x")
    assert again.value.code == "invalid_transition"


def test_move_takes_the_new_seat_and_frees_the_old_one(open_agenda, person):
    first, second = free()[:2]
    appointment = appointment_book(actor=open_agenda, slot_id=first.pk, beneficiary_id=person.pk)
    moved = appointment_move(actor=None, appointment_id=appointment.pk, slot_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    appointment.refresh_from_db()
    assert (first.reserved, second.reserved) == (0, 1)
    assert appointment.cancelled_by == CancelledBy.PERSON
    assert moved.moved_from == appointment and moved.starts_at == second.starts_at


def test_a_move_to_a_full_slot_changes_nothing(open_agenda, person, platform):
    first, second = free()[:2]
    appointment_book(actor=open_agenda, slot_id=second.pk,
                     beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    appointment = appointment_book(actor=open_agenda, slot_id=first.pk, beneficiary_id=person.pk)
    with pytest.raises(ApplicationError) as refused:
        appointment_move(actor=open_agenda, appointment_id=appointment.pk, slot_id=second.pk)
    assert refused.value.code == "slot_full"
    appointment.refresh_from_db()
    first.refresh_from_db()
    assert (appointment.status, first.reserved) == (AppointmentStatus.BOOKED, 1)


def test_a_move_to_another_kind_is_refused(open_agenda, person):
    appointment = appointment_book(actor=open_agenda, slot_id=free().first().pk,
                                   beneficiary_id=person.pk)  # fmt: skip
    with pytest.raises(NotFoundError):
        appointment_move(actor=open_agenda, appointment_id=appointment.pk,
                         slot_id=free(KindCategory.FOLLOW_UP).first().pk)  # fmt: skip


def test_attendance_is_recorded_once_started_and_no_show_counts(open_agenda, person):
    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    with pytest.raises(ApplicationError) as early:
        appointment_mark(actor=open_agenda, appointment_id=appointment.pk, to="no_show")
    assert early.value.code == "not_started"
    later = slot.starts_at + timedelta(minutes=20)
    appointment_mark(actor=open_agenda, appointment_id=appointment.pk, to="no_show", now=later)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_the_follow_up_falls_within_six_weeks(open_agenda, person, kinds):
    diagnostic = appointment_book(actor=open_agenda, slot_id=free().first().pk,
                                  beneficiary_id=person.pk)  # fmt: skip
    follow_kind = kinds[KindCategory.FOLLOW_UP]
    assert kinds[KindCategory.DIAGNOSTIC].follow_up_within_days == 42
    too_late = AgendaSlot.objects.create(
        platform=follow_kind.platform, adviser=open_agenda, place=diagnostic.place,
        kind=follow_kind, starts_at=diagnostic.starts_at + timedelta(days=43),
        ends_at=diagnostic.starts_at + timedelta(days=43, minutes=45), capacity=1,
    )  # fmt: skip
    with pytest.raises(ApplicationError) as refused:
        appointment_book(actor=open_agenda, slot_id=too_late.pk, beneficiary_id=person.pk,
                         follow_up_of_id=diagnostic.pk)  # fmt: skip
    assert refused.value.code == "follow_up_too_late"
    ok = free(KindCategory.FOLLOW_UP).first()
    follow = appointment_book(actor=open_agenda, slot_id=ok.pk, beneficiary_id=person.pk,
                              follow_up_of_id=diagnostic.pk)  # fmt: skip
    assert follow.follow_up_of == diagnostic


def test_the_person_cancels_from_the_link_before_it_starts(open_agenda, person):
    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    with pytest.raises(ApplicationError) as late:
        appointment_cancel_by_person(appointment_id=appointment.pk, reason="x",
                                     now=slot.starts_at + timedelta(minutes=1))  # fmt: skip
    assert late.value.code == "slot_passed"
    appointment_cancel_by_person(appointment_id=appointment.pk, reason="Je suis malade")
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by) == ("cancelled", CancelledBy.PERSON)


def test_reminders_48_then_24_hours_before_each_sent_once(open_agenda, person):
    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    Notification.objects.all().delete()
    start = slot.starts_at
    assert appointments_remind(now=start - timedelta(hours=49)) == 0
    assert appointments_remind(now=start - timedelta(hours=47)) == 1
    assert appointments_remind(now=start - timedelta(hours=46)) == 0  # already sent
    assert appointments_remind(now=start - timedelta(hours=23)) == 1
    assert appointments_remind(now=start - timedelta(hours=2)) == 0
    assert len(texts()) == 2 and all("rappel" in m["body"] for m in texts())
    appointment.refresh_from_db()
    assert appointment.reminders_sent == [24, 48]


def test_a_late_run_sends_one_reminder_not_two(open_agenda, person):
    slot = free().first()
    appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    Notification.objects.all().delete()
    assert appointments_remind(now=slot.starts_at - timedelta(hours=10)) == 1
    assert appointments_remind(now=slot.starts_at - timedelta(hours=9)) == 0
    assert len(texts()) == 1


def test_a_cancelled_appointment_gets_no_reminder(open_agenda, person):
    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    appointment_cancel(actor=open_agenda, appointment_id=appointment.pk, reason="x")
    assert appointments_remind(now=slot.starts_at - timedelta(hours=20)) == 0


def test_a_person_without_a_mobile_gets_an_email(open_agenda, platform):
    person = BeneficiaryFactory(platform=platform, phone="+33470000000", email="a@exemple.test")
    appointment_book(actor=open_agenda, slot_id=free().first().pk, beneficiary_id=person.pk)
    note = Notification.objects.get(template="agenda/booked")
    assert (note.channel, note.recipient) == ("email", "a@exemple.test")


def test_a_collective_session_never_takes_more_than_its_seats(adviser, platform, places, kinds):
    kind = kinds[KindCategory.COLLECTIVE]
    args = {"actor": adviser, "platform_id": platform.pk, "kind_id": kind.pk,
            "place_id": places["vichy"].pk, "adviser_id": adviser.pk,
            "starts_at": timezone.now() + timedelta(days=5), "theme": "Le code"}  # fmt: skip
    with pytest.raises(ValidationError):
        session_create(**args, seats=kind.seats + 1)
    session = session_create(**args, seats=3)
    people = [BeneficiaryFactory(platform=platform) for _ in range(4)]
    for p in people[:3]:
        appointment_book(actor=adviser, slot_id=session.pk, beneficiary_id=p.pk)
    with pytest.raises(ApplicationError) as full:
        appointment_book(actor=adviser, slot_id=session.pk, beneficiary_id=people[3].pk)
    assert full.value.code == "slot_full"
    with pytest.raises(ApplicationError) as twice:
        appointment_cancel(actor=adviser, appointment_id=Appointment.objects.first().pk,
                           reason="x")  # fmt: skip
        appointment_book(actor=adviser, slot_id=session.pk, beneficiary_id=people[1].pk)
    assert twice.value.code == "already_booked"


def test_an_outreach_date_counts_people_met_and_referrals(
    adviser, platform, places, kinds, referral
):
    session = session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.OUTREACH].pk,
        place_id=places["moulins"].pk, adviser_id=adviser.pk,
        starts_at=timezone.now() + timedelta(days=2), theme="Marché de Moulins", seats=20,
    )  # fmt: skip
    outreach_record(actor=adviser, session_id=session.pk, people_met=14,
                    referral_ids=[referral.pk])  # fmt: skip
    session.refresh_from_db()
    assert (session.people_met, list(session.referrals.all())) == (14, [referral])


def test_a_refused_referral_loses_its_diagnostic_before_any_reminder(open_agenda, referral):
    from agenda.services_appointments import appointments_of_closed_referrals_cancel
    from agenda.tasks import agenda_remind

    slot = free().first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, referral_id=referral.pk)
    assert appointments_of_closed_referrals_cancel() == 0
    referral.status = "refused"
    referral.save()
    Notification.objects.all().delete()
    assert agenda_remind() == 0
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert (appointment.status, slot.reserved) == (AppointmentStatus.CANCELLED, 0)
    assert texts() == []
