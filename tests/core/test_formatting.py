from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from core.formatting import (
    NBSP,
    cents,
    day_label,
    duration_text,
    euros,
    hm,
    km,
    long_date,
    moment_text,
    number_text,
    percent,
    percent_text,
    places_text,
    rate_text,
    short_date,
)


def test_money_is_rounded_half_up_to_the_cent():
    # Half-even (Python's default) would give 0.00 and 2.34.
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("2.345")) == Decimal("2.35")
    assert cents(Decimal("-2.345")) == Decimal("-2.35")
    assert cents(12) == Decimal("12.00")


def test_euros_read_the_french_way():
    with translation.override("fr"):
        assert euros(Decimal("35")) == f"35,00{NBSP}€"
        assert euros(Decimal("1800")) == f"1{NBSP}800,00{NBSP}€"
        assert euros(Decimal("0.125")) == f"0,13{NBSP}€"


def test_numbers_percentages_rates_and_distances():
    with translation.override("fr"):
        assert number_text(Decimal("3.00")) == "3"
        assert number_text(Decimal("1.50")) == "1,5"
        assert percent(1, 8) == Decimal("12.5")
        assert percent(1, 3) == Decimal("33.3")
        assert percent(1, 16) == Decimal("6.3")  # 6.25 half-up
        assert percent(5, 0) == Decimal("0")
        assert percent_text(Decimal("12.5")) == f"12,5{NBSP}%"
        assert rate_text(Decimal("3.000")) == f"3{NBSP}%"
        assert rate_text(Decimal("2.125")) == f"2,125{NBSP}%"
        assert km(12.44) == f"12,4{NBSP}km"
        assert km(20, exact=False) == f"20{NBSP}km"
        assert km(20) == f"20,0{NBSP}km"
        assert places_text(1) == "1 place"
        assert places_text(3) == "3 places"


def test_days_and_hours():
    with translation.override("fr"):
        assert hm(time(9)) == "9 h"
        assert hm(time(9), minutes=True) == "9 h 00"
        assert hm(time(9, 30)) == "9 h 30"
        assert duration_text(30) == "30 min"
        assert duration_text(60) == "1 h"
        assert duration_text(90) == "1 h 30"
        today = date(2026, 3, 1)
        assert day_label(date(2026, 3, 3), today) == "mardi 3 mars"
        assert day_label(date(2027, 3, 3), today) == "mercredi 3 mars 2027"
        assert long_date(date(2026, 11, 3)) == "mardi 3 novembre 2026"
        assert short_date(date(2026, 11, 3)) == "3 novembre 2026"
        assert short_date(None) == ""
        moment = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
        assert moment_text(moment, ZoneInfo("Europe/Paris"), today) == "mardi 3 mars, 9 h 30"
        assert moment_text(moment, ZoneInfo("America/Cayenne"), today) == "mardi 3 mars, 5 h 30"
