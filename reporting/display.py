"""How figures are written: on pages in French (« 1 234,50 € », « 12,5 % »), in the API as
the contract says (counts as integers, rates and durations as strings with one decimal,
money as strings with two), and, where people could be told apart (funder views, exports),
counts of people under 5 as "< 5"."""

from decimal import Decimal

from core.formatting import euros, number_text, percent_text
from reporting.enums import SMALL_COUNT, Unit

SMALL = f"< {SMALL_COUNT}"


def masked(value, unit: Unit):
    """A count of people between 1 and 4 becomes "< 5" (0 says nothing about anyone)."""
    if unit == Unit.PEOPLE and isinstance(value, int) and 0 < value < SMALL_COUNT:
        return SMALL
    return value


def text(value, unit: Unit | None, *, mask: bool = False) -> str:
    """A cell or a figure on a page."""
    if mask:
        value = masked(value, unit)
    if value is None:
        return "—"
    if isinstance(value, str) or unit is None:
        return str(value)
    if unit == Unit.MONEY:
        return euros(value)
    if unit == Unit.RATE:
        return percent_text(Decimal(value))
    if unit == Unit.DAYS:
        return number_text(Decimal(value))
    if unit == Unit.HOURS:
        return f"{number_text(Decimal(value))} h"
    return number_text(value)


def api_value(value, unit: Unit):
    if value is None:
        return None
    if unit in (Unit.COUNT, Unit.PEOPLE):
        return int(value)
    if unit == Unit.MONEY:
        return f"{Decimal(value):.2f}"
    return f"{Decimal(value):.1f}"
