"""Money, numbers, days and hours in plain French, once for every app: « 1 800,00 € »,
« 12,5 % », « 12,4 km », « mardi 3 mars », « mardi 3 mars, 9 h 30 ».

Money is Decimal, rounded half-up to the cent (`cents`); percentages half-up to one decimal.
Spaces before a unit are no-break spaces. Numbers follow the active language's separators
(Django's `number_format`). Presentation only: no queries, no writes."""

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, number_format
from django.utils.translation import ngettext

NBSP = "\u00a0"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")


# --- Money and numbers ------------------------------------------------------------------------


def cents(value) -> Decimal:
    """The amount rounded half-up to the cent (amounts are stored with two decimals)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def euros(amount) -> str:
    """« 35,00 € », « 1 800,00 € » (no-break spaces, two decimals)."""
    return f"{number_format(cents(amount), 2, force_grouping=True)}{NBSP}€"


def number_text(value) -> str:
    """« 3 », « 1,5 », « 12,25 » (no useless zeros)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value, 0, force_grouping=True)
    decimals = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, decimals, force_grouping=True)


def percent(part, whole) -> Decimal:
    """The share of `part` in `whole`, in percent, half-up to one decimal (0 for no whole)."""
    if not whole:
        return ZERO
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal) -> str:
    """« 12,5 % » (no-break space)."""
    return f"{number_format(value, 1)}{NBSP}%"


def rate_text(rate: Decimal) -> str:
    """« 3 % », « 2,5 % », « 2,125 % »."""
    rate = Decimal(rate).normalize()
    decimals = max(0, -rate.as_tuple().exponent)
    return f"{number_format(rate, decimals)}{NBSP}%"


def km(value, *, exact: bool = True) -> str:
    """« 12,4 km » (one decimal); « 20 km » for a whole number when not `exact` (a radius,
    not a measured distance)."""
    rounded = Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    decimals = 0 if not exact and rounded == rounded.to_integral_value() else 1
    return f"{number_format(rounded, decimals)}{NBSP}km"


def places_text(count: int) -> str:
    """« 1 place », « 3 places »."""
    return ngettext("%(n)s place", "%(n)s places", count) % {"n": count}


# --- Days and hours ---------------------------------------------------------------------------


def hm(at: time, *, minutes: bool = False) -> str:
    """« 9 h », « 9 h 30 » (« 9 h 00 » with minutes=True)."""
    if at.minute or minutes:
        return f"{at.hour} h {at.minute:02d}"
    return f"{at.hour} h"


def duration_text(minutes: int) -> str:
    """« 30 min », « 1 h », « 1 h 30 »."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def long_date(day: date) -> str:
    """« mardi 3 novembre 2026 »."""
    return date_format(day, "l j F Y")


def short_date(day: date | None) -> str:
    """« 3 novembre 2026 » (nothing without a day)."""
    return date_format(day, "j F Y") if day else ""


def short_day(day: date) -> str:
    """« lun. 7 déc. » (a button's or a link's few words)."""
    weekday, rest = date_format(day, "D"), date_format(day, "j N")
    return f"{weekday}. {rest}" if not weekday.endswith(".") else f"{weekday} {rest}"


def day_label(day: date, today: date) -> str:
    """« mardi 24 novembre », with the year when it is not this year's."""
    return date_format(day, "l j F" if day.year == today.year else "l j F Y")


def moment_text(moment: datetime, tz: ZoneInfo, today: date) -> str:
    """« mardi 3 mars, 9 h 30 » in the given time zone (with the year when it is not this
    year's)."""
    at = moment.astimezone(tz)
    return f"{day_label(at.date(), today)}, {hm(at.time(), minutes=True)}"
