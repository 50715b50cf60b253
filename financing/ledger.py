"""The loan ledger, replayed: balances are always the result of processing every
transaction in value-date order, so a back-dated entry or a reversal gives the same result
as if it had been entered on time.

A repayment (or a waiver) pays the oldest instalment first, interest before principal, then
the next; what is left once everything is paid is held as credit, never lost.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from financing.enums import TransactionKind

ZERO = Decimal("0.00")
PAYING = {TransactionKind.REPAYMENT, TransactionKind.WAIVER, TransactionKind.WRITE_OFF}


@dataclass
class Balance:
    """One instalment's state during a replay."""

    number: int
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO


@dataclass
class Allocation:
    transaction_key: object
    parts: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)  # n, interest, princ.
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((i + p for _n, i, p in self.parts), ZERO) + self.credit


def allocate(balances: list[Balance], amount: Decimal, key=None) -> Allocation:
    """Pay `amount` into the balances (in place), oldest first, interest before principal."""
    allocation = Allocation(key)
    left = amount
    for row in balances:
        if left <= 0:
            break
        interest = min(left, row.interest_due - row.interest_paid)
        row.interest_paid += interest
        left -= interest
        principal = min(left, row.principal_due - row.principal_paid)
        row.principal_paid += principal
        left -= principal
        if interest or principal:
            allocation.parts.append((row.number, interest, principal))
    allocation.credit = left
    return allocation


def replay(schedule, transactions) -> tuple[list[Balance], Decimal, list[Allocation]]:
    """`schedule`: (number, principal_due, interest_due) in order; `transactions`: objects
    with `kind`, `amount`, `value_date`, `pk` (or `key`) and `reverses_id`.
    Returns the balances, the credit held, and each paying transaction's allocation."""
    balances = [Balance(n, Decimal(p), Decimal(i)) for n, p, i in schedule]
    reversed_ids = {t.reverses_id for t in transactions if t.kind == TransactionKind.REVERSAL}
    credit = ZERO
    allocations = []
    for tx in sorted(transactions, key=lambda t: (t.value_date, t.pk)):
        if tx.kind not in PAYING or tx.pk in reversed_ids:
            continue
        allocation = allocate(balances, Decimal(tx.amount), key=tx.pk)
        credit += allocation.credit
        allocations.append(allocation)
    return balances, credit, allocations
