"""Appointments in the agenda: book (a seat taken by the capacity guard of bookings, the
one conditional update), cancel (the seat given back the same way), move, record who came,
remind.

One transaction per change, the appointment's row locked for a transition; the person's
message is written in the same transaction (the outbox) and sent after commit."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.enums import APPOINTMENT_TRANSITIONS, AppointmentStatus, CancelledBy, KindCategory
from agenda.models import AgendaSlot, Appointment
from agenda.notifications import tell_person
from agenda.permissions import may_book
from agenda.selectors import appointments_of_person_q, follow_up_deadline
from beneficiaries.enums import ReferralStatus
from beneficiaries.models import Beneficiary, Referral
from bookings.capacity import SlotFull, give_back, take
from bookings.services_waitlist import waitlist_offer_soon
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError, get_or_not_found
from core.transitions import ensure_transition, record_transition

NOT_FOUND = _("Rendez-vous introuvable.")
SUBJECT = "le rendez-vous"
OPEN_REFERRAL = (ReferralStatus.SUBMITTED, ReferralStatus.ACCEPTED)


def _person(platform_id: int, beneficiary_id: int | None, referral_id: int | None):
    """(record, referral): the record when there is one (a referral already linked to a
    record books for that record); 404 outside the slot's platform."""
    if beneficiary_id is not None:
        person = Beneficiary.objects.filter(
            pk=beneficiary_id, platform_id=platform_id, anonymised_at__isnull=True
        ).first()
        if person is None:
            raise NotFoundError(_("Personne introuvable."))
        return person, None
    referral = (
        Referral.objects.filter(pk=referral_id, platform_id=platform_id, status__in=OPEN_REFERRAL)
        .select_related("beneficiary")
        .first()
    )
    if referral is None:
        raise NotFoundError(_("Orientation introuvable."))
    if referral.beneficiary_id is not None:
        return referral.beneficiary, referral
    return None, referral


def _take_seat(slot: AgendaSlot, *, now: datetime) -> AgendaSlot:
    if slot.starts_at <= now:
        raise ApplicationError(
            _("Ce créneau est déjà passé : choisissez-en un autre."), code=ErrorCode.SLOT_PASSED
        )
    taken = take(AgendaSlot, slot.pk, 1, platform_id=slot.platform_id)
    if taken is None:
        raise SlotFull(_("Ce créneau vient d'être complet. Choisissez-en un autre."))
    return taken


def _book(
    *, slot: AgendaSlot, beneficiary, referral, booked_by, now: datetime,
    follow_up_of: Appointment | None = None, moved_from: Appointment | None = None,
) -> Appointment:  # fmt: skip
    taken = _take_seat(slot, now=now)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                platform_id=slot.platform_id, slot_id=slot.pk, kind_id=slot.kind_id,
                adviser_id=slot.adviser_id, place_id=slot.place_id, beneficiary=beneficiary,
                referral=referral, starts_at=taken.starts_at, ends_at=taken.ends_at,
                booked_by=booked_by, follow_up_of=follow_up_of, moved_from=moved_from,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ConflictError(
            _("Cette personne a déjà ce rendez-vous."), code=ErrorCode.ALREADY_BOOKED
        ) from exc
    return appointment


def _slot_for(slot_id: int) -> AgendaSlot:
    return get_or_not_found(
        AgendaSlot.objects.select_related("kind"), slot_id, _("Créneau introuvable.")
    )


@transaction.atomic
def appointment_book(
    *, actor, slot_id: int, beneficiary_id: int | None = None, referral_id: int | None = None,
    follow_up_of_id: int | None = None, now: datetime | None = None,
) -> Appointment:  # fmt: skip
    """An adviser puts a person (a record, or a referral still waiting) in a slot. A
    follow-up falls no later than the previous appointment's kind allows."""
    now = now or timezone.now()
    if (beneficiary_id is None) == (referral_id is None):
        raise ApplicationError(_("Choisissez une personne ou une orientation."),
                               code=ErrorCode.INVALID)  # fmt: skip
    slot = _slot_for(slot_id)
    if not may_book(actor, slot.platform_id):
        raise NotFoundError(_("Créneau introuvable."))
    beneficiary, referral = _person(slot.platform_id, beneficiary_id, referral_id)
    previous = None
    if follow_up_of_id is not None:
        previous = get_or_not_found(
            Appointment.objects.filter(platform_id=slot.platform_id).select_related("kind"),
            follow_up_of_id, NOT_FOUND,
        )  # fmt: skip
        deadline = follow_up_deadline(previous)
        if deadline is not None and slot.starts_at > deadline:
            raise ApplicationError(
                _("Le suivi doit avoir lieu au plus tard le %(day)s.")
                % {"day": f"{deadline:%d/%m/%Y}"},
                code=ErrorCode.FOLLOW_UP_TOO_LATE,
            )
    appointment = _book(
        slot=slot, beneficiary=beneficiary, referral=referral, booked_by=actor, now=now,
        follow_up_of=previous,
    )  # fmt: skip
    audit_log(actor=actor, action="appointment.booked", target=appointment,
              data={"slot": slot.pk, "kind": slot.kind.category})  # fmt: skip
    tell_person(appointment, "agenda/booked")
    return appointment


def _lock(appointment_id: int) -> Appointment:
    return get_or_not_found(
        Appointment.objects.select_for_update(of=("self",)).select_related(
            "kind", "place", "place__commune", "adviser", "beneficiary", "referral"
        ),
        appointment_id,
        NOT_FOUND,
    )


def _lock_for(actor, appointment_id: int) -> Appointment:
    appointment = _lock(appointment_id)
    if actor is not None and not may_book(actor, appointment.platform_id):
        raise NotFoundError(NOT_FOUND)
    return appointment


def _release(appointment: Appointment) -> None:
    if appointment.holding and appointment.slot_id is not None:
        give_back(AgendaSlot, {appointment.slot_id: 1})
        if appointment.kind.category == KindCategory.COLLECTIVE:
            # A session's seat: after commit, to the first in its waiting line, if any.
            waitlist_offer_soon(field="session", target_id=appointment.slot_id, check=True)
    appointment.holding = False


def _cancel(appointment: Appointment, *, actor, reason: str, by: str, tell: bool) -> None:
    current = ensure_transition(
        APPOINTMENT_TRANSITIONS, appointment, AppointmentStatus.CANCELLED, subject=SUBJECT
    )
    _release(appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by = by
    appointment.cancel_reason = reason[:255]
    appointment.save(
        update_fields=["status", "holding", "cancelled_by", "cancel_reason", "updated_at"]
    )
    record_transition(appointment, actor=actor, name="appointment", from_status=current,
                      to=AppointmentStatus.CANCELLED, data={"by": by})  # fmt: skip
    if tell:
        tell_person(appointment, "agenda/cancelled")


@transaction.atomic
def appointment_cancel(*, actor, appointment_id: int, reason: str) -> Appointment:
    """The platform cancels: the seat is given back and the person told."""
    appointment = _lock_for(actor, appointment_id)
    _cancel(appointment, actor=actor, reason=reason, by=CancelledBy.ADVISER, tell=True)
    return appointment


@transaction.atomic
def appointment_cancel_by_person(*, appointment_id: int, reason: str, now=None) -> Appointment:
    """The person cancels from the link of their messages, before the appointment starts."""
    appointment = _lock(appointment_id)
    if appointment.starts_at <= (now or timezone.now()):
        raise ApplicationError(
            _("Ce rendez-vous a déjà commencé : appelez votre conseiller·ère."),
            code=ErrorCode.SLOT_PASSED,
        )
    _cancel(appointment, actor=None, reason=reason, by=CancelledBy.PERSON, tell=False)
    return appointment


@transaction.atomic
def appointment_move(
    *, actor, appointment_id: int, slot_id: int, now: datetime | None = None
) -> Appointment:
    """Another time of the same kind: the new seat is taken before the old one is given
    back, in one transaction (all or nothing). `actor` None: the person, from their link."""
    now = now or timezone.now()
    old = _lock_for(actor, appointment_id) if actor is not None else _lock(appointment_id)
    if old.starts_at <= now:
        raise ApplicationError(
            _("Ce rendez-vous a déjà commencé : il ne peut plus être déplacé."),
            code=ErrorCode.SLOT_PASSED,
        )
    slot = _slot_for(slot_id)
    if slot.platform_id != old.platform_id or slot.kind_id != old.kind_id or slot.session:
        raise NotFoundError(_("Créneau introuvable."))
    by = CancelledBy.ADVISER if actor is not None else CancelledBy.PERSON
    _cancel(old, actor=actor, reason=_("Déplacé"), by=by, tell=False)
    new = _book(
        slot=slot, beneficiary=old.beneficiary, referral=old.referral,
        booked_by=actor or old.booked_by, now=now, follow_up_of=old.follow_up_of, moved_from=old,
    )  # fmt: skip
    audit_log(actor=actor, action="appointment.moved", target=new, data={"from": old.pk})
    tell_person(new, "agenda/booked")
    return new


@transaction.atomic
def appointment_mark(
    *, actor, appointment_id: int, to: str, now: datetime | None = None
) -> Appointment:
    """Attendance: the person came, or did not (recorded once the appointment started)."""
    if to not in (AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW):
        raise ApplicationError(_("Choisissez « venu·e » ou « absent·e »."),
                               code=ErrorCode.INVALID)  # fmt: skip
    appointment = _lock_for(actor, appointment_id)
    current = ensure_transition(APPOINTMENT_TRANSITIONS, appointment, to, subject=SUBJECT)
    if appointment.starts_at > (now or timezone.now()):
        raise ApplicationError(
            _("Le rendez-vous n'a pas encore commencé."), code=ErrorCode.NOT_STARTED
        )
    appointment.status = to
    appointment.save(update_fields=["status", "updated_at"])
    record_transition(appointment, actor=actor, name="appointment", from_status=current, to=to)
    return appointment


def reminder_due(appointment: Appointment, *, now: datetime) -> int | None:
    """The reminder to send now: the nearest stage (48 h, 24 h before...) the appointment
    has entered and not been reminded of; one message even when several stages are due."""
    left = appointment.starts_at - now
    due = [h for h in settings.AGENDA_REMINDER_HOURS if left <= timedelta(hours=h)]
    if left <= timedelta(0) or not due:
        return None
    stage = min(due)
    return None if stage in appointment.reminders_sent else stage


def appointments_remind(*, now: datetime | None = None) -> int:
    """Send the reminders due (beat, every 15 minutes). Each appointment is claimed under
    its lock (`skip_locked`), so two runs never send the same reminder twice."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=max(settings.AGENDA_REMINDER_HOURS, default=0))
    candidates = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, starts_at__gt=now, starts_at__lte=horizon
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(candidates):
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("kind", "place", "place__commune", "adviser", "beneficiary",
                                "referral", "beneficiary__user")
                .filter(pk=pk, status=AppointmentStatus.BOOKED).first()
            )  # fmt: skip
            if appointment is None:
                continue
            stage = reminder_due(appointment, now=now)
            if stage is None:
                continue
            # Every stage at or above this one is done: a late run never sends two.
            appointment.reminders_sent = sorted(
                {*appointment.reminders_sent,
                 *(h for h in settings.AGENDA_REMINDER_HOURS if h >= stage)}
            )  # fmt: skip
            appointment.save(update_fields=["reminders_sent", "updated_at"])
            tell_person(appointment, "agenda/reminder")
            sent += 1
    return sent


CLOSED_REFERRAL = (ReferralStatus.REFUSED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN)


def appointments_of_closed_referrals_cancel(*, now: datetime | None = None) -> int:
    """A diagnostic booked for a referral that was then refused, withdrawn or left to expire
    (no record came of it) is cancelled, its seat given back, before any reminder goes out
    (beat, with the reminders). The prescriber and the person were told by the referral's
    own answer."""
    now = now or timezone.now()
    ids = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, starts_at__gt=now, beneficiary__isnull=True,
            referral__beneficiary__isnull=True, referral__status__in=CLOSED_REFERRAL,
        ).values_list("pk", flat=True)
    )  # fmt: skip
    for pk in ids:
        with transaction.atomic():
            appointment = _lock(pk)
            if appointment.status == AppointmentStatus.BOOKED:
                _cancel(appointment, actor=None, reason=_("Orientation close"),
                        by=CancelledBy.ADVISER, tell=False)  # fmt: skip
    return len(ids)


def appointments_of_person_erase(*, beneficiary_id: int, now: datetime | None = None) -> int:
    """A person anonymised (call inside that transaction): their appointments to come are
    cancelled, their seats given back (a session's to the first in its waiting line), and
    no reason they gave is kept. Nobody is told: the person is no longer reachable."""
    now = now or timezone.now()
    mine = Appointment.objects.filter(appointments_of_person_q(beneficiary_id))
    upcoming = mine.filter(status=AppointmentStatus.BOOKED, starts_at__gt=now)
    for pk in list(upcoming.order_by("pk").values_list("pk", flat=True)):
        appointment = _lock(pk)
        if appointment.status == AppointmentStatus.BOOKED:
            _cancel(appointment, actor=None, reason="", by=CancelledBy.ADVISER, tell=False)
    return mine.exclude(cancel_reason="").update(cancel_reason="")
