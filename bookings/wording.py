"""How a booking's dates, units, prices and people read in plain French, for the pages and
the documents (money, numbers, days and hours: `core.formatting`). Presentation only: no
queries, no writes."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import day_label, euros, hm, moment_text, number_text, short_date
from partners.enums import BookingMode, ServiceUnit

UNIT_WORDS = {
    ServiceUnit.HOUR: (gettext_lazy("heure"), gettext_lazy("heures")),
    ServiceUnit.DAY: (gettext_lazy("jour"), gettext_lazy("jours")),
    ServiceUnit.WEEK: (gettext_lazy("semaine"), gettext_lazy("semaines")),
    ServiceUnit.MONTH: (gettext_lazy("mois"), gettext_lazy("mois")),
    ServiceUnit.KM: (gettext_lazy("km"), gettext_lazy("km")),
    ServiceUnit.SESSION: (gettext_lazy("séance"), gettext_lazy("séances")),
    ServiceUnit.FLAT: (gettext_lazy("forfait"), gettext_lazy("forfaits")),
}


# --- Plain French -----------------------------------------------------------------------------


def booking_title(booking) -> str:
    """« Réservation SM-7K3F-92QD »: the heading of a booking's pages."""
    return _("Réservation %(ref)s") % {"ref": booking.reference}


def units_text(units: Decimal, unit: str) -> str:
    """« 3 heures », « 1,5 heure », « 40 km », « 1 forfait »."""
    singular, plural = UNIT_WORDS.get(unit, (unit, unit))
    word = singular if Decimal(units) < 2 else plural
    return f"{number_text(units)} {word}"


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def when_text(booking, tz: ZoneInfo, today: date) -> str:
    """When a booking takes place, as people say it:
    « mardi 3 mars, 9 h 00 – 10 h 00 »; « du lundi 2 mars au vendredi 6 mars » (a rental);
    « du mardi 3 mars, 9 h 00 au jeudi 5 mars, 11 h 00 » (slots on several days)."""
    start, end = local(booking.starts_at, tz), local(booking.ends_at, tz)
    if booking.service.booking_mode == BookingMode.PERIOD:
        if start.date() == end.date():
            return _("%(day)s (la journée)") % {"day": day_label(start.date(), today)}
        return _("du %(first)s au %(last)s") % {
            "first": day_label(start.date(), today),
            "last": day_label(end.date(), today),
        }
    if start.date() == end.date():
        return _("%(day)s, %(start)s – %(end)s") % {
            "day": day_label(start.date(), today),
            "start": hm(start.time(), minutes=True),
            "end": hm(end.time(), minutes=True),
        }
    return _("du %(first)s au %(last)s") % {
        "first": moment_text(booking.starts_at, tz, today),
        "last": moment_text(booking.ends_at, tz, today),
    }


def slot_text(slot, tz: ZoneInfo, today: date, mode: str) -> str:
    """One slot of a booking: « mardi 3 mars, 9 h 00 – 10 h 00 », or the day of a rental."""
    start, end = local(slot.starts_at, tz), local(slot.ends_at, tz)
    if mode == BookingMode.PERIOD:
        return day_label(start.date(), today)
    return _("%(day)s, %(start)s – %(end)s") % {
        "day": day_label(start.date(), today),
        "start": hm(start.time(), minutes=True),
        "end": hm(end.time(), minutes=True),
    }


def stamp_text(moment: datetime) -> str:
    """When something happened, in the site's time: « 3 mars 2026 à 9 h 30 »."""
    at = timezone.localtime(moment)
    return _("%(day)s à %(time)s") % {
        "day": short_date(at.date()),
        "time": hm(at.time(), minutes=True),
    }


def price_rows(
    *, quantity: int, units: Decimal, unit: str, unit_price: Decimal,
    market_unit_price: Decimal, total: Decimal, market_total: Decimal,
) -> dict:  # fmt: skip
    """The price breakdown a page shows: « 3 heures × 35,00 € », the totals and the saving."""
    detail = _("%(units)s × %(price)s") % {
        "units": units_text(units, unit),
        "price": euros(unit_price),
    }
    if quantity > 1:
        detail = _("%(quantity)s places × %(detail)s") % {"quantity": quantity, "detail": detail}
    saving = market_total - total
    return {
        "detail": detail,
        "total": euros(total),
        "market_detail": _("%(units)s × %(price)s")
        % {
            "units": units_text(units, unit),
            "price": euros(market_unit_price),
        },
        "market_total": euros(market_total),
        "saving": euros(saving) if saving > 0 else "",
        "is_km": unit == ServiceUnit.KM,
    }


def booking_price(booking) -> dict:
    """The price snapshot of a booking, as `price_rows` says it."""
    return price_rows(
        quantity=booking.quantity, units=booking.units, unit=booking.service.unit,
        unit_price=booking.unit_price, market_unit_price=booking.market_unit_price,
        total=booking.total_price, market_total=booking.market_total,
    )  # fmt: skip


def person_label(person) -> str:
    """« MARTIN Léa — Montluçon »."""
    label = f"{person.last_name.upper()} {person.first_name}"
    return f"{label} — {person.commune}" if person.commune else label
