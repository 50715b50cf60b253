"""Units and prices of a booking (bookings.pricing): every unit, both booking modes, rounding.

Pure functions over unsaved services and slots: no database."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookings import pricing
from core.errors import ApplicationError
from partners.enums import BookingMode, ServiceUnit
from partners.models import Service, Slot

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)


def service(unit, *, mode=BookingMode.SLOT, price="35.00", market="60.00"):
    return Service(
        unit=unit, booking_mode=mode, solidarity_price=Decimal(price), market_price=Decimal(market)
    )


def slots(count, *, minutes=60, every=timedelta(days=1)):
    return [
        Slot(starts_at=START + i * every, ends_at=START + i * every + timedelta(minutes=minutes))
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("minutes", "count", "expected"),
    [
        (60, 1, "1.00"),
        (90, 1, "1.50"),
        (45, 2, "1.50"),
        (20, 1, "0.33"),  # 0.333… rounds down
        (50, 1, "0.83"),  # 0.8333… rounds down
        (1, 3, "0.05"),  # 0.05 exactly
        (40, 1, "0.67"),  # 0.666… rounds up
    ],
)
def test_hours_are_the_length_of_the_slots(minutes, count, expected):
    units = pricing.billed_units(service(ServiceUnit.HOUR), slots(count, minutes=minutes), None)
    assert units == Decimal(expected)


def test_half_a_cent_of_an_hour_rounds_half_up():
    # 18 seconds = 0.005 h exactly: half up gives 0.01, half even or down would give 0.00.
    slot = Slot(starts_at=START, ends_at=START + timedelta(seconds=18))
    assert pricing.billed_units(service(ServiceUnit.HOUR), [slot], None) == Decimal("0.01")


@pytest.mark.parametrize("unit", [ServiceUnit.DAY, ServiceUnit.SESSION])
@pytest.mark.parametrize("mode", [BookingMode.SLOT, BookingMode.PERIOD])
@pytest.mark.parametrize("count", [1, 2, 7, 8])
def test_days_and_sessions_count_the_slots(unit, mode, count):
    assert pricing.billed_units(service(unit, mode=mode), slots(count), None) == Decimal(count)


@pytest.mark.parametrize(
    ("count", "expected"), [(1, 1), (6, 1), (7, 1), (8, 2), (14, 2), (15, 3), (29, 5)]
)
def test_a_weekly_rental_bills_each_started_week(count, expected):
    rental = service(ServiceUnit.WEEK, mode=BookingMode.PERIOD)
    assert pricing.billed_units(rental, slots(count), None) == Decimal(expected)


@pytest.mark.parametrize("count", [1, 3, 8])
def test_weekly_slots_bill_one_week_each(count):
    weekly = service(ServiceUnit.WEEK, mode=BookingMode.SLOT)
    assert pricing.billed_units(weekly, slots(count, every=timedelta(weeks=1)), None) == count


@pytest.mark.parametrize("mode", [BookingMode.SLOT, BookingMode.PERIOD])
@pytest.mark.parametrize(
    ("count", "expected"), [(1, 1), (29, 1), (30, 1), (31, 2), (60, 2), (61, 3)]
)
def test_monthly_bills_each_started_month_of_thirty_days(mode, count, expected):
    monthly = service(ServiceUnit.MONTH, mode=mode)
    assert pricing.billed_units(monthly, slots(count), None) == Decimal(expected)


@pytest.mark.parametrize("count", [1, 2, 5])
def test_a_flat_fee_is_one_unit_whatever_the_slots(count):
    assert pricing.billed_units(service(ServiceUnit.FLAT), slots(count), None) == 1


@pytest.mark.parametrize(
    ("given", "expected"), [("12", "12.00"), ("7.345", "7.35"), ("0.004", "0.00")]
)
def test_km_are_the_estimate_given_rounded_half_up(given, expected):
    transport = service(ServiceUnit.KM, price="0.35", market="1.80")
    assert pricing.billed_units(transport, slots(1), Decimal(given)) == Decimal(expected)


@pytest.mark.parametrize("given", [None, Decimal("0"), Decimal("-3")])
def test_km_need_a_positive_estimate(given):
    with pytest.raises(ApplicationError, match="^Indiquez le nombre de kilomètres prévus.$"):
        pricing.billed_units(service(ServiceUnit.KM), slots(1), given)


def test_given_units_override_the_slots_for_other_units():
    assert pricing.billed_units(service(ServiceUnit.HOUR), slots(3), Decimal("2.5")) == Decimal(
        "2.50"
    )


def test_a_quote_multiplies_price_units_and_quantity_and_snapshots_both_prices():
    quote = pricing.quote(service(ServiceUnit.HOUR, price="35.00", market="60.00"),
                          slots(1, minutes=90), quantity=2)  # fmt: skip
    assert quote == pricing.Quote(
        units=Decimal("1.50"),
        unit_price=Decimal("35.00"),
        market_unit_price=Decimal("60.00"),
        total_price=Decimal("105.00"),
        market_total=Decimal("180.00"),
    )
    assert quote.saving == Decimal("75.00")


def test_a_quote_rounds_each_total_half_up_to_the_cent():
    transport = service(ServiceUnit.KM, price="0.35", market="1.85")
    quote = pricing.quote(transport, slots(1), quantity=1, units=Decimal("12.30"))
    # 0.35 × 12.3 = 4.305 → 4.31 ; 1.85 × 12.3 = 22.755 → 22.76 (half up, not half even).
    assert (quote.total_price, quote.market_total) == (Decimal("4.31"), Decimal("22.76"))
    assert quote.saving == Decimal("18.45")


def test_a_weekly_rental_quote():
    rental = service(ServiceUnit.WEEK, mode=BookingMode.PERIOD, price="15.00", market="140.00")
    quote = pricing.quote(rental, slots(10), quantity=1)
    assert (quote.units, quote.total_price, quote.market_total) == (
        Decimal(2),
        Decimal("30.00"),
        Decimal("280.00"),
    )


def test_a_saving_is_negative_when_the_market_is_cheaper():
    odd = service(ServiceUnit.FLAT, price="50.00", market="40.00")
    assert pricing.quote(odd, slots(1), quantity=1).saving == Decimal("-10.00")
