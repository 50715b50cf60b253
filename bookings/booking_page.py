"""What the booking form shows around its fields: the window the service lets book, the
slots the form checks (those chosen, or the days of a rental), the week in view with its
picker (`core.week_picker`), the month calendar of a rental, the next free place. Reads
only, a fixed number of queries whatever the number of slots or people."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.selectors import beneficiary_list_for, beneficiary_search
from core import week_picker
from core.formatting import day_label, duration_text, hm
from partners.enums import BookingMode
from partners.selectors import slot_list

# How far ahead the form offers slots at most (a service may allow less).
MAX_AHEAD_DAYS = 366
# The longest rental the form takes at once.
PERIOD_MAX_DAYS = 93
MAX_CHOSEN = 50
PICKER_ID = "id_slots"


@dataclass(frozen=True)
class Window:
    start: datetime  # after the partner's notice
    end: datetime
    tz: ZoneInfo
    today: date

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.tz).date()

    @property
    def last_day(self) -> date:
        return self.end.astimezone(self.tz).date()


def window_for(service, now: datetime) -> Window:
    tz = ZoneInfo(service.partner.timezone)
    ahead = min(service.max_advance_days, MAX_AHEAD_DAYS)
    return Window(
        start=now + timedelta(hours=service.min_notice_hours),
        end=now + timedelta(days=ahead, seconds=1),
        tz=tz,
        today=now.astimezone(tz).date(),
    )


def read_ids(values, limit: int = MAX_CHOSEN) -> list[int]:
    out = []
    for value in values[:limit]:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < 2**62:
            out.append(number)
    return out


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def parse_place(value: str | None) -> datetime | None:
    """The `?place=` of a "Réserver le …" link: the start of a slot, ISO with its offset."""
    try:
        moment = datetime.fromisoformat((value or "").strip().replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def people_for(user):
    """The people an adviser may book for (the form checks the one chosen among them)."""
    return beneficiary_list_for(user=user).exclude(status=BeneficiaryStatus.CLOSED)


class BookingPage:
    """One request's view of the form: `source` is the POST data, or the GET query."""

    def __init__(self, *, service, user, source: QueryDict, query: QueryDict, now: datetime):
        self.service = service
        self.user = user
        self.source = source
        self.query = query
        self.window = window_for(service, now)
        self.period = service.booking_mode == BookingMode.PERIOD
        self.place_slot = None  # the slot of a "Réserver le …" link
        self.notice = ""  # said above the form (a place taken meanwhile)

    # The slots the form checks ----------------------------------------------------------

    def _in_window(self):
        return slot_list(service=self.service, start=self.window.start, end=self.window.end)

    def _days(self) -> tuple[date | None, date | None]:
        return _day(self.source.get("first_day")), _day(self.source.get("last_day"))

    def form_slots(self) -> list:
        """The chosen slots (the place of the link with them), or a rental's days."""
        if self.period:
            first, last = self._days()
            if not first or not last or not 0 <= (last - first).days < PERIOD_MAX_DAYS:
                return []
            start = week_picker.local_midnight(first, self.window.tz)
            end = week_picker.local_midnight(last + timedelta(days=1), self.window.tz)
            return list(self._in_window().filter(starts_at__gte=start, starts_at__lt=end))
        ids = read_ids(self.source.getlist("slots"))
        return list(self._in_window().filter(pk__in=ids)) if ids else []

    def read_place(self) -> dict:
        """The initial answers of a "Réserver le …" link: that slot (or that day)."""
        moment = parse_place(self.query.get("place"))
        if moment is None:
            return {}
        slot = self._in_window().filter(starts_at=moment).first()
        if slot is None:
            self.notice = _("Cette place n'est plus proposée : choisissez-en une autre.")
            return {}
        self.place_slot = slot
        if slot.remaining <= 0:
            self.notice = _(
                "La place du %(when)s vient d'être prise : choisissez-en une autre."
            ) % {"when": self.slot_words(slot)}
            return {}
        if self.period:
            day = slot.starts_at.astimezone(self.window.tz).date().isoformat()
            return {"first_day": day, "last_day": day}
        return {"slots": [slot.pk]}

    def slot_words(self, slot) -> str:
        start = slot.starts_at.astimezone(self.window.tz)
        if self.period:
            return day_label(start.date(), self.window.today)
        return _("%(day)s à %(time)s") % {
            "day": day_label(start.date(), self.window.today),
            "time": hm(start.time(), minutes=True),
        }

    # The person ---------------------------------------------------------------------------

    def person_matches(self) -> list:
        return beneficiary_search(user=self.user, q=self.source.get("personne", ""))

    # The week, or the month -----------------------------------------------------------------

    def _first_free(self) -> datetime | None:
        return (
            self._in_window()
            .filter(reserved__lt=F("capacity"))
            .values_list("starts_at", flat=True)
            .first()
        )

    def picker(self, form, *, person_id) -> dict:
        """The week picker, on the week of the slot that filled up, else of the link's
        place, else the week asked (`?semaine=`), else that of the first time chosen, else
        that of the first free place."""
        tz, today = self.window.tz, self.window.today
        first_free = self._first_free()
        first_free_day = first_free.astimezone(tz).date() if first_free else None
        chosen = form.chosen_ids() if form.is_bound else list(form.initial.get("slots", []))
        focus = form.full_slot or self.place_slot
        asked = self.query.get(week_picker.WEEK_PARAM) if focus is None else None
        if focus is None and not asked and chosen:
            focus = next((s for s in form.window if s.pk in chosen), None)
        if focus is not None:
            default = focus.starts_at.astimezone(tz).date()
        else:
            default = first_free_day or self.window.first_day
        week = week_picker.read_week(
            asked, default=default, first=self.window.first_day, last=self.window.last_day
        )
        start = max(self.window.start, week_picker.local_midnight(week.start, tz))
        end = min(self.window.end, week_picker.local_midnight(week.end, tz))
        slots = list(slot_list(service=self.service, start=start, end=end)) if start < end else []
        errors = form.errors.get("slots", []) if form.is_bound else []
        return week_picker.week_picker(
            slots=slots, tz=tz, week=week, today=today, field_name="slots", multiple=True,
            path=reverse("booking_new"),
            keep={"service": self.service.pk, "beneficiary": person_id or ""},
            chosen=chosen, first_free=first_free_day, picker_id=PICKER_ID,
            label=_("Créneaux"), help_text=self._help(slots), errors=errors,
        )  # fmt: skip

    def _help(self, slots) -> str:
        text = _(
            "Heures locales du partenaire (%(tz)s). Flèches pour se déplacer, Espace pour "
            "choisir (plusieurs possibles)."
        ) % {"tz": self.service.partner.timezone}
        lengths = {slot.ends_at - slot.starts_at for slot in slots}
        if len(lengths) == 1:
            minutes = int(lengths.pop().total_seconds() // 60)
            text += " " + _("Chaque créneau dure %(length)s.") % {"length": duration_text(minutes)}
        return text

    def calendar(self, form) -> dict:
        """A rental's month of free days (`?mois=AAAA-MM`, else the month of the first day
        chosen or of the first free day) and the links to the months around it."""
        tz = self.window.tz
        first, _last = (
            self._days() if form.is_bound else (_day(form.initial.get("first_day")), None)
        )
        first_free = self._first_free()
        default = first or (
            first_free.astimezone(tz).date() if first_free else self.window.first_day
        )
        month = week_picker.read_month(
            self.query.get(week_picker.MONTH_PARAM), default=default,
            first=self.window.first_day, last=self.window.last_day,
        )  # fmt: skip
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        start = max(self.window.start, week_picker.local_midnight(month, tz))
        end = min(self.window.end, week_picker.local_midnight(following, tz))
        slots = list(slot_list(service=self.service, start=start, end=end)) if start < end else []
        calendar = week_picker.month_calendar(
            slots=slots, tz=tz, month=month, today=self.window.today
        )
        base = f"{reverse('booking_new')}?service={self.service.pk}"
        person = self.source.get("beneficiary") or self.query.get("beneficiary") or ""
        if str(person).isdigit():
            base += f"&beneficiary={person}"
        first_month = self.window.first_day.replace(day=1)
        calendar["previous_url"] = (
            f"{base}&mois={calendar['previous']:%Y-%m}" if month > first_month else ""
        )
        calendar["next_url"] = (
            f"{base}&mois={calendar['following']:%Y-%m}"
            if calendar["following"] <= self.window.last_day
            else ""
        )
        calendar["min"] = self.window.first_day.isoformat()
        calendar["max"] = self.window.last_day.isoformat()
        return calendar
