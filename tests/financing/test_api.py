"""Financing API (DESIGN §6): plans, envelopes, loans, ledger and portfolio — payloads, exact
error codes, every role on every endpoint, and flat query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.enums import Situation
from bookings.services import booking_cancel, booking_create
from financing import loans
from financing.enums import LoanStatus, TransactionKind
from financing.models import (
    FinancingLine,
    FundingProgramme,
    GrantAward,
    Loan,
    LoanTransaction,
)
from financing.services import programme_create
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

D = Decimal
pytestmark = pytest.mark.django_db


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def fresh(user):
    """The same user without its cached memberships (as in a new request)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def funder(db):
    return OrganisationFactory(funder=True, name="Département de l'Allier")


@pytest.fixture
def lender(db):
    return OrganisationFactory(funder=True, name="Crédit solidaire")


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(platform=platform, adviser=adviser, situation=Situation.RSA)


@pytest.fixture
def garage_service(partner_org, platform):
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    return ServiceFactory(
        partner=partner,
        name="Embrayage",
        min_notice_hours=0,
        solidarity_price=D("400.00"),
        market_price=D("650.00"),
    )


@pytest.fixture
def booking(adviser, person, garage_service):
    """A requested garage booking of 400.00 €."""
    slot = make_slot(garage_service, 3)
    return booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=garage_service.pk, slot_ids=[slot.pk]
    )


def make_programme(actor, platform, funder, **overrides):
    fields = {
        "name": "Aide à la réparation",
        "budget": D("1000.00"),
        "starts_on": timezone.localdate() - timedelta(days=30),
        "per_beneficiary_cap": D("300.00"),
        "eligible_categories": ["garage"],
        "eligible_situations": ["rsa"],
        **overrides,
    }
    return programme_create(actor=actor, platform_id=platform.pk, funder_id=funder.pk, **fields)


@pytest.fixture
def programme(finance_officer, platform, funder):
    return make_programme(finance_officer, platform, funder)


def make_loan(actor, person, lender, *, to=None, on=None, **overrides):
    fields = {
        "kind": "micro_credit",
        "principal": D("3000.00"),
        "annual_rate": D("3"),
        "term_months": 36,
        "method": "declining_balance",
        "first_due_on": timezone.localdate() + timedelta(days=30),
        **overrides,
    }
    loan = loans.loan_create(actor=actor, beneficiary_id=person.pk, lender_id=lender.pk, **fields)
    path = {
        None: [],
        "approved": ["approved"],
        "disbursed": ["approved", "disbursed"],
        "rejected": ["rejected"],
    }[to]
    for status in path:
        loan = loans.loan_transition(actor=actor, loan_id=loan.pk, to=status, on=on)
    return loan


def two_month_loan(actor, person, lender):
    """600 € at 0 % over two months, disbursed, first instalment in ten days."""
    return make_loan(
        actor, person, lender, kind="association_loan", principal=D("600.00"),
        annual_rate=D("0"), term_months=2, to="disbursed",
        first_due_on=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip


def loan_body(person, lender_org, **overrides):
    return {
        "beneficiary": person.pk,
        "kind": "micro_credit",
        "lender": lender_org.pk,
        "principal": "3000.00",
        "annual_rate": "3",
        "term_months": 36,
        "method": "declining_balance",
        "grace_months": 0,
        "first_due_on": "2026-02-05",
        **overrides,
    }


# --- loans, schedule, ledger ------------------------------------------------------------------


def test_golden_schedule_through_the_api(api_client, finance_officer, person, lender):
    client = as_user(api_client, finance_officer)
    response = client.post("/api/v1/loans/", loan_body(person, lender), format="json")

    assert response.status_code == 201, response.data
    loan = response.json()
    assert {
        "beneficiary": person.pk,
        "kind": "micro_credit",
        "lender": lender.pk,
        "principal": "3000.00",
        "annual_rate": "3.000",
        "term_months": 36,
        "method": "declining_balance",
        "grace_months": 0,
        "first_due_on": "2026-02-05",
        "status": "applied",
        "guarantee_share": "50.00",
    }.items() <= loan.items()
    rows = client.get(f"/api/v1/loans/{loan['id']}/schedule/").json()
    assert isinstance(rows, list) and len(rows) == 36
    assert rows[0] == {
        "number": 1,
        "due_on": "2026-02-05",
        "principal_due": "79.74",
        "interest_due": "7.50",
        "amount_due": "87.24",
        "principal_paid": "0.00",
        "interest_paid": "0.00",
    }
    assert {row["amount_due"] for row in rows[:-1]} == {"87.24"}
    assert sum(D(row["principal_due"]) for row in rows) == D("3000.00")
    assert client.get(f"/api/v1/loans/{loan['id']}/").json()["principal"] == "3000.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"principal": "299.00"}, "principal"),
        ({"principal": "8001.00"}, "principal"),
        ({"term_months": 85}, "term_months"),
        ({"annual_rate": "-1"}, "annual_rate"),
        ({"grace_months": 36}, "grace_months"),
        ({"lender": 999999}, "lender"),
        ({"kind": "payday"}, "kind"),
    ],
)
def test_loan_limits_are_400_naming_the_field(
    api_client, finance_officer, person, lender, change, field
):
    response = as_user(api_client, finance_officer).post(
        "/api/v1/loans/", loan_body(person, lender, **change), format="json"
    )
    assert response.status_code == 400
    assert list(response.data) == [field]
    assert not Loan.objects.exists()


def test_limits_are_those_of_micro_credit_only(api_client, finance_officer, person, lender):
    """Control for the test above: the same amounts pass for an association loan."""
    response = as_user(api_client, finance_officer).post(
        "/api/v1/loans/",
        loan_body(person, lender, kind="association_loan", principal="8001.00", term_months=85),
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["guarantee_share"] == "0.00"


def test_lifecycle_through_the_api(api_client, finance_officer, person, lender):
    loan = make_loan(finance_officer, person, lender)
    client = as_user(api_client, finance_officer)

    assert client.post(f"/api/v1/loans/{loan.pk}/approve/").data["status"] == "approved"
    again = client.post(f"/api/v1/loans/{loan.pk}/approve/")
    assert (again.status_code, again.data["code"]) == (409, "invalid_transition")
    disbursed = client.post(
        f"/api/v1/loans/{loan.pk}/disburse/", {"on": "2026-01-10"}, format="json"
    )
    assert disbursed.status_code == 200
    assert (disbursed.data["status"], disbursed.data["disbursed_on"]) == ("disbursed", "2026-01-10")
    ledger = client.get(f"/api/v1/loans/{loan.pk}/ledger/").json()
    assert [(e["kind"], e["amount"], e["value_date"]) for e in ledger] == [
        ("disbursement", "3000.00", "2026-01-10")
    ]
    assert client.post(f"/api/v1/loans/{loan.pk}/default/").data["status"] == "defaulted"


def test_repayment_pays_interest_first_oldest_first(api_client, finance_officer, person, lender):
    today = timezone.localdate()
    loan = make_loan(
        finance_officer,
        person,
        lender,
        to="disbursed",
        on=today - timedelta(days=70),
        first_due_on=today - timedelta(days=40),
    )
    client = as_user(api_client, finance_officer)

    response = client.post(
        f"/api/v1/loans/{loan.pk}/repayments/",
        {"amount": "100.00", "value_date": str(today), "method": "transfer"},
        format="json",
    )

    assert response.status_code == 201, response.data
    data = response.json()
    assert data["transaction"]["amount"] == "100.00"
    assert (data["transaction"]["value_date"], data["transaction"]["method"]) == (
        str(today),
        "transfer",
    )
    # 87.24 clears instalment 1 (7.50 + 79.74); the 12.76 left pays instalment 2's interest
    # (7.30) before its principal (5.46).
    assert data["allocation"] == [
        {"number": 1, "interest": "7.50", "principal": "79.74"},
        {"number": 2, "interest": "7.30", "principal": "5.46"},
    ]
    assert data["credit"] == "0.00"
    rows = client.get(f"/api/v1/loans/{loan.pk}/schedule/").json()
    assert [(r["interest_paid"], r["principal_paid"]) for r in rows[:3]] == [
        ("7.50", "79.74"),
        ("7.30", "5.46"),
        ("0.00", "0.00"),
    ]


def test_overpayment_is_held_as_credit_then_reversed(api_client, finance_officer, person, lender):
    today = timezone.localdate()
    loan = two_month_loan(finance_officer, person, lender)
    client = as_user(api_client, finance_officer)

    paid = client.post(
        f"/api/v1/loans/{loan.pk}/repayments/",
        {"amount": "700.00", "value_date": str(today), "method": "cheque"},
        format="json",
    ).json()

    assert paid["allocation"] == [
        {"number": 1, "interest": "0.00", "principal": "300.00"},
        {"number": 2, "interest": "0.00", "principal": "300.00"},
    ]
    assert paid["credit"] == "100.00"
    detail = client.get(f"/api/v1/loans/{loan.pk}/").json()
    assert (detail["status"], detail["credit_balance"]) == ("repaid", "100.00")

    reversal = client.post(
        f"/api/v1/loan-transactions/{paid['transaction']['id']}/reverse/",
        {"note": "Chèque sans provision"},
        format="json",
    )
    assert reversal.status_code == 201, reversal.data
    assert (reversal.data["kind"], reversal.data["reverses"]) == (
        "reversal",
        paid["transaction"]["id"],
    )
    detail = client.get(f"/api/v1/loans/{loan.pk}/").json()
    assert (detail["status"], detail["credit_balance"]) == ("disbursed", "0.00")
    ledger = client.get(f"/api/v1/loans/{loan.pk}/ledger/").json()
    assert [(e["kind"], e["reversed"]) for e in ledger] == [
        ("disbursement", False),
        ("repayment", True),
        ("reversal", False),
    ]
    twice = client.post(f"/api/v1/loan-transactions/{paid['transaction']['id']}/reverse/")
    assert (twice.status_code, twice.data["code"]) == (409, "invalid_transition")


def test_waiver_and_write_off_entries(api_client, finance_officer, person, lender):
    today = timezone.localdate()
    loan = two_month_loan(finance_officer, person, lender)
    client = as_user(api_client, finance_officer)
    url = f"/api/v1/loans/{loan.pk}/entries/"

    waiver = client.post(
        url,
        {"kind": "waiver", "amount": "50.00", "value_date": str(today), "note": "Remise"},
        format="json",
    )
    assert waiver.status_code == 201, waiver.data
    assert waiver.data["transaction"]["kind"] == "waiver"
    assert waiver.data["allocation"] == [{"number": 1, "interest": "0.00", "principal": "50.00"}]

    as_repayment = client.post(
        url, {"kind": "repayment", "amount": "5.00", "value_date": str(today)}, format="json"
    )
    assert as_repayment.status_code == 400 and "kind" in as_repayment.data

    loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=LoanStatus.DEFAULTED)
    write_off = client.post(
        url, {"kind": "write_off", "amount": "550.00", "value_date": str(today)}, format="json"
    )
    assert write_off.status_code == 201, write_off.data
    assert write_off.data["allocation"] == [
        {"number": 1, "interest": "0.00", "principal": "250.00"},
        {"number": 2, "interest": "0.00", "principal": "300.00"},
    ]
    assert LoanTransaction.objects.filter(kind=TransactionKind.WRITE_OFF).count() == 1


def test_full_write_off_of_a_defaulted_loan_is_written_off(
    api_client, finance_officer, person, lender
):
    today = timezone.localdate()
    loan = two_month_loan(finance_officer, person, lender)
    loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=LoanStatus.DEFAULTED)
    client = as_user(api_client, finance_officer)
    client.post(
        f"/api/v1/loans/{loan.pk}/entries/",
        {"kind": "write_off", "amount": "600.00", "value_date": str(today)},
        format="json",
    )
    assert client.get(f"/api/v1/loans/{loan.pk}/").data["status"] == "written_off"


def test_future_value_date_is_refused(api_client, finance_officer, person, lender):
    loan = make_loan(finance_officer, person, lender, to="disbursed")
    response = as_user(api_client, finance_officer).post(
        f"/api/v1/loans/{loan.pk}/repayments/",
        {
            "amount": "10.00",
            "value_date": str(timezone.localdate() + timedelta(days=1)),
            "method": "cash",
        },
        format="json",
    )
    assert (response.status_code, response.data["code"]) == (400, "invalid")
    assert not LoanTransaction.objects.filter(kind=TransactionKind.REPAYMENT).exists()


# --- programmes --------------------------------------------------------------------------------


def test_programme_create_and_list(api_client, finance_officer, funder):
    client = as_user(api_client, finance_officer)
    response = client.post(
        "/api/v1/programmes/",
        {
            "name": "Fonds mobilité",
            "funder": funder.pk,
            "budget": "5000",
            "per_beneficiary_cap": "400",
            "eligible_categories": ["garage", "rental"],
            "eligible_situations": ["rsa", "jobseeker"],
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert {
        "name": "Fonds mobilité",
        "funder": funder.pk,
        "budget": "5000.00",
        "committed": "0.00",
        "paid": "0.00",
        "available": "5000.00",
        "per_beneficiary_cap": "400.00",
        "eligible_categories": ["garage", "rental"],
        "eligible_situations": ["rsa", "jobseeker"],
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "active": True,
    }.items() <= response.json().items()
    listed = client.get("/api/v1/programmes/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == response.data["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget": "0"}, "budget"),
        ({"ends_on": "2025-12-31"}, "ends_on"),
        ({"eligible_categories": ["spaceship"]}, "eligible_categories"),
        ({"funder": 999999}, "funder"),
    ],
)
def test_programme_validation(api_client, finance_officer, funder, change, field):
    body = {"name": "F", "funder": funder.pk, "budget": "100", "starts_on": "2026-01-01"}
    response = as_user(api_client, finance_officer).post(
        "/api/v1/programmes/", {**body, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.data


# --- financing plans ---------------------------------------------------------------------------


def plan_url(booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/financing/"


def put_plan(client, booking, lines: list[dict]):
    return client.put(plan_url(booking), {"lines": lines}, format="json")


def committed(programme) -> Decimal:
    programme.refresh_from_db()
    return programme.committed


def test_empty_plan(api_client, adviser, booking):
    response = as_user(api_client, adviser).get(plan_url(booking))
    assert response.status_code == 200
    assert response.json() == {"lines": [], "total": "400.00", "beneficiary_share": None}


def test_lines_not_summing_are_400_with_the_difference(api_client, adviser, booking, programme):
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [
            {"kind": "grant", "programme": programme.pk, "amount": "100.00"},
            {"kind": "beneficiary", "amount": "200.00"},
        ],
    )
    assert response.status_code == 400
    assert list(response.data) == ["lines"]
    assert "100.00" in str(response.data["lines"][0])  # 400.00 − 300.00
    assert committed(programme) == D("0.00")


def test_grant_over_the_budget_is_409(
    api_client, adviser, booking, finance_officer, platform, funder
):
    small = make_programme(
        finance_officer, platform, funder, budget=D("100.00"), per_beneficiary_cap=None
    )
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [
            {"kind": "grant", "programme": small.pk, "amount": "150.00"},
            {"kind": "beneficiary", "amount": "250.00"},
        ],
    )
    assert (response.status_code, response.data["code"]) == (409, "budget_exceeded")
    assert committed(small) == D("0.00")


def test_grant_over_the_per_person_cap_is_400(api_client, adviser, booking, programme):
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [
            {"kind": "grant", "programme": programme.pk, "amount": "350.00"},
            {"kind": "beneficiary", "amount": "50.00"},
        ],
    )
    assert (response.status_code, response.data["code"]) == (400, "cap_exceeded")
    assert committed(programme) == D("0.00")


@pytest.mark.parametrize(
    "overrides",
    [{"eligible_situations": ["jobseeker"]}, {"eligible_categories": ["rental"]}],
    ids=["situation", "category"],
)
def test_ineligible_grant_is_400_not_eligible(
    api_client, adviser, booking, finance_officer, platform, funder, overrides
):
    other = make_programme(finance_officer, platform, funder, **overrides)
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [
            {"kind": "grant", "programme": other.pk, "amount": "100.00"},
            {"kind": "beneficiary", "amount": "300.00"},
        ],
    )
    assert (response.status_code, response.data["code"]) == (400, "not_eligible")


def test_a_failing_line_rolls_back_the_grants_before_it(
    api_client, adviser, booking, programme, finance_officer, platform, funder
):
    small = make_programme(
        finance_officer,
        platform,
        funder,
        name="Petite",
        budget=D("10.00"),
        per_beneficiary_cap=None,
    )
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [
            {"kind": "grant", "programme": programme.pk, "amount": "200.00"},
            {"kind": "grant", "programme": small.pk, "amount": "50.00"},
            {"kind": "beneficiary", "amount": "150.00"},
        ],
    )
    assert response.status_code == 409
    assert (committed(programme), committed(small)) == (D("0.00"), D("0.00"))
    assert not GrantAward.objects.exists()


def test_valid_plan_then_cancelling_the_booking_releases_the_grant(
    api_client, adviser, finance_officer, booking, programme, person, lender
):
    loan = make_loan(finance_officer, person, lender, principal=D("300.00"), term_months=6)
    client = as_user(api_client, adviser)
    lines = [
        {"kind": "grant", "programme": programme.pk, "amount": "250.00"},
        {"kind": "loan", "loan": loan.pk, "amount": "100.00"},
        {"kind": "beneficiary", "amount": "50.00"},
    ]

    response = client.put(plan_url(booking), {"lines": lines}, format="json")

    assert response.status_code == 200, response.data
    shown = client.get(plan_url(booking)).json()
    assert shown == {
        "lines": [
            {"kind": "grant", "amount": "250.00", "programme": programme.pk, "loan": None,
             "award_status": "requested"},
            {"kind": "loan", "amount": "100.00", "programme": None, "loan": loan.pk,
             "award_status": None},
            {"kind": "beneficiary", "amount": "50.00", "programme": None, "loan": None,
             "award_status": None},
        ],
        "total": "400.00",
        "beneficiary_share": "50.00",
    }  # fmt: skip
    finance = as_user(api_client, finance_officer)
    envelope = finance.get("/api/v1/programmes/").json()["results"][0]
    assert (envelope["committed"], envelope["available"]) == ("250.00", "750.00")

    # Replacing the plan releases the previous grant before committing the new one.
    lines[0]["amount"], lines[2]["amount"] = "200.00", "100.00"
    assert client.put(plan_url(booking), {"lines": lines}, format="json").status_code == 200
    assert committed(programme) == D("200.00")

    booking_cancel(actor=adviser, booking_id=booking.pk, reason="La voiture est vendue")

    assert committed(programme) == D("0.00")
    envelope = finance.get("/api/v1/programmes/").json()["results"][0]
    assert envelope["available"] == "1000.00"
    statuses = [line["award_status"] for line in client.get(plan_url(booking)).json()["lines"]]
    assert statuses == ["cancelled", None, None]


def test_loan_line_must_be_the_persons_loan(
    api_client, adviser, finance_officer, booking, platform, lender
):
    someone_else = BeneficiaryFactory(platform=platform)
    loan = make_loan(finance_officer, someone_else, lender, principal=D("400.00"))
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [{"kind": "loan", "loan": loan.pk, "amount": "400.00"}],
    )
    assert response.status_code == 400 and list(response.data) == ["lines"]


def test_zero_grant_is_400_not_500(api_client, adviser, booking, programme):
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [
            {"kind": "grant", "programme": programme.pk, "amount": "0.00"},
            {"kind": "beneficiary", "amount": "400.00"},
        ],
    )
    assert response.status_code == 400 and "lines" in response.data
    assert not GrantAward.objects.exists()


def test_negative_amount_is_400(api_client, adviser, booking):
    response = put_plan(
        as_user(api_client, adviser),
        booking,
        [{"kind": "beneficiary", "amount": "-1.00"}, {"kind": "platform", "amount": "401.00"}],
    )
    assert response.status_code == 400 and "lines" in response.data


# --- portfolio ---------------------------------------------------------------------------------


def test_portfolio_par30_by_balance_differs_from_the_overdue_ratio(
    api_client, finance_officer, person, lender
):
    with time_machine.travel("2026-06-15 10:00 +02:00", tick=False):
        late = make_loan(
            finance_officer,
            person,
            lender,
            principal=D("1200.00"),
            annual_rate=D("0"),
            term_months=12,
            first_due_on=date(2026, 3, 1),
            to="disbursed",
            on=date(2026, 2, 1),
        )
        loans.entry_record(
            actor=finance_officer,
            loan_id=late.pk,
            kind="repayment",
            amount=D("100.00"),
            value_date=date(2026, 3, 1),
            method="transfer",
        )  # instalment 1 paid; April, May, June (300.00) unpaid: 75 days late
        make_loan(
            finance_officer,
            person,
            lender,
            kind="association_loan",
            principal=D("600.00"),
            annual_rate=D("0"),
            term_months=6,
            first_due_on=date(2026, 7, 1),
            to="disbursed",
            on=date(2026, 6, 1),
        )
        make_loan(finance_officer, person, lender, principal=D("5000.00"))  # applied: not out
        loans.arrears_update_all()

        response = as_user(api_client, finance_officer).get("/api/v1/finance/portfolio/")

    assert response.status_code == 200
    data = response.json()
    assert data["loans"] == 2
    assert data["outstanding_principal"] == "1700.00"  # 1,100 + 600
    assert data["overdue_amount"] == "300.00"
    zero = {"loans": 0, "outstanding": "0.00"}
    assert data["buckets"] == {
        "current": {"loans": 1, "outstanding": "600.00"},
        "1-30": zero,
        "31-60": zero,
        "61-90": {"loans": 1, "outstanding": "1100.00"},
        "90+": zero,
    }
    assert data["par30"] == {
        "by_balance_percent": "64.7",  # 1,100 / 1,700
        "by_overdue_amount_percent": "11.8",  # April + May (200) unpaid > 30 days / 1,700
        "at_risk_principal": "1100.00",
        "overdue_amount": "200.00",
    }
    assert sorted(data["by_lender_and_kind"], key=lambda g: g["kind"]) == [
        {"lender": "Crédit solidaire", "kind": "association_loan", "outstanding": "600.00"},
        {"lender": "Crédit solidaire", "kind": "micro_credit", "outstanding": "1100.00"},
    ]


def test_portfolio_covers_only_the_platforms_one_manages(
    api_client, finance_officer, other_platform, lender
):
    MembershipFactory(user=finance_officer, organisation=other_platform, role=Role.ADVISER)
    elsewhere = member(Role.FINANCE_OFFICER, other_platform)
    make_loan(elsewhere, BeneficiaryFactory(platform=other_platform), lender, to="disbursed")

    response = as_user(api_client, fresh(finance_officer)).get("/api/v1/finance/portfolio/")

    assert response.data["loans"] == 0


# --- permissions: every role on every endpoint -------------------------------------------------

ROLES = (
    "finance_officer",
    "admin",
    "adviser",
    "partner_manager",
    "partner_staff",
    "prescriber",
    "beneficiary",
    "other_platform_finance",
)

# endpoint: (method, path, body, expected status per role in the order of ROLES)
ENDPOINTS = {
    "plan-get": ("get", "/bookings/{booking}/financing/", None,
                 (200, 200, 200, 403, 403, 403, 403, 404)),
    "plan-put": ("put", "/bookings/{booking}/financing/", "plan",
                 (200, 200, 200, 403, 403, 403, 403, 404)),
    "programmes-get": ("get", "/programmes/", None, (200, 200, 403, 403, 403, 403, 403, 200)),
    "programmes-post": ("post", "/programmes/", "programme",
                        (201, 201, 403, 403, 403, 403, 403, 201)),
    "loans-get": ("get", "/loans/", None, (200, 200, 200, 403, 403, 403, 403, 200)),
    "loans-post": ("post", "/loans/", "loan", (201, 201, 403, 403, 403, 403, 403, 404)),
    "loan-get": ("get", "/loans/{disbursed}/", None, (200, 200, 200, 403, 403, 403, 403, 404)),
    "schedule": ("get", "/loans/{disbursed}/schedule/", None,
                 (200, 200, 200, 403, 403, 403, 403, 404)),
    "ledger": ("get", "/loans/{disbursed}/ledger/", None,
               (200, 200, 200, 403, 403, 403, 403, 404)),
    "approve": ("post", "/loans/{applied}/approve/", None,
                (200, 200, 403, 403, 403, 403, 403, 404)),
    "reject": ("post", "/loans/{applied}/reject/", None,
               (200, 200, 403, 403, 403, 403, 403, 404)),
    "disburse": ("post", "/loans/{approved}/disburse/", None,
                 (200, 200, 403, 403, 403, 403, 403, 404)),
    "cancel": ("post", "/loans/{approved}/cancel/", None,
               (200, 200, 403, 403, 403, 403, 403, 404)),
    "default": ("post", "/loans/{disbursed}/default/", None,
                (200, 200, 403, 403, 403, 403, 403, 404)),
    "repayments": ("post", "/loans/{disbursed}/repayments/", "repayment",
                   (201, 201, 403, 403, 403, 403, 403, 404)),
    "entries": ("post", "/loans/{disbursed}/entries/", "waiver",
                (201, 201, 403, 403, 403, 403, 403, 404)),
    "reverse": ("post", "/loan-transactions/{repayment}/reverse/", None,
                (201, 201, 403, 403, 403, 403, 403, 404)),
    "portfolio": ("get", "/finance/portfolio/", None, (200, 200, 403, 403, 403, 403, 403, 200)),
}  # fmt: skip


@pytest.fixture
def world(
    platform, other_platform, finance_officer, admin_user, adviser, partner_manager,
    partner_staff, prescriber, person, booking, funder, lender,
):  # fmt: skip
    today = timezone.localdate()
    disbursed = make_loan(finance_officer, person, lender, to="disbursed")
    repayment, _allocation = loans.entry_record(
        actor=finance_officer, loan_id=disbursed.pk, kind="repayment", amount=D("20.00"),
        value_date=today, method="cash",
    )  # fmt: skip
    person.user = UserFactory()
    person.save()
    users = {
        "finance_officer": finance_officer,
        "admin": admin_user,
        "adviser": adviser,
        "partner_manager": partner_manager,
        "partner_staff": partner_staff,
        "prescriber": prescriber,
        "beneficiary": person.user,
        "other_platform_finance": member(Role.FINANCE_OFFICER, other_platform),
    }
    ids = {
        "booking": booking.pk,
        "applied": make_loan(finance_officer, person, lender).pk,
        "approved": make_loan(finance_officer, person, lender, to="approved").pk,
        "disbursed": disbursed.pk,
        "repayment": repayment.pk,
    }
    bodies = {
        "plan": {"lines": [{"kind": "beneficiary", "amount": "400.00"}]},
        "programme": {"name": "Fonds", "funder": funder.pk, "budget": "100",
                      "starts_on": str(today)},
        "loan": loan_body(person, lender),
        "repayment": {"amount": "10.00", "value_date": str(today), "method": "cash"},
        "waiver": {"kind": "waiver", "amount": "5.00", "value_date": str(today)},
    }  # fmt: skip
    return users, ids, bodies


def snapshot() -> tuple:
    """What a refused request must leave unchanged."""
    return (
        list(Loan.objects.order_by("pk").values_list("pk", "status")),
        LoanTransaction.objects.count(),
        FundingProgramme.objects.count(),
        list(FinancingLine.objects.order_by("pk").values_list("pk", "kind", "amount")),
    )


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [
        pytest.param(name, role, spec[3][index], id=f"{name}-{role}")
        for name, spec in ENDPOINTS.items()
        for index, role in enumerate(ROLES)
    ],
)
def test_every_role_on_every_endpoint(api_client, world, endpoint, role, expected):
    users, ids, bodies = world
    method, path, body, _expected = ENDPOINTS[endpoint]
    client = as_user(api_client, fresh(users[role]))
    before = snapshot()

    response = getattr(client, method)(
        "/api/v1" + path.format(**ids), bodies.get(body) if body else None, format="json"
    )

    assert response.status_code == expected, response.data
    if expected >= 400:
        code = {403: "permission_denied", 404: "not_found"}[expected]
        assert response.data["code"] == code
        assert snapshot() == before


def test_anonymous_is_refused_everywhere(api_client, world):
    _users, ids, _bodies = world
    for method, path, _body, _expected in ENDPOINTS.values():
        response = getattr(api_client, method)("/api/v1" + path.format(**ids), format="json")
        assert response.status_code in (401, 403), path


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 15])
def test_loan_list_query_count_is_flat(
    api_client, finance_officer, adviser, platform, lender, count, django_assert_num_queries
):
    for n in range(count):
        Loan.objects.create(
            platform=platform,
            beneficiary=BeneficiaryFactory(platform=platform, adviser=adviser),
            kind="association_loan",
            lender=lender if n % 2 else OrganisationFactory(funder=True),
            principal=D("500.00"),
            annual_rate=D("1"),
            term_months=10,
            first_due_on=date(2026, 1, 1),
        )
    for user in (finance_officer, adviser):
        client = as_user(api_client, fresh(user))
        with django_assert_num_queries(3):  # memberships, count, page (people and lenders joined)
            response = client.get("/api/v1/loans/", {"page_size": 50})
        assert response.data["count"] == count


@pytest.mark.parametrize("count", [2, 15])
def test_programme_list_query_count_is_flat(
    api_client, finance_officer, platform, count, django_assert_num_queries
):
    for n in range(count):
        make_programme(
            finance_officer, platform, OrganisationFactory(funder=True), name=f"Enveloppe {n}"
        )
    client = as_user(api_client, fresh(finance_officer))
    with django_assert_num_queries(3):  # memberships, count, page (funders joined)
        response = client.get("/api/v1/programmes/", {"page_size": 50})
    assert response.data["count"] == count


def test_lists_are_paginated(api_client, finance_officer, person, lender):
    for _ in range(3):
        make_loan(finance_officer, person, lender, principal=D("500.00"), term_months=5)
    page = as_user(api_client, finance_officer).get("/api/v1/loans/", {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert (page["count"], len(page["results"])) == (3, 2) and page["next"]
