"""The week slot picker: one week of free times, by day, to choose one or several from
(`templates/core/week_picker.html`, keyboard in `static/js/week_picker.js`), and the month
calendar of free days that rentals by the day show beside their first / last day fields.

Generic: a page gives the slots of the week it shows (anything with `id` or `pk`,
`starts_at`, `ends_at` and `remaining`), the time zone they are read in, the week, the
name of the form field, single or multiple choice, the chosen ids and how to build the
page's URL; it gets a context for the template. No queries, no writes.

Without JavaScript the weeks are links (`?semaine=AAAA-MM-JJ`, the chosen ids kept in the
URL); with JavaScript (HTMX) only the picker is swapped, the boxes ticked so far kept.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.formatting import day_label, hm

WEEK_PARAM = "semaine"
MONTH_PARAM = "mois"


@dataclass(frozen=True)
class Week:
    """The week shown and the weeks one may move to (Mondays)."""

    start: date
    first: date
    last: date

    @property
    def end(self) -> date:  # the next Monday
        return self.start + timedelta(days=7)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0)).replace(tzinfo=tz)


def read_week(value: str | None, *, default: date, first: date, last: date) -> Week:
    """The Monday of `?semaine=` (any day of the week will do), kept between the weeks of
    `first` and `last`; `default`'s week when absent or unreadable."""
    first, last = monday(first), monday(last)
    try:
        asked = monday(date.fromisoformat((value or "").strip()))
    except ValueError:
        asked = monday(default)
    return Week(start=min(max(asked, first), last), first=first, last=last)


def read_month(value: str | None, *, default: date, first: date, last: date) -> date:
    """The first day of `?mois=AAAA-MM`, between the months of `first` and `last`."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        asked = date(year, month, 1)
    except (TypeError, ValueError):
        asked = default.replace(day=1)
    return min(max(asked, first.replace(day=1)), last.replace(day=1))


def _slot_id(slot) -> int:
    return slot.pk if hasattr(slot, "pk") else slot.id


def _url(path: str, keep: Mapping[str, object], extra: list[tuple[str, object]]) -> str:
    pairs = []
    for name, value in keep.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, v) for v in values if v not in (None, ""))
    return f"{path}?{urlencode(pairs + extra)}"


def week_label(start: date, today: date) -> str:
    """« Semaine du lundi 7 au dimanche 13 décembre »."""
    end = start + timedelta(days=6)
    first = date_format(start, "l j" if start.month == end.month else "l j F")
    return _("Semaine du %(first)s au %(last)s") % {"first": first, "last": day_label(end, today)}


def week_picker(
    *,
    slots: Iterable,
    tz: ZoneInfo,
    week: Week,
    today: date,
    field_name: str,
    multiple: bool,
    path: str,
    keep: Mapping[str, object],
    chosen: Iterable[int] = (),
    first_free: date | None = None,
    picker_id: str = "semainier",
    label: str = "",
    help_text: str = "",
    errors: Iterable[str] = (),
) -> dict:
    """The template's context (`{% include "core/week_picker.html" with picker=... %}`).

    `slots`: those of the week (others are ignored); `path` and `keep`: the page's URL and
    the query parameters to keep in the week links (the person, the service...);
    `chosen`: the ids already chosen (those of other weeks are kept as hidden inputs);
    `first_free`: the day of the first free place, for « Première place libre »."""
    chosen = {int(pk) for pk in chosen}
    by_day: dict[date, list] = {week.start + timedelta(days=n): [] for n in range(7)}
    shown = set()
    for slot in sorted(slots, key=lambda s: s.starts_at):
        start = slot.starts_at.astimezone(tz)
        if start.date() not in by_day:
            continue
        end = slot.ends_at.astimezone(tz)
        full = slot.remaining <= 0
        pk = _slot_id(slot)
        shown.add(pk)
        by_day[start.date()].append(
            {
                "id": pk,
                "start": hm(start.time(), minutes=True),
                "end": hm(end.time(), minutes=True),
                "full": full,
                "checked": pk in chosen and not full,
                "note": _("complet") if full else "",
            }
        )
    days = [
        {
            "iso": day.isoformat(),
            "label": day_label(day, today),
            "short": date_format(day, "D j"),
            "times": times,
            "past": day < today,
            "free": any(not t["full"] for t in times),
        }
        for day, times in by_day.items()
    ]
    # The days shown: Monday to Friday always, the weekend only when it has times.
    days = [d for n, d in enumerate(days) if n < 5 or d["times"]]
    others = sorted(chosen - shown)

    def link(start: date | None, with_chosen: bool) -> str:
        if start is None:
            return ""
        extra: list[tuple[str, object]] = [(WEEK_PARAM, start.isoformat())]
        if with_chosen:
            extra += [(field_name, pk) for pk in sorted(chosen)]
        return _url(path, keep, extra)

    previous = week.start - timedelta(days=7) if week.start > week.first else None
    following = week.end if week.end <= week.last else None
    first_week = monday(first_free) if first_free else None
    return {
        "id": picker_id,
        "label": label,
        "help": help_text,
        "errors": list(errors),
        "field_name": field_name,
        "input_type": "checkbox" if multiple else "radio",
        "multiple": multiple,
        "week_label": week_label(week.start, today),
        "week": week.start.isoformat(),
        "days": days,
        "has_free": any(d["free"] for d in days),
        "hidden": others,
        "previous": {"href": link(previous, True), "hx": link(previous, False)},
        "next": {"href": link(following, True), "hx": link(following, False)},
        "first_free": (
            {"href": link(first_week, True), "hx": link(first_week, False)}
            if first_week and first_week != week.start
            else None
        ),
    }


def month_calendar(*, slots: Iterable, tz: ZoneInfo, month: date, today: date) -> dict:
    """A month of days, Monday first, each free (some room on its slots), full (slots, no
    room) or closed (no slot): what a rental by the day shows beside its date fields."""
    state: dict[date, str] = {}
    for slot in slots:
        day = slot.starts_at.astimezone(tz).date()
        if slot.remaining > 0:
            state[day] = "free"
        else:
            state.setdefault(day, "full")
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    weeks, day = [], monday(month)
    while day < following:
        row = []
        for n in range(7):
            current = day + timedelta(days=n)
            row.append(
                {
                    "day": current.day,
                    "iso": current.isoformat(),
                    "label": day_label(current, today),
                    "in_month": current.month == month.month,
                    "state": state.get(current, "closed"),
                }
            )
        weeks.append(row)
        day += timedelta(days=7)
    monday_first = monday(month)
    return {
        "title": date_format(month, "F Y"),
        "weekdays": [
            (date_format(day, "l"), date_format(day, "D"))
            for day in (monday_first + timedelta(days=n) for n in range(7))
        ],
        "weeks": weeks,
        "month": month,
        "following": following,
        "previous": (month - timedelta(days=1)).replace(day=1),
    }
