"""core.transitions: one table check (409 naming the current status), one audit row."""

import pytest

from beneficiaries.enums import REFERRAL_TRANSITIONS, ReferralStatus
from bookings.enums import TRANSITIONS, BookingStatus
from core.enums import ErrorCode
from core.errors import InvalidTransition
from core.models import AuditLog
from core.transitions import allowed_targets, ensure_transition, record_transition
from financing.enums import (
    AWARD_TRANSITIONS,
    LOAN_LEDGER_TRANSITIONS,
    LOAN_TRANSITIONS,
    AwardStatus,
    LoanStatus,
)
from tests.factories import OrganisationFactory


class Thing:
    """Stands for a model row: a status and its display."""

    def __init__(self, status: str):
        self.status = status

    def get_status_display(self) -> str:
        return BookingStatus(self.status).label


def test_an_allowed_transition_returns_the_status_it_leaves():
    thing = Thing(BookingStatus.REQUESTED)
    assert ensure_transition(TRANSITIONS, thing, BookingStatus.CONFIRMED, subject="x") == (
        BookingStatus.REQUESTED
    )
    assert thing.status == BookingStatus.REQUESTED  # checking changes nothing


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (BookingStatus.CONFIRMED, BookingStatus.CONFIRMED),
        (BookingStatus.CANCELLED, BookingStatus.CONFIRMED),  # a final status goes nowhere
        (BookingStatus.REQUESTED, BookingStatus.NO_SHOW),
        (BookingStatus.REQUESTED, "bogus"),
    ],
)
def test_a_refused_transition_is_409_naming_the_current_status(status, to):
    with pytest.raises(InvalidTransition) as error:
        ensure_transition(TRANSITIONS, Thing(status), to, subject="la réservation")
    assert (error.value.status, error.value.code) == (409, ErrorCode.INVALID_TRANSITION)
    label = BookingStatus(status).label
    assert error.value.message == f"Impossible : la réservation est « {label} »."


def test_allowed_targets_are_the_table_in_a_stable_order():
    assert allowed_targets(LOAN_TRANSITIONS, LoanStatus.APPLIED) == ["approved", "rejected"]
    assert allowed_targets(AWARD_TRANSITIONS, AwardStatus.REQUESTED) == [
        "approved", "cancelled", "rejected",
    ]  # fmt: skip
    assert allowed_targets(TRANSITIONS, BookingStatus.COMPLETED) == []


@pytest.mark.parametrize(
    ("table", "status_type"),
    [
        (TRANSITIONS, BookingStatus),
        (LOAN_TRANSITIONS, LoanStatus),
        (LOAN_LEDGER_TRANSITIONS, LoanStatus),
        (AWARD_TRANSITIONS, AwardStatus),
        (REFERRAL_TRANSITIONS, ReferralStatus),
    ],
)
def test_every_table_speaks_of_its_own_statuses_and_never_stays_put(table, status_type):
    for status, targets in table.items():
        assert status in status_type.values
        assert set(targets) <= set(status_type.values)
        assert status not in targets


def test_the_tables_follow_design_section_4():
    assert AWARD_TRANSITIONS == {
        "requested": {"approved", "rejected", "cancelled"},
        "approved": {"paid", "cancelled"},
    }
    assert REFERRAL_TRANSITIONS == {"submitted": {"accepted", "refused", "expired", "withdrawn"}}
    loans = {
        status: LOAN_TRANSITIONS.get(status, set()) | LOAN_LEDGER_TRANSITIONS.get(status, set())
        for status in LoanStatus.values
    }
    assert {k: v for k, v in loans.items() if v} == {
        "applied": {"approved", "rejected"},
        "approved": {"disbursed", "cancelled"},
        "disbursed": {"repaid", "defaulted"},
        "defaulted": {"written_off", "repaid"},
        "repaid": {"disbursed"},  # a reversed repayment reopens the loan (the ledger only)
    }
    assert "repaid" not in set().union(*LOAN_TRANSITIONS.values())  # nobody types "repaid"


@pytest.mark.django_db
def test_record_transition_writes_one_audit_row_with_where_it_came_from(adviser):
    organisation = OrganisationFactory()
    record_transition(organisation, actor=adviser, name="thing", from_status="requested",
                      to="confirmed", data={"note": "ok"})  # fmt: skip
    row = AuditLog.objects.get()
    assert (row.actor, row.action, row.target_type, row.target_id) == (
        adviser, "thing.confirmed", "accounts.organisation", str(organisation.pk),
    )  # fmt: skip
    assert row.data == {"from": "requested", "note": "ok"}
