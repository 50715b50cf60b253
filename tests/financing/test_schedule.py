"""Repayment schedules (DOMAIN §1, DESIGN §3): golden examples, then properties that hold for
every loan the platform may grant (300–8,000 €, 0–12 %, 1–84 months, grace < term)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing.enums import LoanMethod
from financing.schedule import Row, build_schedule, cents, level_payment

D = Decimal


def schedule(principal, rate, months, *, first=date(2025, 1, 5), **kwargs):
    return build_schedule(
        principal=D(principal),
        annual_rate=D(rate),
        term_months=months,
        first_due_on=first,
        **kwargs,
    )


def left_after(rows, count: int, principal) -> Decimal:
    return D(principal) - sum(row.principal_due for row in rows[:count])


# --- golden schedules (DOMAIN §1) ------------------------------------------------------------


def test_3000_at_3_percent_over_36_months():
    rows = schedule("3000.00", "3", 36)

    assert len(rows) == 36
    assert {row.amount_due for row in rows[:-1]} == {D("87.24")}
    first, second = rows[0], rows[1]
    assert (first.interest_due, first.principal_due) == (D("7.50"), D("79.74"))
    assert left_after(rows, 1, "3000") == D("2920.26")
    assert (second.interest_due, second.principal_due) == (D("7.30"), D("79.94"))
    # DOMAIN.md prints 2,840.31 here, but 2,920.26 − 79.94 = 2,840.32: a slip in the doc.
    assert left_after(rows, 2, "3000") == D("2840.32")
    assert sum(row.principal_due for row in rows) == D("3000.00")
    # Rounded to the cent each month, the last instalment absorbs the drift (87.38 €).
    assert rows[-1] == Row(36, date(2027, 12, 5), D("87.16"), D("0.22"))


@pytest.mark.parametrize(
    ("principal", "rate", "months", "monthly"),
    [
        ("3000.00", "3", 36, "87.24"),
        ("2000.00", "2.5", 24, "85.52"),
        ("5000.00", "4", 60, "92.08"),
    ],
)
def test_level_monthly_payment(principal, rate, months, monthly):
    rows = schedule(principal, rate, months)

    assert level_payment(D(principal), D(rate) / 1200, months) == D(monthly)
    assert [row.amount_due for row in rows[:-1]] == [D(monthly)] * (months - 1)
    assert abs(rows[-1].amount_due - D(monthly)) < D("0.50")
    assert sum(row.principal_due for row in rows) == D(principal)
    # Interest falls month after month as the balance declines.
    interests = [row.interest_due for row in rows]
    assert interests == sorted(interests, reverse=True)
    assert interests[0] == (D(principal) * D(rate) / 1200).quantize(D("0.01"))


@pytest.mark.parametrize("method", list(LoanMethod))
def test_zero_rate_splits_the_principal_and_the_last_absorbs_the_rounding(method):
    rows = schedule("1000.00", "0", 12, method=method)

    assert [row.principal_due for row in rows] == [D("83.33")] * 11 + [D("83.37")]
    assert {row.interest_due for row in rows} == {D("0.00")}
    assert sum(row.amount_due for row in rows) == D("1000.00")


def test_association_loan_of_600_over_24_months():
    rows = schedule("600.00", "0.000", 24)

    assert {row.amount_due for row in rows} == {D("25.00")}


def test_flat_interest_is_charged_on_the_original_principal_every_month():
    rows = schedule("1000.00", "3", 12, method=LoanMethod.FLAT)

    assert {row.interest_due for row in rows} == {D("2.50")}  # 1,000 × 3 % ÷ 12
    assert [row.principal_due for row in rows] == [D("83.33")] * 11 + [D("83.37")]
    assert sum(row.interest_due for row in rows) == D("30.00")
    # More interest than on the declining balance for the same loan.
    declining = schedule("1000.00", "3", 12)
    assert sum(row.interest_due for row in declining) < D("30.00")


def test_grace_months_pay_interest_only_then_level_payments_over_the_rest():
    rows = schedule("1200.00", "3", 12, grace_months=3)

    assert len(rows) == 12
    grace, repaying = rows[:3], rows[3:]
    assert [(r.principal_due, r.interest_due) for r in grace] == [(D("0.00"), D("3.00"))] * 3
    level = level_payment(D("1200.00"), D("3") / 1200, 9)
    assert level == D("135.01")
    assert [row.amount_due for row in repaying[:-1]] == [level] * 8
    assert repaying[0].interest_due == D("3.00")  # the whole principal is still owed
    assert sum(row.principal_due for row in repaying) == D("1200.00")
    # Every month has its instalment, grace months included: 5 January, 5 February...
    assert [row.due_on for row in rows[:4]] == [
        date(2025, 1, 5), date(2025, 2, 5), date(2025, 3, 5), date(2025, 4, 5)
    ]  # fmt: skip


def test_flat_loan_with_grace_repays_over_the_remaining_months():
    rows = schedule("900.00", "2", 12, method=LoanMethod.FLAT, grace_months=3)

    assert {row.interest_due for row in rows} == {D("1.50")}
    assert [row.principal_due for row in rows] == [D("0.00")] * 3 + [D("100.00")] * 9


@pytest.mark.parametrize("grace", [12, 13, -1])
def test_grace_must_leave_a_repayment_month(grace):
    with pytest.raises(ValueError, match="^grace months must leave at least one repayment month$"):
        schedule("1200.00", "3", 12, grace_months=grace)


# --- due dates ---------------------------------------------------------------------------


def test_due_dates_follow_month_after_month_from_the_first():
    rows = schedule("1200.00", "3", 14, first=date(2025, 11, 10))

    assert [row.number for row in rows] == list(range(1, 15))
    assert [row.due_on for row in rows[:4]] == [
        date(2025, 11, 10),
        date(2025, 12, 10),
        date(2026, 1, 10),
        date(2026, 2, 10),
    ]
    assert rows[-1].due_on == date(2026, 12, 10)


@pytest.mark.parametrize(
    ("first", "february"),
    [(date(2025, 1, 31), date(2025, 2, 28)), (date(2024, 1, 31), date(2024, 2, 29))],
)
def test_a_31st_falls_on_the_last_day_of_short_months_and_comes_back(first, february):
    rows = schedule("1200.00", "3", 6, first=first)

    year = first.year
    assert [row.due_on for row in rows] == [
        first,
        february,
        date(year, 3, 31),
        date(year, 4, 30),
        date(year, 5, 31),
        date(year, 6, 30),
    ]


# --- properties --------------------------------------------------------------------------

CENTS = st.integers(min_value=30_000, max_value=800_000).map(lambda c: Decimal(c).scaleb(-2))
RATES = st.integers(min_value=0, max_value=12_000).map(lambda r: Decimal(r).scaleb(-3))
LOANS = st.integers(min_value=1, max_value=84).flatmap(
    lambda term: st.tuples(st.just(term), st.integers(min_value=0, max_value=term - 1))
)


@given(
    principal=CENTS,
    rate=RATES,
    term_grace=LOANS,
    method=st.sampled_from(list(LoanMethod)),
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
)
def test_any_schedule_repays_exactly_the_principal(principal, rate, term_grace, method, first):
    term, grace = term_grace
    rows = build_schedule(
        principal=principal,
        annual_rate=rate,
        term_months=term,
        first_due_on=first,
        method=method,
        grace_months=grace,
    )

    assert len(rows) == term
    assert [row.number for row in rows] == list(range(1, term + 1))
    assert sum(row.principal_due for row in rows) == principal
    for row in rows:
        assert row.principal_due >= 0
        assert row.interest_due >= 0
        assert row.amount_due >= 0
        assert row.principal_due.as_tuple().exponent == -2
        assert row.interest_due.as_tuple().exponent == -2
    assert all(row.principal_due == 0 for row in rows[:grace])
    assert all(row.principal_due > 0 for row in rows[grace:])
    due_dates = [row.due_on for row in rows]
    assert due_dates == sorted(set(due_dates))
    if rate == 0:
        assert all(row.interest_due == 0 for row in rows)
    if method == LoanMethod.DECLINING_BALANCE and term - grace > 1:
        # Equal monthly instalments: every repayment month but the last pays the same.
        assert len({row.amount_due for row in rows[grace:-1]}) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.125", "0.13"), ("0.135", "0.14"), ("2.004", "2.00"), ("-0.125", "-0.13")],
)
def test_cents_round_half_up(value, expected):
    # Half up, not the decimal context's half even (0.125 would give 0.12).
    assert cents(D(value)) == D(expected)
