"""Demo agenda of the Allier: four places (the platform's office in Moulins, the CMS of
Montluçon, the France Services of Saint-Pourçain-sur-Sioule, the mobile space at
Lapalisse), the demo adviser's week, a few appointments (one for the demo beneficiary), a
collective session and an outreach date. Idempotent: rows are found before they are made."""

from datetime import date, time, timedelta

from django.db.models import F
from django.utils import timezone

from agenda.enums import KindCategory, PlaceKind
from agenda.generation import agenda_regenerate
from agenda.models import AgendaRule, AgendaSlot, Appointment, Place
from agenda.services import kinds_ensure, session_create
from agenda.services_appointments import appointment_book
from core.models import Commune

# name, kind, address, commune, accessible
PLACES = [
    ("Plateforme Mobilité — Moulins", PlaceKind.OFFICE, "1 avenue Victor Hugo", "Moulins", True),
    ("CMS de Montluçon", PlaceKind.CMS, "3 rue des Faucheroux", "Montluçon", True),
    ("France Services Saint-Pourçain", PlaceKind.FRANCE_SERVICES, "", "Saint-Pourçain-sur-Sioule",
     False),
    ("Espace mobile — Lapalisse", PlaceKind.MOBILE, "Place de la République", "Lapalisse", True),
]  # fmt: skip
# place index, kind, weekdays, from, to
RULES = [
    (1, KindCategory.DIAGNOSTIC, [0, 2], 9, 12),
    (0, KindCategory.DIAGNOSTIC, [1, 3], 9, 12),
    (0, KindCategory.FOLLOW_UP, [1, 3], 14, 17),
    (2, KindCategory.DIAGNOSTIC, [4], 9, 12),
    (1, KindCategory.FOLLOW_UP, [0, 2], 14, 16),
]
# person index (beneficiaries.demo.PEOPLE), kind, days from today
APPOINTMENTS = [(0, KindCategory.FOLLOW_UP, 3), (2, KindCategory.DIAGNOSTIC, 2),
                (5, KindCategory.DIAGNOSTIC, 5), (1, KindCategory.FOLLOW_UP, 8)]  # fmt: skip


def seed_agenda(ctx, people) -> None:
    platform = ctx.platform
    adviser = ctx.users["adviser@demo.test"]
    kinds = {k.category: k for k in kinds_ensure(platform_id=platform.pk)}
    places = []
    for name, kind, address, commune_name, accessible in PLACES:
        commune = Commune.objects.filter(name=commune_name).first()
        place, _created = Place.objects.get_or_create(
            platform=platform, name=name,
            defaults={"kind": kind, "address": address, "commune": commune,
                      "latitude": commune.latitude, "longitude": commune.longitude,
                      "accessible": accessible},
        )  # fmt: skip
        places.append(place)
    for index, category, weekdays, start, end in RULES:
        AgendaRule.objects.get_or_create(
            adviser=adviser, place=places[index], kind=kinds[category],
            start_time=time(start), end_time=time(end),
            defaults={"weekdays": weekdays, "valid_from": date(2024, 1, 1)},
        )  # fmt: skip
    agenda_regenerate([adviser.pk])
    now = timezone.now()
    for index, category, days in APPOINTMENTS:
        person = people[index]
        if Appointment.objects.filter(beneficiary=person).exists():
            continue
        slot = (
            AgendaSlot.objects.filter(
                adviser=adviser, kind=kinds[category], session=False,
                starts_at__gte=now + timedelta(days=days), reserved__lt=F("capacity"),
            ).order_by("starts_at").first()
        )  # fmt: skip
        if slot is not None:
            appointment_book(actor=adviser, slot_id=slot.pk, beneficiary_id=person.pk)
    _sessions(platform, adviser, kinds, places, people, now)


def _sessions(platform, adviser, kinds, places, people, now) -> None:
    themes = [
        (KindCategory.COLLECTIVE, "Le budget d'une voiture", places[0], 6, 5),
        (KindCategory.OUTREACH, "Marché de Lapalisse", places[3], 4, 30),
    ]
    for category, theme, place, days, seats in themes:
        if AgendaSlot.objects.filter(platform=platform, session=True, theme=theme).exists():
            continue
        starts = (now + timedelta(days=days)).replace(hour=13, minute=0, second=0, microsecond=0)
        session = session_create(
            actor=adviser, platform_id=platform.pk, kind_id=kinds[category].pk,
            place_id=place.pk, adviser_id=adviser.pk, starts_at=starts, theme=theme, seats=seats,
        )  # fmt: skip
        if category == KindCategory.COLLECTIVE:
            for person in people[3:6]:
                appointment_book(actor=adviser, slot_id=session.pk, beneficiary_id=person.pk)
