"""Repayment schedules (pure): equal monthly instalments on the declining balance, flat
interest, zero rate, and grace months (interest only). Money is Decimal, rounded half-up to
the cent each month; the principal sums exactly to the loan, the last instalment absorbing
the rounding."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.formatting import cents
from financing.enums import LoanMethod


@dataclass(frozen=True)
class Row:
    number: int
    due_on: date
    principal_due: Decimal
    interest_due: Decimal

    @property
    def amount_due(self) -> Decimal:
        return self.principal_due + self.interest_due


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def level_payment(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    if monthly_rate == 0:
        return cents(principal / months)
    factor = (1 + monthly_rate) ** months
    return cents(principal * monthly_rate * factor / (factor - 1))


def build_schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    first_due_on: date,
    method: str = LoanMethod.DECLINING_BALANCE,
    grace_months: int = 0,
) -> list[Row]:
    """`term_months` instalments in all, the first `grace_months` of them interest only."""
    if not 0 <= grace_months < term_months:
        raise ValueError("grace months must leave at least one repayment month")
    rate = Decimal(annual_rate) / Decimal(1200)
    repaying = term_months - grace_months
    rows: list[Row] = []
    balance = Decimal(principal)
    for number in range(1, grace_months + 1):
        rows.append(
            Row(
                number, add_months(first_due_on, number - 1), Decimal("0.00"), cents(balance * rate)
            )
        )
    payment = level_payment(balance, rate, repaying)
    flat_interest = cents(Decimal(principal) * rate)
    flat_principal = cents(Decimal(principal) / repaying)
    for index in range(repaying):
        number = grace_months + index + 1
        last = index == repaying - 1
        if method == LoanMethod.FLAT:
            interest = flat_interest
            part = balance if last else flat_principal
        else:
            interest = cents(balance * rate)
            part = balance if last else min(payment - interest, balance)
        balance -= part
        rows.append(Row(number, add_months(first_due_on, number - 1), part, interest))
    return rows
