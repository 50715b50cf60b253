"""Free slots as the pages show them: grouped by local day, each with its time and, when
asked, its place; places with their distance from the person's home; and the week slot
picker of h-pick's `core.week_picker` for choosing a time among a place's free slots."""

from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.generation import agenda_tz
from core import week_picker
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


PICKER_ID = "id_slot"


def week_choice(request, *, slots, path: str, keep: dict, label: str, help_text: str = "",
                errors=()) -> dict:  # fmt: skip
    """The week slot picker (`core.week_picker`, one choice named `slot`) over `slots`, a
    query set of free agenda slots: the week of `?semaine=`, else that of the first free
    one; two queries (the first free slot, the week's slots)."""
    tz = agenda_tz()
    now = timezone.now()
    today = now.astimezone(tz).date()
    first = slots.first()
    first_day = first.starts_at.astimezone(tz).date() if first else None
    last_day = today + timedelta(days=settings.AGENDA_HORIZON_DAYS)
    week = week_picker.read_week(
        request.GET.get(week_picker.WEEK_PARAM), default=first_day or today, first=today,
        last=last_day,
    )  # fmt: skip
    start = week_picker.local_midnight(week.start, tz)
    shown = list(slots.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=7)))
    return week_picker.week_picker(
        slots=shown, tz=tz, week=week, today=today, field_name="slot", multiple=False,
        path=path, keep=keep, first_free=first_day, picker_id=PICKER_ID, label=label,
        help_text=help_text or _("Heure de Paris. Flèches pour se déplacer, Espace pour choisir."),
        errors=errors,
    )  # fmt: skip


def picker_only(request) -> bool:
    """An HTMX request for the picker alone (a week link): answer with the fieldset."""
    return bool(getattr(request, "htmx", None)) and request.htmx.target == PICKER_ID
