"""Free slots as the pages show them: grouped by local day, each with its time and, when
asked, its place; places with their distance from the person's home."""

from itertools import groupby

from django.utils import timezone

from agenda.generation import agenda_tz
from core.formatting import day_label, hm, km


def slot_days(slots, *, show_place: bool = False) -> list[dict]:
    """[{"label": « mardi 8 décembre », "slots": [{"id", "time", "place", "adviser"}]}]."""
    tz, today = agenda_tz(), timezone.localdate()
    days = []
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.pk))
    for day, group in groupby(ordered, key=lambda s: s.starts_at.astimezone(tz).date()):
        days.append({
            "label": day_label(day, today),
            "iso": day.isoformat(),
            "slots": [{
                "id": s.pk,
                "time": hm(s.starts_at.astimezone(tz).time(), minutes=True),
                "place": s.place.name if show_place else "",
                "adviser": s.adviser.get_full_name() or s.adviser.email,
                "remaining": s.remaining,
            } for s in group],
        })  # fmt: skip
    return days


def offers_context(offers) -> list[dict]:
    return [
        {
            "place": offer.place,
            "distance": km(offer.distance_km) if offer.distance_km is not None else "",
            "days": slot_days(offer.slots),
        }
        for offer in offers
    ]
