"""How the partner portal says things in plain French (prices per unit, rules, closures,
agreements) and the week or month calendar grid; dates and hours are `core.formatting`'s.
Presentation only: no queries, no writes."""

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import hm, long_date, short_date
from partners.enums import WEEKDAY_LABELS, BookingMode, PartnerStatus, ServiceUnit

STATUS_HELP = {
    PartnerStatus.DRAFT: gettext_lazy(
        "Votre profil n'est pas encore visible des conseillers. Complétez-le, puis publiez-le."
    ),
    PartnerStatus.PUBLISHED: gettext_lazy(
        "Votre profil est visible des conseillers de la plateforme : ils peuvent réserver vos "
        "services publiés pour les personnes qu'ils accompagnent."
    ),
    PartnerStatus.SUSPENDED: gettext_lazy(
        "La plateforme a suspendu votre profil : il n'est plus visible et personne ne peut "
        "réserver. Contactez la coordination de la plateforme."
    ),
}
PER_UNIT = {
    ServiceUnit.HOUR: gettext_lazy("de l'heure"),
    ServiceUnit.DAY: gettext_lazy("par jour"),
    ServiceUnit.WEEK: gettext_lazy("par semaine"),
    ServiceUnit.MONTH: gettext_lazy("par mois"),
    ServiceUnit.KM: gettext_lazy("du kilomètre"),
    ServiceUnit.SESSION: gettext_lazy("la séance"),
    ServiceUnit.FLAT: gettext_lazy("le forfait"),
}
CALENDAR_VIEWS = ("semaine", "mois")
# Calendar dates outside this range fall back to today (and never overflow).
CALENDAR_BOUNDS = (date(2000, 1, 1), date(2100, 12, 31))


# --- Plain French -----------------------------------------------------------------------


def per_unit(unit: str) -> str:
    """« de l'heure », « par jour »… after a price."""
    return str(PER_UNIT.get(unit, unit))


def weekdays_label(days) -> str:
    names = dict(WEEKDAY_LABELS)
    days = sorted(set(days))
    if not days:
        return ""
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return _("du %(first)s au %(last)s") % {
            "first": names[days[0]],
            "last": names[days[-1]],
        }
    labels = [str(names[d]) for d in days]
    if len(labels) == 1:
        return labels[0]
    return _("%(list)s et %(last)s") % {"list": ", ".join(labels[:-1]), "last": labels[-1]}


def rule_row(rule, service, today: date) -> dict:
    if rule.valid_until:
        validity = _("du %(start)s au %(end)s") % {
            "start": long_date(rule.valid_from),
            "end": long_date(rule.valid_until),
        }
    else:
        validity = _("à partir du %(start)s, sans date de fin") % {
            "start": long_date(rule.valid_from)
        }
    return {
        "rule": rule,
        "days": weekdays_label(rule.weekdays),
        "hours": f"{hm(rule.start_time)} – {hm(rule.end_time)}",
        "slot": (
            _("%(minutes)s minutes") % {"minutes": rule.slot_minutes}
            if service.booking_mode == BookingMode.SLOT
            else _("la journée")
        ),
        "validity": validity,
        "expired": rule.valid_until is not None and rule.valid_until < today,
    }


def closure_row(closure, tz: ZoneInfo) -> dict:
    """« du lundi 24 décembre 2026 au vendredi 1 janvier 2027 inclus », in local time."""
    start = closure.starts_at.astimezone(tz)
    end = closure.ends_at.astimezone(tz)
    start_text = long_date(start.date())
    if start.time() != time(0):
        start_text += ", " + hm(start.time(), minutes=True)
    if end.time() == time(0):  # midnight: the closure ends with the day before
        end_text = _("%(day)s inclus") % {"day": long_date(end.date() - timedelta(days=1))}
    else:
        end_text = long_date(end.date()) + ", " + hm(end.time(), minutes=True)
    return {
        "closure": closure,
        "period": _("du %(start)s au %(end)s") % {"start": start_text, "end": end_text},
    }


AGREEMENT_STATES = {  # state: (label, tag class)
    "current": (gettext_lazy("en vigueur"), "tag-published"),
    "upcoming": (gettext_lazy("à venir"), "tag-draft"),
    "ended": (gettext_lazy("terminée"), "tag-suspended"),
    "inactive": (gettext_lazy("désactivée"), "tag-suspended"),
}


def agreement_row(agreement, today: date) -> dict:
    """« Convention avec Plateforme Mobilité Allier depuis le 1 novembre 2026 », « … terminée
    le 31 mars 2027 »; in force when active, started and not ended (as the selectors say)."""
    platform = agreement.platform.name
    since, until = agreement.since, agreement.until
    if since > today:
        sentence = _("Convention avec %(platform)s à partir du %(since)s") % {
            "platform": platform,
            "since": short_date(since),
        }
    else:
        sentence = _("Convention avec %(platform)s depuis le %(since)s") % {
            "platform": platform,
            "since": short_date(since),
        }
    if until is not None and until < today:
        sentence = _("Convention avec %(platform)s du %(since)s, terminée le %(until)s") % {
            "platform": platform,
            "since": short_date(since),
            "until": short_date(until),
        }
    elif until is not None:
        sentence += _(", jusqu'au %(until)s") % {"until": short_date(until)}
    if not agreement.active:
        state = "inactive"
    elif until is not None and until < today:
        state = "ended"
    elif since > today:
        state = "upcoming"
    else:
        state = "current"
    return {
        "agreement": agreement,
        "sentence": sentence,
        "state": state,
        "state_label": AGREEMENT_STATES[state][0],
        "tag_class": AGREEMENT_STATES[state][1],
        "in_force": state == "current",
    }


# --- Calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarPeriod:
    """The days a calendar page shows, [first, after), and where its arrows lead."""

    view: str
    day: date
    first: date
    after: date
    previous: date
    following: date

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Local midnight of the first day and of the day after the last one."""
        return (
            datetime.combine(self.first, time(0)).replace(tzinfo=tz),
            datetime.combine(self.after, time(0)).replace(tzinfo=tz),
        )


def calendar_period(view: str | None, iso_day: str | None, today: date) -> CalendarPeriod:
    """A week (from Monday) or a month around the asked day; unknown views and dates that
    cannot be read or are out of bounds fall back to the week and to today."""
    if view not in CALENDAR_VIEWS:
        view = CALENDAR_VIEWS[0]
    try:
        day = date.fromisoformat(iso_day or "")
    except ValueError:
        day = today
    if not CALENDAR_BOUNDS[0] <= day <= CALENDAR_BOUNDS[1]:
        day = today
    if view == "mois":
        first = day.replace(day=1)
        after = first + timedelta(days=monthrange(first.year, first.month)[1])
        previous, following = (first - timedelta(days=1)).replace(day=1), after
    else:
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
        previous, following = first - timedelta(days=7), after
    return CalendarPeriod(view, day, first, after, previous, following)


def slot_row(slot, tz: ZoneInfo) -> dict:
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    return {
        "start": hm(start.time(), minutes=True),
        "end": hm(end.time(), minutes=True),
        "reserved": slot.reserved,
        "capacity": slot.capacity,
        "full": slot.reserved >= slot.capacity,
    }


def calendar_days(period: CalendarPeriod, slots, tz: ZoneInfo, today: date) -> list[dict]:
    """One entry per day of the period, with its slots in local time and their totals."""
    by_day: dict[date, list] = defaultdict(list)
    for slot in slots:
        by_day[slot.starts_at.astimezone(tz).date()].append(slot)
    days = []
    for offset in range((period.after - period.first).days):
        d = period.first + timedelta(days=offset)
        day_slots = by_day.get(d, [])
        capacity = sum(s.capacity for s in day_slots)
        reserved = sum(s.reserved for s in day_slots)
        days.append(
            {
                "date": d,
                "iso": d.isoformat(),
                "is_today": d == today,
                "slots": [slot_row(s, tz) for s in day_slots],
                "count": len(day_slots),
                "capacity": capacity,
                "reserved": reserved,
                "full": bool(day_slots) and reserved >= capacity,
            }
        )
    return days


def month_weeks(period: CalendarPeriod, days: list[dict]) -> list[list[dict | None]]:
    """A Monday-first grid, blank cells around the month (no grid for a week)."""
    if period.view != "mois":
        return []
    cells = [None] * period.first.weekday() + days
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def calendar_context(period: CalendarPeriod, slots, *, base_url: str, tz: ZoneInfo, today: date):
    """What calendar.html needs, apart from the partner, the service and the user's rights."""
    days = calendar_days(period, slots, tz, today)
    view, day = period.view, period.day.isoformat()
    return {
        "view": view,
        "first": period.first,
        "last": period.last,
        "days": days,
        "weeks": month_weeks(period, days),
        "weekday_names": [label for _day, label in WEEKDAY_LABELS],
        "total_slots": sum(d["count"] for d in days),
        "previous_url": f"{base_url}?vue={view}&date={period.previous.isoformat()}",
        "next_url": f"{base_url}?vue={view}&date={period.following.isoformat()}",
        "today_url": f"{base_url}?vue={view}",
        "week_url": f"{base_url}?vue=semaine&date={day}",
        "month_url": f"{base_url}?vue=mois&date={day}",
        "week_base": f"{base_url}?vue=semaine&date=",
    }
