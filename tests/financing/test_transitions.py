"""Awards and loans move through their tables (core.transitions), each move audited; the
envelope's counters never trip their check constraints (409 instead of a 500)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.enums import ErrorCode
from core.errors import ConflictError, InvalidTransition
from core.models import AuditLog
from financing import loans, services
from financing.enums import AwardStatus, LoanKind, LoanMethod, LoanStatus, TransactionKind
from financing.models import FundingProgramme, GrantAward
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory
from tests.financing.test_views import signed_in, text

D = Decimal
NOW = datetime(2025, 6, 15, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def programme(finance_officer, platform):
    funder = OrganisationFactory(funder=True, platform=platform)
    return services.programme_create(
        actor=finance_officer, platform_id=platform.pk, funder_id=funder.pk, name="Aide",
        budget=D("1000.00"), starts_on=date(2025, 1, 1),
    )  # fmt: skip


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(platform=platform, adviser=adviser)


def audit_of(row) -> list[tuple[str, str | None]]:
    label = row._meta.label_lower
    return [
        (entry.action, entry.data.get("from"))
        for entry in AuditLog.objects.filter(target_type=label, target_id=str(row.pk))
        .order_by("pk")
    ]  # fmt: skip


def counters(programme) -> tuple[Decimal, Decimal]:
    programme.refresh_from_db()
    return programme.committed, programme.paid


# --- awards ---------------------------------------------------------------------------------


def test_each_award_move_is_audited_with_the_status_it_left(finance_officer, programme, person):
    award = services.award_create(
        actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D("300")
    )
    services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.APPROVED)
    services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.PAID)

    assert audit_of(award) == [
        ("award.requested", None),
        ("award.approved", "requested"),
        ("award.paid", "approved"),
    ]


def test_a_refused_award_move_names_the_current_status(finance_officer, programme, person):
    award = services.award_create(
        actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D("300")
    )
    services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.REJECTED)

    with pytest.raises(InvalidTransition) as error:
        services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.PAID)

    assert error.value.message == "Impossible : l'aide est « Refusée »."
    assert counters(programme) == (0, 0)


def test_a_finance_officer_does_not_cancel_an_award_behind_its_plan(
    finance_officer, programme, person
):
    award = services.award_create(
        actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D("300")
    )
    with pytest.raises(InvalidTransition):
        services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.CANCELLED)
    assert GrantAward.objects.get(pk=award.pk).status == AwardStatus.REQUESTED
    assert counters(programme) == (D("300.00"), 0)


def test_paying_more_than_committed_is_409_not_a_constraint_error(
    finance_officer, programme, person
):
    """`paid <= committed` is a check constraint: an envelope whose counters drifted (an
    import, a hand edit) made paying an IntegrityError, a 500. It is a conditional update."""
    award = services.award_create(
        actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D("300")
    )
    services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.APPROVED)
    FundingProgramme.objects.filter(pk=programme.pk).update(committed=D("200"))

    with pytest.raises(ConflictError) as error:
        services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.PAID)

    assert (error.value.status, error.value.code) == (409, ErrorCode.PAID_EXCEEDS_COMMITTED)
    assert GrantAward.objects.get(pk=award.pk).status == AwardStatus.APPROVED
    assert counters(programme) == (D("200.00"), 0)


def test_releasing_below_what_was_paid_is_409_not_a_constraint_error(
    finance_officer, programme, person
):
    award = services.award_create(
        actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D("300")
    )
    FundingProgramme.objects.filter(pk=programme.pk).update(paid=D("100"))  # drifted

    with pytest.raises(ConflictError) as error:
        services.award_cancel(actor=finance_officer, award_id=award.pk)

    assert (error.value.status, error.value.code) == (409, ErrorCode.PAID_EXCEEDS_COMMITTED)
    assert GrantAward.objects.get(pk=award.pk).status == AwardStatus.REQUESTED
    assert counters(programme) == (D("300.00"), D("100.00"))


def test_the_page_shows_the_refusal_of_a_drifted_payment(
    client, finance_officer, programme, person
):
    award = services.award_create(
        actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D("300")
    )
    services.award_decide(actor=finance_officer, award_id=award.pk, to=AwardStatus.APPROVED)
    FundingProgramme.objects.filter(pk=programme.pk).update(committed=D("200"))
    signed_in(client, finance_officer)
    url = reverse("award_decide", kwargs={"programme_id": programme.pk, "award_id": award.pk})

    response = client.post(url, {"to": AwardStatus.PAID}, follow=True)

    assert response.status_code == 200
    assert "Ce versement dépasserait le montant engagé sur l'enveloppe" in text(response)
    assert GrantAward.objects.get(pk=award.pk).status == AwardStatus.APPROVED


# --- loans ----------------------------------------------------------------------------------


def disbursed_loan(actor, person, lender):
    loan = loans.loan_create(
        actor=actor, beneficiary_id=person.pk, kind=LoanKind.ASSOCIATION_LOAN,
        lender_id=lender.pk, principal=D("600.00"), annual_rate=D("0"), term_months=2,
        first_due_on=date(2025, 1, 5), method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.APPROVED)
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.DISBURSED,
                          on=date(2024, 12, 15))  # fmt: skip
    return loan


def record(actor, loan, amount, kind=TransactionKind.REPAYMENT):
    return loans.entry_record(
        actor=actor, loan_id=loan.pk, kind=kind, amount=D(amount), value_date=date(2025, 2, 1),
        method="transfer" if kind == TransactionKind.REPAYMENT else "",
    )[0]  # fmt: skip


@pytest.fixture
def lender(platform):
    return OrganisationFactory(funder=True, platform=platform)


def test_nobody_marks_a_loan_repaid_by_hand(finance_officer, person, lender):
    loan = disbursed_loan(finance_officer, person, lender)

    with pytest.raises(InvalidTransition) as error:
        loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=LoanStatus.REPAID)

    assert error.value.message == "Impossible : le prêt est « Décaissé »."
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DISBURSED


def test_the_ledgers_moves_are_audited_like_the_officers(finance_officer, person, lender):
    loan = disbursed_loan(finance_officer, person, lender)
    last = record(finance_officer, loan, "600.00")  # settles everything: repaid
    loans.entry_reverse(actor=finance_officer, transaction_id=last.pk)  # reopened
    loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=LoanStatus.DEFAULTED)
    write_off = record(finance_officer, loan, "600.00", kind=TransactionKind.WRITE_OFF)

    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF  # a loss, though it settles the balance
    moves = [entry for entry in audit_of(loan) if entry[1] is not None]
    assert moves == [
        ("loan.approved", "applied"),
        ("loan.disbursed", "approved"),
        ("loan.repaid", "disbursed"),
        ("loan.disbursed", "repaid"),
        ("loan.defaulted", "disbursed"),
        ("loan.written_off", "defaulted"),
    ]
    written_off = AuditLog.objects.get(action="loan.written_off")
    assert written_off.data == {"from": "defaulted", "entry": write_off.pk}
