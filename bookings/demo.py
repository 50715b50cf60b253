"""Demo bookings in every status across the four categories; the demo beneficiary has upcoming
and past ones. Capacity stays consistent (check_capacity is clean after seeding)."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from bookings import capacity, pricing
from bookings.enums import HOLDING, ActorRole, BookingStatus
from bookings.models import Booking, BookingEvent, BookingSlot
from partners.models import Service, Slot

# (person index in beneficiaries.demo.PEOPLE, partner key, service name, days from today, status)
PLAN = [
    (0, "garage", "Main-d'œuvre mécanique", 3, BookingStatus.CONFIRMED),
    (0, "rental", "Vélo à assistance électrique", 8, BookingStatus.REQUESTED),
    (0, "school", "Leçon de conduite", -12, BookingStatus.COMPLETED),
    (0, "transport", "Trajet avec chauffeur bénévole", -30, BookingStatus.CANCELLED),
    (1, "school", "Leçon de conduite", 5, BookingStatus.CONFIRMED),
    (2, "rental", "Scooter 50 cm³", 4, BookingStatus.REQUESTED),
    (3, "garage", "Diagnostic avant contrôle technique", 6, BookingStatus.CONFIRMED),
    (4, "transport", "Trajet avec chauffeur bénévole", 2, BookingStatus.REQUESTED),
    (5, "garage", "Main-d'œuvre mécanique", -5, BookingStatus.NO_SHOW),
    (6, "rental", "Voiture — location solidaire", 10, BookingStatus.CONFIRMED),
    (7, "school", "Forfait code + 30 h de conduite", 9, BookingStatus.DECLINED),
    (25, "garage", "Main-d'œuvre mécanique", 7, BookingStatus.EXPIRED),
    (26, "transport", "Trajet avec chauffeur bénévole", -3, BookingStatus.COMPLETED),
]


def _slot(service, days: int):
    """A real future slot, or a past one made for the history (regeneration leaves the past)."""
    now = timezone.now()
    if days > 0:
        target = now + timedelta(days=days)
        return (
            Slot.objects.filter(service=service, starts_at__gte=target, reserved__lt=F("capacity"))
            .order_by("starts_at")
            .first()
        )
    starts = (now + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
    slot, _ = Slot.objects.get_or_create(
        service=service, starts_at=starts,
        defaults={"ends_at": starts + timedelta(hours=1), "capacity": 2},
    )  # fmt: skip
    return slot


def seed_bookings(ctx, people, partners) -> None:
    adviser = ctx.users["adviser@demo.test"]
    for index, key, name, days, status in PLAN:
        person = people[index]
        service = Service.objects.get(partner=partners[key], name=name)
        if Booking.objects.filter(beneficiary=person, service=service).exists():
            continue
        slot = _slot(service, days)
        if slot is None:
            continue
        units = 25 if service.unit == "km" else None
        price = pricing.quote(service, [slot], quantity=1, units=units)
        if status in HOLDING:
            capacity.reserve({slot.pk: 1}, service_id=service.pk)
        booking = Booking.objects.create(
            platform=ctx.platform, beneficiary=person, service=service, booked_by=adviser,
            units=price.units, unit_price=price.unit_price,
            market_unit_price=price.market_unit_price, total_price=price.total_price,
            market_total=price.market_total, status=status, starts_at=slot.starts_at,
            ends_at=slot.ends_at, note_for_partner="",
            decline_reason="Moniteur absent ce jour-là" if status == BookingStatus.DECLINED else "",
            cancellation_reason="Rendez-vous déplacé" if status == BookingStatus.CANCELLED else "",
            cancelled_by=ActorRole.ADVISER if status == BookingStatus.CANCELLED else "",
        )  # fmt: skip
        BookingSlot.objects.create(booking=booking, slot=slot, quantity=1, beneficiary=person,
                                   holding=status in HOLDING)  # fmt: skip
        told = timezone.now()  # demo history: nobody is to be told again
        BookingEvent.objects.create(booking=booking, actor=adviser, actor_role=ActorRole.ADVISER,
                                    from_status="", to_status=BookingStatus.REQUESTED,
                                    notified_at=told)  # fmt: skip
        if status != BookingStatus.REQUESTED:
            BookingEvent.objects.create(
                booking=booking, actor=None,
                actor_role=ActorRole.SYSTEM if status == BookingStatus.EXPIRED
                else ActorRole.PARTNER,
                from_status=BookingStatus.REQUESTED, to_status=status, notified_at=told,
            )  # fmt: skip
    seed_waiting_list(ctx, people, partners)


def seed_waiting_list(ctx, people, partners) -> None:
    """Two people in line for driving lessons (issue 16), nothing offered yet: the sweep
    offers them the next place that frees."""
    from bookings.enums_waitlist import EntryStatus
    from bookings.models_waitlist import WaitingListEntry

    adviser = ctx.users["adviser@demo.test"]
    service = Service.objects.get(partner=partners["school"], name="Leçon de conduite")
    today = timezone.localdate()
    for index in (2, 3):
        WaitingListEntry.objects.get_or_create(
            beneficiary=people[index], service=service,
            status__in=[EntryStatus.WAITING, EntryStatus.OFFERED],
            defaults={"platform": ctx.platform, "wanted_from": today, "added_by": adviser,
                      "wanted_until": today + timedelta(days=30),
                      "note": "En fin d'après-midi de préférence"},
        )  # fmt: skip
