"""The week slot picker's context (core.week_picker): days of one week in the given time
zone, full times marked and not checked, chosen ids of other weeks kept, the week links
(with the chosen ids for the page without JavaScript, without them for HTMX), bounds."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from core.week_picker import Week, month_calendar, read_month, read_week, week_picker

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 12, 7)


@dataclass
class S:
    id: int
    starts_at: datetime
    ends_at: datetime
    remaining: int


def slot(pk, day: date, hour: int, minute: int = 0, remaining: int = 1) -> S:
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return S(pk, start.astimezone(ZoneInfo("UTC")), start + timedelta(hours=1), remaining)


def picker(slots, week=None, **kwargs):
    week = week or Week(start=MONDAY, first=MONDAY, last=MONDAY + timedelta(days=21))
    options = {
        "slots": slots, "tz": PARIS, "week": week, "today": date(2026, 12, 6),
        "field_name": "slots", "multiple": True, "path": "/reserver/",
        "keep": {"service": 4, "beneficiary": ""}, "label": "Créneaux",
    }  # fmt: skip
    options.update(kwargs)
    with translation.override("fr"):
        return week_picker(**options)


def test_days_of_the_week_in_the_time_zone_full_times_shown_not_chosen():
    slots = [
        slot(1, MONDAY, 8, 30),
        slot(2, MONDAY, 9, remaining=0),
        slot(3, MONDAY + timedelta(days=2), 14),
        slot(4, MONDAY + timedelta(days=7), 9),  # next week: ignored
    ]
    context = picker(slots, chosen=[1, 2, 9])
    assert context["week_label"] == "Semaine du lundi 7 au dimanche 13 décembre"
    assert [d["label"] for d in context["days"]] == [
        "lundi 7 décembre", "mardi 8 décembre", "mercredi 9 décembre", "jeudi 10 décembre",
        "vendredi 11 décembre",
    ]  # fmt: skip
    monday = context["days"][0]["times"]
    keys = ("id", "start", "end", "full", "checked", "note")
    assert [tuple(t[k] for k in keys) for t in monday] == [
        (1, "8 h 30", "9 h 30", False, True, ""),
        (2, "9 h 00", "10 h 00", True, False, "complet"),
    ]  # fmt: skip
    assert context["days"][1]["times"] == [] and not context["days"][1]["free"]
    assert context["hidden"] == [9]  # chosen in another week: kept as a hidden input
    assert context["input_type"] == "checkbox"
    assert picker(slots, multiple=False)["input_type"] == "radio"


def test_week_links_keep_the_page_and_the_chosen_times_only_without_javascript():
    context = picker([slot(1, MONDAY, 9)], chosen=[1], first_free=MONDAY + timedelta(days=15))
    assert context["previous"] == {"href": "", "hx": ""}  # the first week
    assert context["next"]["href"] == "/reserver/?service=4&semaine=2026-12-14&slots=1"
    assert context["next"]["hx"] == "/reserver/?service=4&semaine=2026-12-14"
    assert context["first_free"]["hx"] == "/reserver/?service=4&semaine=2026-12-21"
    last = Week(start=MONDAY + timedelta(days=21), first=MONDAY, last=MONDAY + timedelta(days=21))
    at_end = picker([], week=last)
    assert at_end["next"]["href"] == "" and at_end["previous"]["hx"].endswith("2026-12-21")
    assert not at_end["has_free"]


def test_the_weekend_shows_only_when_it_has_times():
    sunday = MONDAY + timedelta(days=6)
    days = picker([slot(1, sunday, 10)])["days"]
    assert [d["iso"] for d in days][-1] == sunday.isoformat() and len(days) == 6


def test_read_week_takes_any_day_and_stays_within_bounds():
    first, last = date(2026, 12, 8), date(2027, 1, 20)
    assert read_week("2026-12-17", default=first, first=first, last=last).start == date(
        2026, 12, 14
    )
    assert read_week("nope", default=first, first=first, last=last).start == MONDAY
    assert read_week("2020-01-01", default=first, first=first, last=last).start == MONDAY
    assert read_week("2030-01-01", default=first, first=first, last=last).start == date(2027, 1, 18)
    assert read_month("2027-01", default=first, first=first, last=last) == date(2027, 1, 1)
    assert read_month("2031-13", default=first, first=first, last=last) == date(2026, 12, 1)


def test_month_calendar_marks_free_full_and_closed_days():
    slots = [slot(1, MONDAY, 9), slot(2, MONDAY + timedelta(days=1), 9, remaining=0)]
    with translation.override("fr"):
        calendar = month_calendar(slots=slots, tz=PARIS, month=date(2026, 12, 1), today=MONDAY)
    assert calendar["title"] == "décembre 2026"
    assert calendar["weekdays"][0][0] == "lundi"
    days = {d["iso"]: d for week in calendar["weeks"] for d in week}
    assert days["2026-12-07"]["state"] == "free"
    assert days["2026-12-08"]["state"] == "full"
    assert days["2026-12-09"]["state"] == "closed"
    assert days["2026-11-30"]["in_month"] is False  # the month starts on a Tuesday
    assert calendar["following"] == date(2027, 1, 1)
