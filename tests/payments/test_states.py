"""What Stripe's state means for our rows (payments/states.py, pure)."""

from decimal import Decimal

import pytest

from payments.enums import PaymentStatus as S
from payments.states import next_status, observed_status, refundable, share_state

D = Decimal


@pytest.mark.parametrize(
    ("intent", "failed", "refunded", "expected"),
    [
        ("requires_payment_method", False, "0", S.PENDING),
        ("requires_payment_method", True, "0", S.FAILED),
        ("requires_confirmation", True, "0", S.PENDING),
        ("requires_action", False, "0", S.PENDING),
        ("requires_capture", False, "0", S.PENDING),
        ("processing", False, "0", S.PENDING),
        ("succeeded", False, "0", S.SUCCEEDED),
        ("succeeded", False, "6.99", S.SUCCEEDED),
        ("succeeded", False, "7.00", S.REFUNDED),
        ("succeeded", False, "7.01", S.REFUNDED),
        ("canceled", False, "0", S.CANCELLED),
        ("canceled", True, "7.00", S.CANCELLED),
        ("something_new", False, "0", S.PENDING),
    ],
)
def test_observed_status(intent, failed, refunded, expected):
    assert (
        observed_status(intent, failed=failed, amount=D("7.00"), refunded=D(refunded)) == expected
    )


def test_a_zero_amount_is_never_read_as_refunded():
    assert observed_status("succeeded", failed=False, amount=D("0"), refunded=D("0")) == S.SUCCEEDED


@pytest.mark.parametrize(
    ("current", "observed", "expected"),
    [
        (S.CREATED, S.PENDING, S.PENDING),
        (S.CREATED, S.SUCCEEDED, S.SUCCEEDED),
        (S.PENDING, S.SUCCEEDED, S.SUCCEEDED),
        (S.PENDING, S.PENDING, None),
        (S.SUCCEEDED, S.PENDING, None),  # a late « processing » never undoes a success
        (S.SUCCEEDED, S.FAILED, None),
        (S.SUCCEEDED, S.REFUNDED, S.REFUNDED),
        (S.PENDING, S.REFUNDED, S.REFUNDED),  # refunded before we saw it succeed
        (S.CREATED, S.REFUNDED, S.REFUNDED),
        (S.FAILED, S.SUCCEEDED, S.SUCCEEDED),  # another card on the same intent
        (S.FAILED, S.PENDING, S.PENDING),
        (S.CANCELLED, S.SUCCEEDED, S.SUCCEEDED),  # paid as we gave up on it: it counts
        (S.CANCELLED, S.PENDING, None),
        (S.CANCELLED, S.REFUNDED, S.REFUNDED),  # paid then refunded while given up
        (S.REFUNDED, S.SUCCEEDED, None),
        (S.REFUNDED, S.PENDING, None),
    ],
)
def test_next_status_only_moves_forward(current, observed, expected):
    assert next_status(current, observed) == expected


@pytest.mark.parametrize(
    "order",
    [
        [S.PENDING, S.SUCCEEDED, S.PENDING, S.SUCCEEDED],
        [S.SUCCEEDED, S.PENDING, S.PENDING],
        [S.PENDING, S.PENDING, S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED],
    ],
)
def test_any_order_of_readings_ends_succeeded(order):
    status = S.CREATED
    for observed in order:
        status = next_status(status, observed) or status
    assert status == S.SUCCEEDED


@pytest.mark.parametrize(
    ("amount", "refunded", "pending", "left"),
    [("7.00", "0", "0", "7.00"), ("7.00", "2.00", "1.50", "3.50"), ("7.00", "7.00", "0", "0.00"),
     ("7.00", "5.00", "3.00", "0.00")],
)  # fmt: skip
def test_refundable(amount, refunded, pending, left):
    assert refundable(D(amount), D(refunded), D(pending)) == D(left)


@pytest.mark.parametrize(
    ("share", "paid", "state"),
    [("0", "0", "none"), ("-1", "0", "none"), ("7.00", "0", "to_pay"),
     ("7.00", "0.01", "partly_paid"), ("7.00", "6.99", "partly_paid"), ("7.00", "7.00", "paid"),
     ("7.00", "8.00", "paid")],
)  # fmt: skip
def test_share_state(share, paid, state):
    assert share_state(share=D(share), paid=D(paid)) == state
