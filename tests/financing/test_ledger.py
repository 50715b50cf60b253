"""The loan ledger (DESIGN §3): allocation (interest before principal, oldest first, the rest
held as credit), replay (order of entry and reversals do not matter), then the services that
record entries on a real loan, and arrears."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from core.errors import ApplicationError, InvalidTransition, NotFoundError
from financing import loans
from financing.enums import (
    ArrearsBucket,
    LoanKind,
    LoanMethod,
    LoanStatus,
    PaymentMethod,
    TransactionKind,
)
from financing.ledger import Balance, allocate, replay
from financing.models import LoanTransaction
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, member

D = Decimal
PARIS = ZoneInfo("Europe/Paris")


# --- allocation (pure) -------------------------------------------------------------------


def balances(*rows) -> list[Balance]:
    return [Balance(n, D(p), D(i)) for n, (p, i) in enumerate(rows, start=1)]


def test_interest_is_paid_before_principal_and_the_oldest_instalment_first():
    rows = balances(("100.00", "10.00"), ("100.00", "8.00"), ("100.00", "6.00"))

    first = allocate(rows, D("50.00"))
    assert first.parts == [(1, D("10.00"), D("40.00"))]
    assert first.credit == 0

    second = allocate(rows, D("100.00"))
    assert second.parts == [(1, D("0.00"), D("60.00")), (2, D("8.00"), D("32.00"))]
    assert [(r.interest_paid, r.principal_paid) for r in rows] == [
        (D("10.00"), D("100.00")),
        (D("8.00"), D("32.00")),
        (D("0.00"), D("0.00")),
    ]


def test_a_payment_smaller_than_the_interest_pays_interest_only():
    rows = balances(("100.00", "10.00"), ("100.00", "8.00"))

    allocation = allocate(rows, D("4.00"))

    assert allocation.parts == [(1, D("4.00"), D("0.00"))]
    assert rows[0].principal_paid == 0


def test_an_overpayment_is_held_as_credit_never_lost():
    rows = balances(("100.00", "10.00"), ("100.00", "8.00"))

    allocation = allocate(rows, D("250.00"))

    assert allocation.credit == D("32.00")
    assert allocation.total == D("250.00")
    assert all(r.principal_paid == r.principal_due for r in rows)
    assert all(r.interest_paid == r.interest_due for r in rows)
    again = allocate(rows, D("5.00"))
    assert again.parts == [] and again.credit == D("5.00")


AMOUNT = st.integers(min_value=1, max_value=60_000).map(lambda c: Decimal(c).scaleb(-2))
DUE = st.integers(min_value=0, max_value=40_000).map(lambda c: Decimal(c).scaleb(-2))
SCHEDULE = st.lists(st.tuples(DUE, DUE), min_size=1, max_size=12)


@given(schedule=SCHEDULE, payments=st.lists(AMOUNT, min_size=1, max_size=10))
def test_each_allocation_sums_exactly_to_its_payment(schedule, payments):
    rows = balances(*schedule)
    credit = D("0")

    for amount in payments:
        allocation = allocate(rows, amount)
        assert allocation.total == amount
        assert sum(i + p for _n, i, p in allocation.parts) + allocation.credit == amount
        assert all(i >= 0 and p >= 0 and (i or p) for _n, i, p in allocation.parts)
        assert allocation.credit >= 0
        credit += allocation.credit

    for row in rows:
        assert 0 <= row.interest_paid <= row.interest_due
        assert 0 <= row.principal_paid <= row.principal_due
    paid = sum(r.interest_paid + r.principal_paid for r in rows)
    owed = sum(r.interest_due + r.principal_due for r in rows)
    assert paid + credit == sum(payments)
    assert paid == min(owed, sum(payments))
    # Paid in order: an instalment gets something only once every older one is settled.
    for older, newer in pairwise(rows):
        if newer.interest_paid or newer.principal_paid:
            assert older.interest_paid == older.interest_due
            assert older.principal_paid == older.principal_due


# --- replay (pure) -----------------------------------------------------------------------


@dataclass
class Entry:
    kind: str
    amount: Decimal
    value_date: date
    pk: int = 0
    reverses_id: int | None = None


def state(schedule, entries):
    rows, credit, _allocations = replay(
        [(n, p, i) for n, (p, i) in enumerate(schedule, start=1)], entries
    )
    return [(r.interest_paid, r.principal_paid) for r in rows], credit


def numbered(entries) -> list[Entry]:
    """The entries as the database would hold them: keys in order of insertion."""
    return [
        Entry(e.kind, e.amount, e.value_date, pk=n, reverses_id=e.reverses_id)
        for n, e in enumerate(entries, start=1)
    ]


ENTRIES = st.lists(
    st.builds(
        Entry,
        kind=st.sampled_from([TransactionKind.REPAYMENT, TransactionKind.WAIVER]),
        amount=AMOUNT,
        value_date=st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 3, 31)),
    ),
    min_size=1,
    max_size=8,
)


@given(schedule=SCHEDULE, entries=ENTRIES, data=st.data())
def test_replay_does_not_depend_on_the_order_entries_were_made(schedule, entries, data):
    order = data.draw(st.permutations(range(len(entries))))
    shuffled = [entries[i] for i in order]

    assert state(schedule, numbered(shuffled)) == state(schedule, numbered(entries))
    # …and equals entering them in value-date order, on time.
    on_time = sorted(entries, key=lambda e: e.value_date)
    assert state(schedule, numbered(shuffled)) == state(schedule, numbered(on_time))


@given(schedule=SCHEDULE, entries=ENTRIES, data=st.data())
def test_a_reversal_is_the_same_as_never_having_entered(schedule, entries, data):
    entries = numbered(entries)
    victim = data.draw(st.sampled_from(entries))
    reversal = Entry(
        TransactionKind.REVERSAL,
        victim.amount,
        victim.value_date,
        pk=len(entries) + 1,
        reverses_id=victim.pk,
    )

    without = [e for e in entries if e is not victim]
    assert state(schedule, [*entries, reversal]) == state(schedule, without)


def test_disbursements_and_reversals_allocate_nothing():
    schedule = [(1, D("100.00"), D("1.00"))]
    entries = [
        Entry(TransactionKind.DISBURSEMENT, D("100.00"), date(2025, 1, 1), pk=1),
        Entry(TransactionKind.REPAYMENT, D("30.00"), date(2025, 2, 1), pk=2),
        Entry(TransactionKind.REVERSAL, D("30.00"), date(2025, 2, 1), pk=3, reverses_id=2),
    ]

    _rows, credit, allocations = replay(schedule, entries)

    assert allocations == [] and credit == 0


def test_credit_from_several_overpayments_adds_up():
    schedule = [(1, D("100.00"), D("1.00"))]
    entries = [
        Entry(TransactionKind.REPAYMENT, D("111.00"), date(2025, 2, 1), pk=1),
        Entry(TransactionKind.REPAYMENT, D("5.00"), date(2025, 3, 1), pk=2),
    ]

    _rows, credit, allocations = replay(schedule, entries)

    assert credit == D("15.00")  # 10.00 left by the first, all 5.00 of the second
    assert [a.credit for a in allocations] == [D("10.00"), D("5.00")]


# --- services on a real loan ---------------------------------------------------------------

NOW = datetime(2025, 6, 15, 11, 0, tzinfo=PARIS)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def lender(platform):
    return OrganisationFactory(funder=True, name="Banque solidaire", platform=platform)


@pytest.fixture
def borrower(platform, adviser):
    return BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Léa")


def disbursed(actor, person, lender, *, principal="1200.00", rate="0", months=12, **extra):
    """A loan granted and paid out on 15 December 2024; first instalment on 5 January."""
    loan = loans.loan_create(
        actor=actor,
        beneficiary_id=person.pk,
        kind=extra.pop("kind", LoanKind.ASSOCIATION_LOAN),
        lender_id=lender.pk,
        principal=D(principal),
        annual_rate=D(rate),
        term_months=months,
        first_due_on=extra.pop("first_due_on", date(2025, 1, 5)),
        method=extra.pop("method", LoanMethod.DECLINING_BALANCE),
        **extra,
    )
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.APPROVED)
    loans.loan_transition(
        actor=actor, loan_id=loan.pk, to=LoanStatus.DISBURSED, on=date(2024, 12, 15)
    )
    loan.refresh_from_db()
    return loan


def pay(actor, loan, amount, on, *, kind=TransactionKind.REPAYMENT):
    return loans.entry_record(
        actor=actor,
        loan_id=loan.pk,
        kind=kind,
        amount=D(amount),
        value_date=on,
        method=PaymentMethod.TRANSFER if kind == TransactionKind.REPAYMENT else "",
    )


def paid(loan) -> list[tuple[Decimal, Decimal]]:
    return [(i.interest_paid, i.principal_paid) for i in loan.installments.order_by("number")]


@pytest.mark.django_db
def test_a_repayment_is_allocated_and_stored_on_the_instalments(
    frozen, finance_officer, borrower, lender
):
    loan = disbursed(
        finance_officer, borrower, lender, principal="3000.00", rate="3", months=36,
        kind=LoanKind.MICRO_CREDIT,
    )  # fmt: skip
    assert loan.guarantee_share == D("50")

    entry, allocation = pay(finance_officer, loan, "100.00", date(2025, 1, 5))

    assert entry.kind == TransactionKind.REPAYMENT and entry.created_by == finance_officer
    assert allocation.transaction_key == entry.pk
    assert allocation.parts == [(1, D("7.50"), D("79.74")), (2, D("7.30"), D("5.46"))]
    assert allocation.credit == 0
    assert paid(loan)[:3] == [
        (D("7.50"), D("79.74")),
        (D("7.30"), D("5.46")),
        (D("0.00"), D("0.00")),
    ]
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DISBURSED
    assert loan.credit_balance == 0


@pytest.mark.django_db
def test_paying_everything_repays_the_loan_and_keeps_the_surplus_as_credit(
    frozen, finance_officer, borrower, lender
):
    loan = disbursed(finance_officer, borrower, lender)
    pay(finance_officer, loan, "500.00", date(2025, 5, 5))

    last, allocation = pay(finance_officer, loan, "750.00", date(2025, 6, 5))

    assert allocation.credit == D("50.00")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REPAID
    assert loan.credit_balance == D("50.00")
    assert (loan.days_past_due, loan.arrears_bucket) == (0, ArrearsBucket.CURRENT)
    assert all(p == (D("0.00"), D("100.00")) for p in paid(loan))

    loans.entry_reverse(actor=finance_officer, transaction_id=last.pk, note="Chèque rejeté")

    loan.refresh_from_db()
    assert loan.status == LoanStatus.DISBURSED
    assert loan.credit_balance == 0
    assert paid(loan)[4:6] == [(D("0.00"), D("100.00")), (D("0.00"), D("0.00"))]
    # 6 June is the oldest unpaid due date: 5 June → 15 June is ten days.
    assert (loan.days_past_due, loan.arrears_bucket) == (10, ArrearsBucket.D1_30)


@pytest.mark.django_db
def test_a_reversal_gives_the_state_the_loan_would_have_without_the_entry(
    frozen, finance_officer, borrower, lender, platform
):
    loan = disbursed(finance_officer, borrower, lender, rate="3")
    twin = disbursed(finance_officer, BeneficiaryFactory(platform=platform), lender, rate="3")
    entries = [
        ("120.00", date(2025, 1, 5)),
        ("80.00", date(2025, 2, 5)),
        ("95.50", date(2025, 3, 1)),
    ]
    made = [pay(finance_officer, loan, amount, on)[0] for amount, on in entries]
    for index in (0, 2):
        pay(finance_officer, twin, *entries[index])

    reversal = loans.entry_reverse(actor=finance_officer, transaction_id=made[1].pk)

    assert reversal.kind == TransactionKind.REVERSAL and reversal.reverses_id == made[1].pk
    assert reversal.amount == made[1].amount and reversal.value_date == made[1].value_date
    loan.refresh_from_db()
    twin.refresh_from_db()
    assert paid(loan) == paid(twin)
    assert (loan.credit_balance, loan.days_past_due) == (twin.credit_balance, twin.days_past_due)
    with pytest.raises(InvalidTransition):
        loans.entry_reverse(actor=finance_officer, transaction_id=made[1].pk)
    with pytest.raises(InvalidTransition):
        loans.entry_reverse(actor=finance_officer, transaction_id=reversal.pk)


@pytest.mark.django_db
def test_a_back_dated_entry_replays_the_ledger(frozen, finance_officer, borrower, lender, platform):
    loan = disbursed(finance_officer, borrower, lender, rate="3")
    on_time = disbursed(finance_officer, BeneficiaryFactory(platform=platform), lender, rate="3")
    pay(finance_officer, on_time, "101.00", date(2025, 1, 5))
    pay(finance_officer, on_time, "101.00", date(2025, 2, 5))

    pay(finance_officer, loan, "101.00", date(2025, 2, 5))
    _entry, allocation = pay(finance_officer, loan, "101.00", date(2025, 1, 5))  # found later

    assert allocation.parts[0][0] == 1  # the back-dated entry now pays the first instalment
    assert paid(loan) == paid(on_time)
    loan.refresh_from_db()
    assert loan.credit_balance == 0


@pytest.mark.django_db
def test_a_future_value_date_is_refused(frozen, finance_officer, borrower, lender):
    loan = disbursed(finance_officer, borrower, lender)

    with pytest.raises(ApplicationError, match="futur"):
        pay(finance_officer, loan, "100.00", date(2025, 6, 16))

    assert not LoanTransaction.objects.filter(loan=loan, kind=TransactionKind.REPAYMENT).exists()
    pay(finance_officer, loan, "100.00", date(2025, 6, 15))  # today is fine


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"amount": D("0")}, ApplicationError),
        ({"amount": D("-5")}, ApplicationError),
        ({"method": ""}, ApplicationError),
        ({"kind": TransactionKind.DISBURSEMENT}, ApplicationError),
        ({"kind": TransactionKind.REVERSAL}, ApplicationError),
    ],
)
def test_invalid_entries_are_refused(frozen, finance_officer, borrower, lender, changes, error):
    loan = disbursed(finance_officer, borrower, lender)
    entry = {
        "kind": TransactionKind.REPAYMENT,
        "amount": D("50"),
        "value_date": date(2025, 2, 1),
        "method": PaymentMethod.CASH,
    }

    with pytest.raises(error):
        loans.entry_record(actor=finance_officer, loan_id=loan.pk, **{**entry, **changes})

    assert LoanTransaction.objects.filter(loan=loan).count() == 1  # the disbursement


@pytest.mark.django_db
def test_no_entry_before_disbursement_nor_by_another_platform(
    frozen, finance_officer, borrower, lender, other_platform
):
    loan = loans.loan_create(
        actor=finance_officer, beneficiary_id=borrower.pk, kind=LoanKind.ASSOCIATION_LOAN,
        lender_id=lender.pk, principal=D("600"), annual_rate=D("0"), term_months=12,
        first_due_on=date(2025, 7, 5), method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        pay(finance_officer, loan, "50.00", date(2025, 6, 1))

    stranger = member(Role.FINANCE_OFFICER, other_platform)
    paid_out = disbursed(finance_officer, borrower, lender)
    with pytest.raises(NotFoundError):
        pay(stranger, paid_out, "50.00", date(2025, 6, 1))
    adviser = member(Role.ADVISER, borrower.platform)
    with pytest.raises(NotFoundError):
        pay(adviser, paid_out, "50.00", date(2025, 6, 1))


@pytest.mark.django_db
def test_a_waiver_pays_like_a_repayment(frozen, finance_officer, borrower, lender):
    loan = disbursed(finance_officer, borrower, lender, rate="3")

    _entry, allocation = pay(finance_officer, loan, "3.00", date(2025, 1, 5),
                             kind=TransactionKind.WAIVER)  # fmt: skip

    assert allocation.parts == [(1, D("3.00"), D("0.00"))]


# --- arrears -------------------------------------------------------------------------------


@pytest.fixture
def late_since_march(time_machine, finance_officer, borrower, lender):
    """1,200 € over 12 months from 5 January 2025, January and February paid: the 5 March
    instalment is the oldest unpaid one."""
    time_machine.move_to(datetime(2025, 3, 1, 10, tzinfo=PARIS), tick=False)
    loan = disbursed(finance_officer, borrower, lender)
    pay(finance_officer, loan, "200.00", date(2025, 2, 5))
    return loan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "days", "bucket"),
    [
        (date(2025, 3, 4), 0, ArrearsBucket.CURRENT),
        (date(2025, 3, 5), 0, ArrearsBucket.CURRENT),  # due today is not late yet
        (date(2025, 3, 6), 1, ArrearsBucket.D1_30),
        (date(2025, 4, 4), 30, ArrearsBucket.D1_30),
        (date(2025, 4, 5), 31, ArrearsBucket.D31_60),
        (date(2025, 5, 4), 60, ArrearsBucket.D31_60),
        (date(2025, 5, 5), 61, ArrearsBucket.D61_90),
        (date(2025, 6, 3), 90, ArrearsBucket.D61_90),
        (date(2025, 6, 4), 91, ArrearsBucket.D90_PLUS),
        (date(2026, 3, 5), 365, ArrearsBucket.D90_PLUS),
    ],
)
def test_days_past_due_and_bucket(late_since_march, time_machine, today, days, bucket):
    time_machine.move_to(datetime.combine(today, datetime.min.time(), PARIS) + timedelta(hours=9))

    assert loans.arrears_update_all() == 1

    late_since_march.refresh_from_db()
    assert (late_since_march.days_past_due, late_since_march.arrears_bucket) == (days, bucket)


@pytest.mark.django_db
def test_catching_up_brings_the_loan_back_to_current(
    late_since_march, time_machine, finance_officer
):
    time_machine.move_to(datetime(2025, 4, 20, 10, tzinfo=PARIS), tick=False)
    loans.arrears_update_all()
    late_since_march.refresh_from_db()
    assert (late_since_march.days_past_due, late_since_march.arrears_bucket) == (46, "31-60")

    pay(finance_officer, late_since_march, "100.00", date(2025, 4, 20))  # March only
    late_since_march.refresh_from_db()
    assert (late_since_march.days_past_due, late_since_march.arrears_bucket) == (15, "1-30")

    pay(finance_officer, late_since_march, "100.00", date(2025, 4, 20))  # April too
    late_since_march.refresh_from_db()
    assert (late_since_march.days_past_due, late_since_march.arrears_bucket) == (0, "current")


@pytest.mark.django_db
def test_arrears_update_all_skips_loans_that_are_not_outstanding(
    time_machine, finance_officer, borrower, lender, platform
):
    time_machine.move_to(datetime(2025, 6, 15, 10, tzinfo=PARIS), tick=False)
    late = disbursed(finance_officer, borrower, lender)
    repaid = disbursed(finance_officer, BeneficiaryFactory(platform=platform), lender)
    pay(finance_officer, repaid, "1200.00", date(2025, 6, 1))
    loans.loan_create(
        actor=finance_officer,
        beneficiary_id=borrower.pk,
        kind=LoanKind.ASSOCIATION_LOAN,
        lender_id=lender.pk,
        principal=D("600"),
        annual_rate=D("0"),
        term_months=12,
        first_due_on=date(2025, 1, 5),
        method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip  (applied, never disbursed: its past due dates are not arrears)

    assert loans.arrears_update_all(today=date(2025, 6, 20)) == 1

    late.refresh_from_db()
    repaid.refresh_from_db()
    assert (late.days_past_due, late.arrears_bucket) == (166, "90+")
    assert (repaid.status, repaid.days_past_due, repaid.arrears_bucket) == ("repaid", 0, "current")


# --- default and write-off ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_partial_write_off_of_a_defaulted_loan_writes_it_off(
    frozen, finance_officer, borrower, lender
):
    loan = disbursed(finance_officer, borrower, lender)
    pay(finance_officer, loan, "300.00", date(2025, 3, 5))
    loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=LoanStatus.DEFAULTED)

    pay(finance_officer, loan, "500.00", date(2025, 6, 15), kind=TransactionKind.WRITE_OFF)

    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF
    with pytest.raises(InvalidTransition):
        pay(finance_officer, loan, "10.00", date(2025, 6, 15))


@pytest.mark.django_db
def test_writing_off_the_whole_balance_of_a_defaulted_loan_writes_it_off(
    frozen, finance_officer, borrower, lender
):
    loan = disbursed(finance_officer, borrower, lender)
    pay(finance_officer, loan, "300.00", date(2025, 3, 5))
    loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=LoanStatus.DEFAULTED)

    pay(finance_officer, loan, "900.00", date(2025, 6, 15), kind=TransactionKind.WRITE_OFF)

    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF
