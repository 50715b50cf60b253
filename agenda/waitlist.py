"""The waiting list of a full collective session (issue 16): what a session is as a target
of bookings' waiting lists (`bookings.waitlist_targets`), registered by
`AgendaConfig.ready()`. The rule itself (first in line, one offer holding its seat, the
signed link, the next on a decline or an expiry, acceptance in one transaction) is
bookings'; here is only what a session does differently: its seat is taken and given back
on the session's row by the same capacity guard, accepting books an appointment in it, and
a session happens once, so letting an offer go takes the person off its line.

A seat frees when a participant is cancelled (`services_appointments`) or when the session
gets more seats (`services.session_seats_set`): both ask bookings to offer it after commit."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from agenda.enums import HOLDING, KindCategory
from agenda.generation import agenda_tz
from agenda.models import AgendaSlot, Appointment
from agenda.services_appointments import appointment_book
from bookings.capacity import give_back, take
from bookings.waitlist_targets import Described, WaitlistTarget, answer_time, register
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError


def _in_session(session_id: int, beneficiary_id: int) -> bool:
    return Appointment.objects.filter(
        slot_id=session_id, beneficiary_id=beneficiary_id, holding=True, status__in=HOLDING
    ).exists()


class SessionTarget(WaitlistTarget):
    field = "session"
    one_date = True
    related = ("session__place__commune", "session__kind")

    @property
    def not_found(self) -> str:
        return _("Séance introuvable.")

    @property
    def already_waiting(self) -> str:
        return _("Cette personne est déjà sur la liste d'attente de cette séance.")

    def get(self, *, person, target_id: int):
        return (
            AgendaSlot.objects.filter(
                pk=target_id, session=True, platform_id=person.platform_id,
                kind__category=KindCategory.COLLECTIVE,
            )
            .select_related("kind", "place__commune")
            .first()
        )  # fmt: skip

    def dates(self, *, target, person, wanted_from, wanted_until, now):
        if target.starts_at <= now:
            raise ApplicationError(_("Cette séance a déjà commencé."), code=ErrorCode.SLOT_PASSED)
        if target.reserved < target.capacity:
            raise ApplicationError(
                _("Il reste des places à cette séance : inscrivez la personne directement."),
                code=ErrorCode.WAITLIST_NOT_AVAILABLE,
            )
        if _in_session(target.pk, person.pk):
            raise ConflictError(
                _("Cette personne est déjà inscrite à cette séance."),
                code=ErrorCode.ALREADY_BOOKED,
            )
        tz = agenda_tz()
        return now.astimezone(tz).date(), target.starts_at.astimezone(tz).date()

    def available(self, entry, *, now) -> bool:
        return entry.session.starts_at > now + answer_time()

    def hold(self, entry, *, now) -> dict | None:
        session = entry.session
        if entry.offers.exists():
            return None  # offered once: a session has one date
        if session.starts_at <= now + answer_time():
            return None
        if _in_session(session.pk, entry.beneficiary_id):
            return None  # booked directly meanwhile
        taken = take(AgendaSlot, session.pk, 1, platform_id=session.platform_id)
        if taken is None:
            return None
        expires_at = min(now + timedelta(hours=settings.WAITLIST_OFFER_HOURS), taken.starts_at)
        return {"starts_at": taken.starts_at, "ends_at": taken.ends_at, "expires_at": expires_at}

    def release(self, offer, entry) -> None:
        give_back(AgendaSlot, {entry.session_id: 1})

    def book(self, *, entry, offer, booker, now):
        appointment_book(
            actor=booker, slot_id=entry.session_id, beneficiary_id=entry.beneficiary_id, now=now
        )
        return None  # an appointment, not a partner's booking

    def describe(self, entry) -> Described:
        session = entry.session
        place = session.place
        name = session.kind.name
        if session.theme:
            name = f"{name} « {session.theme} »"
        lines = (place.name, place.address, place.commune.name)
        return Described(
            name=name, where=place.name, tz=agenda_tz(),
            where_lines=tuple(line for line in lines if line),
            staff_url=reverse("agenda_session", args=[session.pk]),
            booked_text=_("C'est réservé : vous recevez un message qui le confirme."),
        )  # fmt: skip


def connect() -> None:
    register(SessionTarget())
