"""How the catalogue says things: prices, distances, the next free place, free slots by day,
the filters in use, in plain French (the words for money, days and hours are
`core.formatting`'s). Presentation only: no queries, no writes."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.formatting import day_label, euros, hm, km, places_text, short_date, short_day
from core.forms import date_input
from marketplace.selectors import DEFAULT_RADIUS_KM
from partners.display import per_unit
from partners.enums import BookingMode
from partners.form_fields import LANGUAGE_CHOICES

# Fields carrying a place the page received in its URL (from another page), kept as hidden
# inputs; the visible "Commune ou code postal" field is `place`.
HIDDEN_PLACE_FIELDS = ("near", "commune", "beneficiary")
# Filters that can be removed one by one, in the order of the form.
FILTER_FIELDS = (
    "q",
    "category",
    "place",
    "radius_km",
    "covers",
    "available_from",
    "available_to",
    "max_price",
    "wheelchair",
    "language",
)
# How a filter in use reads (the form's own label otherwise).
FILTER_LABELS = {
    "place": gettext_lazy("Autour de"),
    "radius_km": gettext_lazy("Distance maximale"),
    "available_from": gettext_lazy("Disponible à partir du"),
    "available_to": gettext_lazy("Disponible jusqu'au"),
    "max_price": gettext_lazy("Prix solidaire maximum"),
}
RADIUS_STEPS = (10, 20, 30, 50, 80, 100, 150, 200, 300)
# Slots shown on a service page, from the asked day; how far ahead one may page.
SLOT_WINDOW_DAYS = 21
SLOT_PAGING_LIMIT_DAYS = 366


# --- The search form, as the page shows it ----------------------------------------------------


def present_search_form(form: forms.Form) -> forms.Form:
    """Widgets and labels for the page (the API shares the form and ignores them): date
    pickers, decimal keyboards on phones, and the places received in the URL kept hidden."""
    fields = form.fields
    fields["q"].widget.input_type = "search"
    fields["place"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
    for name in HIDDEN_PLACE_FIELDS:
        fields[name].widget = forms.HiddenInput()
    for name in ("radius_km", "max_price"):
        fields[name].widget.attrs["inputmode"] = "decimal"
    fields["radius_km"].help_text = _("%(km)s km si vous ne précisez rien.") % {
        "km": number_format(DEFAULT_RADIUS_KM, 0)
    }
    for name, label in (("available_from", _("Disponible du")), ("available_to", _("au"))):
        fields[name].widget = date_input()
        fields[name].label = label
    return form


# --- Plain French -----------------------------------------------------------------------------


def price_sentence(service) -> str:
    """« 35,00 € au lieu de 65,00 € de l'heure — 30,00 € d'économie »."""
    if service.saving <= 0:
        return _("%(price)s %(unit)s (prix du marché)") % {
            "price": euros(service.solidarity_price),
            "unit": per_unit(service.unit),
        }
    return _("%(price)s au lieu de %(market)s %(unit)s — %(saving)s d'économie") % {
        "price": euros(service.solidarity_price),
        "market": euros(service.market_price),
        "unit": per_unit(service.unit),
        "saving": euros(service.saving),
    }


def distance_text(value) -> str:
    """« à 12,4 km », or nothing when no place was given."""
    if value is None:
        return ""
    return _("à %(distance)s") % {"distance": km(value)}


def next_free_text(at: datetime | None, tz: ZoneInfo, today: date, mode: str) -> str:
    """« prochaine place : mardi 24 novembre à 9 h 00 » (the day alone for rentals by the
    day), or « aucune place libre pour l'instant »."""
    if at is None:
        return _("aucune place libre pour l'instant")
    local = at.astimezone(tz)
    if mode == BookingMode.PERIOD:
        return _("prochaine place : %(day)s") % {"day": day_label(local.date(), today)}
    return _("prochaine place : %(day)s à %(time)s") % {
        "day": day_label(local.date(), today),
        "time": hm(local.time(), minutes=True),
    }


def languages_text(codes) -> str:
    """« français, portugais »."""
    names = dict(LANGUAGE_CHOICES)
    return ", ".join(str(names.get(code, code)) for code in codes or [])


def accessibility_text(partner) -> str:
    text = (
        _("Accessible en fauteuil roulant")
        if partner.wheelchair_accessible
        else _("Pas accessible en fauteuil roulant")
    )
    if partner.accessibility_notes:
        text += f" — {partner.accessibility_notes}"
    return text


def count_text(count: int) -> str:
    if count == 0:
        return _("Aucun service trouvé")
    return ngettext("%(n)s service trouvé", "%(n)s services trouvés", count) % {"n": count}


# --- Search results ---------------------------------------------------------------------------


def book_next(service, at: datetime | None, person_id: int | None = None) -> dict | None:
    """The link that opens the booking form on the next free place: « Réserver le lun. 7
    déc. à 8 h 30 » (« Réserver à partir du lun. 7 déc. » for a rental), the person
    carried along when the catalogue was opened from their record."""
    if at is None:
        return None
    local = at.astimezone(ZoneInfo(service.partner.timezone))
    query = [("service", service.pk), ("place", at.isoformat())]
    if person_id:
        query.append(("beneficiary", person_id))
    if service.booking_mode == BookingMode.PERIOD:
        text = _("Réserver à partir du %(day)s") % {"day": short_day(local.date())}
    else:
        text = _("Réserver le %(day)s à %(time)s") % {
            "day": short_day(local.date()),
            "time": hm(local.time(), minutes=True),
        }
    return {"url": f"{reverse('booking_new')}?{urlencode(query)}", "text": text}


def result_row(
    service, today: date, person_id: int | None = None, place: datetime | None = None
) -> dict:
    """What one result shows (the service comes from `service_search`)."""
    partner = service.partner
    tz = ZoneInfo(partner.timezone)
    return {
        "service": service,
        "partner": partner,
        "commune": partner.organisation.commune,
        "distance": distance_text(getattr(service, "distance_km", None)),
        "price": price_sentence(service),
        "next_free": next_free_text(service.next_available_at, tz, today, service.booking_mode),
        "has_free": service.next_available_at is not None,
        "book_next": book_next(service, place, person_id),
        "accessibility": accessibility_text(partner),
        "languages": languages_text(partner.languages),
    }


def _without(query: QueryDict, *names: str) -> str:
    rest = query.copy()
    for name in (*names, "page"):
        rest.pop(name, None)
    encoded = rest.urlencode()
    return f"?{encoded}" if encoded else "?"


def active_filters(form: forms.Form, query: QueryDict) -> list[dict]:
    """The filters of a valid search, each with the link that removes it."""
    data = form.cleaned_data
    chips = []
    place = data.get("resolved_place")
    if place is not None and any(query.get(name) for name in HIDDEN_PLACE_FIELDS):
        chips.append(
            {
                "label": _("Autour de : %(place)s") % {"place": place.label},
                "url": _without(query, *HIDDEN_PLACE_FIELDS),
            }
        )
    for name in FILTER_FIELDS:
        value = data.get(name)
        if value in (None, "", False):
            continue
        field = form.fields[name]
        if isinstance(field, forms.BooleanField):
            label = str(field.label)
        else:
            if isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices).get(value, value))
            elif isinstance(value, date):
                text = short_date(value)
            elif name == "radius_km":
                text = km(value, exact=False)
            elif name == "max_price":
                text = euros(value)
            else:
                text = str(value)
            label = _("%(label)s : %(value)s") % {
                "label": FILTER_LABELS.get(name, field.label),
                "value": text,
            }
        chips.append({"label": label, "url": _without(query, name)})
    return chips


def wider_radius_url(form: forms.Form, query: QueryDict) -> tuple[str, str] | None:
    """(« 50 km », link) to search further away, when a place limits the search by distance."""
    data = form.cleaned_data if form.is_bound else {}
    if data.get("resolved_place") is None or data.get("covers"):
        return None
    current = data.get("radius_km") or DEFAULT_RADIUS_KM
    wider = next((step for step in RADIUS_STEPS if step > current), None)
    if wider is None:
        return None
    rest = query.copy()
    rest.pop("page", None)
    rest["radius_km"] = str(wider)
    return km(wider, exact=False), f"?{rest.urlencode()}"


# --- Service page -----------------------------------------------------------------------------


def slot_window_first_day(value: str | None, today: date) -> date:
    """The first day of the slots shown: the asked day (YYYY-MM-DD) when it can be read and
    lies between today and a year ahead, else today."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return today
    if not today <= day <= today + timedelta(days=SLOT_PAGING_LIMIT_DAYS):
        return today
    return day


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0)).replace(tzinfo=tz)


def free_days(slots, tz: ZoneInfo, today: date, mode: str) -> list[dict]:
    """Days with at least one slot that still has room, in the partner's time zone:
    [{"label": "lundi 23 novembre", "times": [{"text": "9 h 00", "note": "(1 place)"}]}].
    A slot's room is shown when part of it is taken (or always, for rentals by the day)."""
    by_day: dict[date, list[dict]] = defaultdict(list)
    for slot in slots:
        remaining = slot.capacity - slot.reserved
        if remaining <= 0:
            continue
        start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
        if mode == BookingMode.PERIOD:
            text = _("de %(start)s à %(end)s") % {
                "start": hm(start.time(), minutes=True),
                "end": hm(end.time(), minutes=True),
            }
            note = places_text(remaining)
        else:
            text = hm(start.time(), minutes=True)
            note = places_text(remaining) if remaining < slot.capacity else ""
        by_day[start.date()].append({"text": text, "note": note, "remaining": remaining})
    return [
        {"date": day, "iso": day.isoformat(), "label": day_label(day, today), "times": times}
        for day, times in sorted(by_day.items())
    ]


# --- Errors -----------------------------------------------------------------------------------

SUMMARY_LABELS = {
    "available_from": gettext_lazy("Date de début"),
    "available_to": gettext_lazy("Date de fin"),
}


def error_summary(form: forms.Form) -> list[dict]:
    """Every error of an invalid search, in the order of the form, each with the field to go
    to. A place received in the URL has no field of its own: its errors lead to `place`."""
    rows = [{"label": "", "message": error, "anchor": ""} for error in form.non_field_errors()]
    for field in form:
        if not field.errors:
            continue
        anchor = form["place"].auto_id if field.name in HIDDEN_PLACE_FIELDS else field.auto_id
        rows.append(
            {
                "label": str(SUMMARY_LABELS.get(field.name, field.label)),
                "message": field.errors[0],
                "anchor": anchor,
            }
        )
    return rows
