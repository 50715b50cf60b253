"""Reads of the agenda: places nearest a person, free slots, appointments and sessions as
each role may see them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.enums import HOLDING, AppointmentStatus, KindCategory
from agenda.models import AgendaRule, AgendaSlot, Appointment, AppointmentKind, Place
from agenda.permissions import agenda_platforms, appointment_platforms
from core.errors import get_or_not_found
from core.places import PlaceError, distance_km, place_for_address

# How far ahead the two-click booking looks for free slots.
OFFER_DAYS = 60


def places_for(user) -> QuerySet[Place]:
    return Place.objects.filter(platform_id__in=agenda_platforms(user)).select_related("commune")


def place_get_for(*, user, place_id: int) -> Place:
    return get_or_not_found(places_for(user), place_id, _("Lieu introuvable."))


def kinds_of(platform_id: int) -> dict[str, AppointmentKind]:
    return {k.category: k for k in AppointmentKind.objects.filter(platform_id=platform_id)}


def rules_for(user) -> QuerySet[AgendaRule]:
    return AgendaRule.objects.filter(place__platform_id__in=agenda_platforms(user)).select_related(
        "adviser", "place", "kind"
    )


def home_of(person):
    """A person's (or a referral's) commune as a point, or None when it cannot be placed."""
    try:
        return place_for_address(postcode=person.postcode or "", commune=person.commune or "")
    except PlaceError:
        return None


def free_slots(
    *, platform_ids, category: str | None = None, now: datetime | None = None,
    until: datetime | None = None, place_id: int | None = None, adviser_id: int | None = None,
    kind_id: int | None = None,
) -> QuerySet[AgendaSlot]:  # fmt: skip
    """Slots with a seat left, starting after now, soonest first."""
    now = now or timezone.now()
    slots = AgendaSlot.objects.filter(
        platform_id__in=platform_ids, starts_at__gt=now, reserved__lt=F("capacity")
    )
    if category:
        slots = slots.filter(kind__category=category)
    if kind_id:
        slots = slots.filter(kind_id=kind_id)
    if until is not None:
        slots = slots.filter(starts_at__lte=until)
    if place_id:
        slots = slots.filter(place_id=place_id)
    if adviser_id:
        slots = slots.filter(adviser_id=adviser_id)
    return slots.select_related("place", "kind", "adviser").order_by("starts_at", "pk")


@dataclass
class PlaceOffer:
    place: Place
    distance_km: float | None
    slots: list[AgendaSlot] = field(default_factory=list)


def offer_by_place(
    *, platform_id: int, category: str, home, now: datetime | None = None, per_place: int = 4,
    until: datetime | None = None, adviser_first: int | None = None,
) -> list[PlaceOffer]:  # fmt: skip
    """The places with free slots of this category, nearest the person's home first (by
    name when the home is unknown), each with its first free slots: two queries."""
    now = now or timezone.now()
    until = until or now + timedelta(days=OFFER_DAYS)
    by_place: dict[int, list[AgendaSlot]] = defaultdict(list)
    slots = free_slots(platform_ids=[platform_id], category=category, now=now, until=until)
    for slot in slots:
        by_place[slot.place_id].append(slot)
    offers = []
    for place in Place.objects.filter(pk__in=list(by_place), active=True).select_related("commune"):
        distance = None
        if home is not None:
            distance = distance_km(
                home.latitude, home.longitude, float(place.latitude), float(place.longitude)
            )
        chosen = by_place[place.pk]
        if adviser_first is not None:  # the same adviser's times first, then the others
            chosen = sorted(chosen, key=lambda s: (s.adviser_id != adviser_first, s.starts_at))
        offers.append(PlaceOffer(place, distance, chosen[:per_place]))
    offers.sort(key=lambda o: (o.distance_km is None, o.distance_km or 0, o.place.name, o.place.pk))
    return offers


def appointments_for(user) -> QuerySet[Appointment]:
    """The appointments of the platforms where the user is staff with access to them."""
    return Appointment.objects.filter(platform_id__in=appointment_platforms(user)).select_related(
        "kind", "place", "adviser", "beneficiary", "referral"
    )


def appointment_get_for(*, user, appointment_id: int) -> Appointment:
    return get_or_not_found(appointments_for(user), appointment_id, _("Rendez-vous introuvable."))


def appointments_of_person_q(beneficiary_id: int) -> Q:
    """A person's appointments: booked for their record, or for a referral now linked to it."""
    return Q(beneficiary_id=beneficiary_id) | Q(
        beneficiary__isnull=True, referral__beneficiary_id=beneficiary_id
    )


def appointments_of_person(beneficiary_id: int) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(appointments_of_person_q(beneficiary_id))
        .select_related("kind", "place", "place__commune", "adviser")
        .order_by("starts_at", "pk")
    )


def appointments_of_person_split(beneficiary_id: int, *, now: datetime):
    """(to come, soonest first; past or cancelled, latest first)."""
    rows = list(appointments_of_person(beneficiary_id))
    upcoming = [a for a in rows if a.status == AppointmentStatus.BOOKED and a.ends_at > now]
    others = [a for a in reversed(rows) if a not in upcoming]
    return upcoming, others


def sessions_for(user) -> QuerySet[AgendaSlot]:
    return (
        AgendaSlot.objects.filter(platform_id__in=appointment_platforms(user), session=True)
        .select_related("place", "kind", "adviser")
        .order_by("starts_at", "pk")
    )


def session_get_for(*, user, session_id: int) -> AgendaSlot:
    return get_or_not_found(sessions_for(user), session_id, _("Séance introuvable."))


def session_people(session: AgendaSlot) -> list[Appointment]:
    return list(
        session.appointments.filter(status__in=HOLDING)
        .select_related("beneficiary", "referral")
        .order_by("pk")
    )


def adviser_week(*, user, adviser_id: int, start: datetime, days: int = 7):
    """An adviser's appointments and sessions from `start`, for their agenda page."""
    end = start + timedelta(days=days)
    appointments = (
        appointments_for(user)
        .filter(adviser_id=adviser_id, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )
    sessions = sessions_for(user).filter(
        adviser_id=adviser_id, starts_at__gte=start, starts_at__lt=end
    )
    return list(appointments), list(sessions)


def adviser_feed_appointments(adviser_id: int, *, now: datetime) -> list[Appointment]:
    """What the adviser's calendar feed lists: from 30 days back, not cancelled."""
    return list(
        Appointment.objects.filter(adviser_id=adviser_id, starts_at__gte=now - timedelta(days=30))
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("kind", "place", "place__commune", "beneficiary", "referral")
        .order_by("starts_at", "pk")
    )


def follow_up_kind(appointment: Appointment) -> AppointmentKind | None:
    return AppointmentKind.objects.filter(
        platform_id=appointment.platform_id, category=KindCategory.FOLLOW_UP
    ).first()


def follow_up_deadline(appointment: Appointment) -> datetime | None:
    """No later than the kind's `follow_up_within_days` after this appointment."""
    days = appointment.kind.follow_up_within_days
    return appointment.starts_at + timedelta(days=days) if days else None


def appointments_export_rows(beneficiary_id: int) -> dict[str, list[dict]]:
    """A person's appointments with the platform and the collective sessions they were put
    in, for their data export (one query)."""
    rows: dict[str, list[dict]] = {"appointments": [], "sessions": []}
    for appointment in appointments_of_person(beneficiary_id).select_related("slot"):
        place = appointment.place
        row = {
            "kind": appointment.kind.name,
            "starts_at": appointment.starts_at.isoformat(),
            "ends_at": appointment.ends_at.isoformat(),
            "place": ", ".join(filter(None, [place.name, place.address, place.commune.name])),
            "adviser": appointment.adviser.get_full_name(),
            "status": appointment.status,
            "cancelled_by": appointment.cancelled_by,
            "cancel_reason": appointment.cancel_reason,
            "booked_at": appointment.created_at.isoformat(),
        }
        if appointment.slot is not None and appointment.slot.session:
            rows["sessions"].append({**row, "theme": appointment.slot.theme})
        else:
            rows["appointments"].append(row)
    return rows
