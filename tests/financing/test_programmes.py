"""Grant envelopes (DESIGN §3–5): budget guard, per-person cap, eligibility, award decisions;
the portfolio's PAR30; instalment and late-loan notifications."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.enums import Role
from core.enums import ErrorCode
from core.errors import ApplicationError, InvalidTransition, NotFoundError
from core.models import Notification
from financing import loans, notifications, plans, services, tasks
from financing.enums import AwardStatus, LoanKind, LoanMethod, LoanStatus, PaymentMethod
from financing.models import FundingProgramme, GrantAward
from financing.selectors import portfolio_for
from partners.enums import PartnerCategory
from tests.beneficiaries.factories import BeneficiaryFactory, give_sms_consent
from tests.bookings.conftest import make_slot
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 6, 15, 11, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def funder(platform):
    return OrganisationFactory(funder=True, name="Département test", platform=platform)


@pytest.fixture
def make_programme(finance_officer, platform, funder):
    def make(**kwargs):
        fields = {
            "name": "Aide à la réparation",
            "budget": D("1000.00"),
            "starts_on": date(2025, 1, 1),
            "ends_on": date(2025, 12, 31),
            **kwargs,
        }
        return services.programme_create(
            actor=finance_officer, platform_id=platform.pk, funder_id=funder.pk, **fields
        )

    return make


@pytest.fixture
def programme(make_programme):
    return make_programme()


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(platform=platform, adviser=adviser, situation="rsa")


def award(actor, programme, person, amount, **kwargs):
    return services.award_create(
        actor=actor, programme_id=programme.pk, beneficiary=person, amount=D(amount), **kwargs
    )


def committed(programme) -> tuple[Decimal, Decimal]:
    programme.refresh_from_db()
    return programme.committed, programme.paid


# --- programmes and the budget guard ---------------------------------------------------------


def test_programme_create_checks_its_fields_and_who_asks(make_programme, adviser, platform):
    with pytest.raises(ValidationError) as excinfo:
        make_programme(budget=D("0"), per_beneficiary_cap=D("-1"), ends_on=date(2024, 1, 1))
    assert set(excinfo.value.message_dict) == {"budget", "per_beneficiary_cap", "ends_on"}
    with pytest.raises(NotFoundError):
        services.programme_create(
            actor=adviser, platform_id=platform.pk, funder_id=platform.pk, name="x",
            budget=D("10"), starts_on=date(2025, 1, 1),
        )  # fmt: skip
    assert not FundingProgramme.objects.exists()


def test_an_award_commits_its_amount(finance_officer, programme, person):
    created = award(finance_officer, programme, person, "350.00")

    assert (created.status, created.amount, created.booking) == (
        AwardStatus.REQUESTED,
        D("350"),
        None,
    )
    assert committed(programme) == (D("350.00"), D("0.00"))
    assert programme.available == D("650.00")


def test_the_budget_is_never_exceeded(finance_officer, programme, person, platform, adviser):
    others = [BeneficiaryFactory(platform=platform, adviser=adviser) for _ in range(3)]
    award(finance_officer, programme, person, "600.00")

    with pytest.raises(services.BudgetExceeded) as excinfo:
        award(finance_officer, programme, others[0], "400.01")

    assert (excinfo.value.status, excinfo.value.code) == (409, ErrorCode.BUDGET_EXCEEDED)
    assert committed(programme)[0] == D("600.00")
    assert GrantAward.objects.count() == 1
    award(finance_officer, programme, others[1], "400.00")  # exactly the budget
    assert committed(programme)[0] == programme.budget
    with pytest.raises(services.BudgetExceeded):
        award(finance_officer, programme, others[2], "0.01")
    assert GrantAward.objects.count() == 2


def test_the_per_person_cap_counts_live_awards_only(
    finance_officer, make_programme, person, platform
):
    programme = make_programme(budget=D("50000"), per_beneficiary_cap=D("1200.00"))
    first = award(finance_officer, programme, person, "800.00")

    with pytest.raises(ApplicationError) as excinfo:
        award(finance_officer, programme, person, "400.01")
    assert excinfo.value.code == "cap_exceeded"
    assert "400.00" in excinfo.value.message
    second = award(finance_officer, programme, person, "400.00")
    with pytest.raises(ApplicationError, match="Plafond"):
        award(finance_officer, programme, person, "0.01")
    award(finance_officer, programme, BeneficiaryFactory(platform=platform), "1200.00")

    services.award_decide(actor=finance_officer, award_id=first.pk, to=AwardStatus.REJECTED)
    services.award_cancel(actor=finance_officer, award_id=second.pk)
    award(finance_officer, programme, person, "1200.00")  # rejected and cancelled free the cap
    assert committed(programme)[0] == D("2400.00")


def test_eligibility_by_situation(finance_officer, make_programme, platform, person):
    programme = make_programme(eligible_situations=["rsa", "youth_mission_locale"])
    jobseeker = BeneficiaryFactory(platform=platform, situation="jobseeker")

    with pytest.raises(ApplicationError) as excinfo:
        award(finance_officer, programme, jobseeker, "100.00")

    assert excinfo.value.code == "not_eligible"
    assert committed(programme)[0] == 0
    award(finance_officer, programme, person, "100.00")
    young = BeneficiaryFactory(platform=platform, situation="youth_mission_locale")
    award(finance_officer, programme, young, "100.00")


@pytest.fixture
def bookings_of(platform, adviser, person):
    """A booking of the person at a garage and one at a driving school."""

    def service(category):
        partner = PartnerFactory(
            organisation=OrganisationFactory(partner=True, platform=platform), category=category
        )
        AgreementFactory(partner=partner, platform=platform)
        return ServiceFactory(partner=partner, min_notice_hours=0)

    from bookings.services import booking_create

    made = {}
    for category in (PartnerCategory.GARAGE, PartnerCategory.DRIVING_SCHOOL):
        offer = service(category)
        made[category] = booking_create(
            actor=adviser, beneficiary_id=person.pk, service_id=offer.pk,
            slot_ids=[make_slot(offer, 3).pk],
        )  # fmt: skip
    return made


def test_eligibility_by_service_category(finance_officer, make_programme, person, bookings_of):
    programme = make_programme(eligible_categories=[PartnerCategory.DRIVING_SCHOOL])

    with pytest.raises(ApplicationError) as excinfo:
        award(finance_officer, programme, person, "30.00", booking=bookings_of["garage"])

    assert excinfo.value.code == "not_eligible"
    school = award(finance_officer, programme, person, "30.00",
                   booking=bookings_of["driving_school"])  # fmt: skip
    assert school.booking == bookings_of["driving_school"]
    assert committed(programme)[0] == D("30.00")


@pytest.mark.parametrize(
    "change",
    [
        {"starts_on": date(2025, 7, 1)},
        {"starts_on": date(2024, 1, 1), "ends_on": date(2025, 6, 14)},
    ],
)
def test_a_programme_outside_its_period_awards_nothing(
    finance_officer, make_programme, person, change
):
    programme = make_programme(**change)

    with pytest.raises(ApplicationError, match="pas ouverte"):
        award(finance_officer, programme, person, "10.00")


def test_an_inactive_programme_or_another_platforms_awards_nothing(
    finance_officer, programme, person, other_platform
):
    FundingProgramme.objects.filter(pk=programme.pk).update(active=False)
    with pytest.raises(ApplicationError, match="pas ouverte"):
        award(finance_officer, programme, person, "10.00")

    stranger = BeneficiaryFactory(platform=other_platform)
    FundingProgramme.objects.filter(pk=programme.pk).update(active=True)
    with pytest.raises(NotFoundError):
        award(finance_officer, programme, stranger, "10.00")
    assert committed(programme)[0] == 0


# --- decisions ------------------------------------------------------------------------------


def test_approve_then_pay_counts_what_was_paid(finance_officer, programme, person):
    granted = award(finance_officer, programme, person, "300.00")

    approved = services.award_decide(
        actor=finance_officer, award_id=granted.pk, to=AwardStatus.APPROVED
    )
    assert (approved.status, approved.decided_by, approved.decided_at) == (
        AwardStatus.APPROVED, finance_officer, NOW,
    )  # fmt: skip
    assert committed(programme) == (D("300.00"), D("0.00"))

    services.award_decide(actor=finance_officer, award_id=granted.pk, to=AwardStatus.PAID)
    assert committed(programme) == (D("300.00"), D("300.00"))
    for to in (AwardStatus.PAID, AwardStatus.APPROVED, AwardStatus.REJECTED):
        with pytest.raises(InvalidTransition):
            services.award_decide(actor=finance_officer, award_id=granted.pk, to=to)
    with pytest.raises(InvalidTransition):
        services.award_cancel(actor=finance_officer, award_id=granted.pk)
    assert committed(programme) == (D("300.00"), D("300.00"))


def test_rejection_releases_the_amount(finance_officer, programme, person):
    granted = award(finance_officer, programme, person, "300.00")

    services.award_decide(actor=finance_officer, award_id=granted.pk, to=AwardStatus.REJECTED)

    granted.refresh_from_db()
    assert granted.status == AwardStatus.REJECTED
    assert committed(programme) == (0, 0)
    with pytest.raises(InvalidTransition):
        services.award_decide(actor=finance_officer, award_id=granted.pk, to=AwardStatus.APPROVED)
    with pytest.raises(InvalidTransition):
        services.award_cancel(actor=finance_officer, award_id=granted.pk)
    assert committed(programme) == (0, 0)


def test_an_award_cannot_be_paid_before_it_is_approved(finance_officer, programme, person):
    granted = award(finance_officer, programme, person, "300.00")

    with pytest.raises(InvalidTransition):
        services.award_decide(actor=finance_officer, award_id=granted.pk, to=AwardStatus.PAID)
    assert committed(programme) == (D("300.00"), 0)


@pytest.mark.parametrize("approve_first", [False, True])
def test_cancelling_releases_the_amount_once(finance_officer, programme, person, approve_first):
    granted = award(finance_officer, programme, person, "300.00")
    award(finance_officer, programme, BeneficiaryFactory(platform=person.platform), "200.00")
    if approve_first:
        services.award_decide(actor=finance_officer, award_id=granted.pk, to=AwardStatus.APPROVED)

    cancelled = services.award_cancel(actor=finance_officer, award_id=granted.pk)

    assert cancelled.status == AwardStatus.CANCELLED
    assert committed(programme)[0] == D("200.00")
    with pytest.raises(InvalidTransition):
        services.award_cancel(actor=finance_officer, award_id=granted.pk)
    assert committed(programme)[0] == D("200.00")


def test_only_finance_decides(adviser, finance_officer, programme, person, other_platform):
    granted = award(finance_officer, programme, person, "300.00")

    for outsider in (adviser, member(Role.FINANCE_OFFICER, other_platform)):
        with pytest.raises(NotFoundError):
            services.award_decide(actor=outsider, award_id=granted.pk, to=AwardStatus.APPROVED)
    granted.refresh_from_db()
    assert granted.status == AwardStatus.REQUESTED


# --- financing plans -------------------------------------------------------------------------


def test_replacing_a_plan_releases_its_previous_grants(
    finance_officer, make_programme, person, bookings_of
):
    programme = make_programme(eligible_categories=[PartnerCategory.GARAGE])
    booking = bookings_of["garage"]
    assert booking.total_price == D("35.00")

    plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
        {"kind": "grant", "amount": "30.00", "programme": programme.pk},
        {"kind": "beneficiary", "amount": "5.00"},
    ])  # fmt: skip
    assert committed(programme)[0] == D("30.00")
    booking.refresh_from_db()
    assert plans.beneficiary_share(booking) == D("5.00")

    plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
        {"kind": "grant", "amount": "28.00", "programme": programme.pk},
        {"kind": "beneficiary", "amount": "7.00"},
    ])  # fmt: skip
    assert committed(programme)[0] == D("28.00")
    assert list(GrantAward.objects.order_by("pk").values_list("status", flat=True)) == [
        AwardStatus.CANCELLED,
        AwardStatus.REQUESTED,
    ]
    with pytest.raises(ValidationError):
        plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
            {"kind": "grant", "amount": "30.00", "programme": programme.pk},
        ])  # fmt: skip
    assert committed(programme)[0] == D("28.00")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"kind": "platform", "amount": "-5.00"}, "Un montant ne peut pas être négatif."),
        ({"kind": "grant", "amount": "5.00"}, "Une aide vient d'une enveloppe : choisissez-la."),
        (
            {"kind": "loan", "amount": "5.00", "loan": 999999},
            "Choisissez un prêt de cette personne.",
        ),
        ({"kind": "gift", "amount": "5.00"}, "Type de ligne inconnu."),
    ],
)
def test_a_plan_line_is_refused_with_its_reason(finance_officer, bookings_of, line, message):
    booking = bookings_of["garage"]
    rest = str(booking.total_price - D(line["amount"]))
    with pytest.raises(ValidationError) as refused:
        plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
            line, {"kind": "beneficiary", "amount": rest},
        ])  # fmt: skip
    assert refused.value.message_dict == {"lines": [message]}
    assert plans.beneficiary_share(booking) is None  # nothing was kept


def small_loan(actor, borrower, lender):
    """A 300 € interest-free association loan over 3 months, as applied for."""
    return loans.loan_create(
        actor=actor, beneficiary_id=borrower.pk, kind=LoanKind.ASSOCIATION_LOAN,
        lender_id=lender.pk, principal=D("300.00"), annual_rate=D("0"), term_months=3,
        method=LoanMethod.DECLINING_BALANCE, grace_months=0, first_due_on=date(2025, 7, 5),
    )  # fmt: skip


def test_each_line_records_what_pays_and_an_empty_share_is_zero(
    finance_officer, make_programme, person, bookings_of, lender
):
    programme = make_programme(eligible_categories=[PartnerCategory.GARAGE])
    booking = bookings_of["garage"]  # 35.00
    loan = small_loan(finance_officer, person, lender)

    plan = plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
        {"kind": "grant", "amount": "20.00", "programme": programme.pk},
        {"kind": "loan", "amount": "15.00", "loan": loan.pk},
        {"kind": "beneficiary", "amount": "0.00"},  # nothing left to pay is a line too
    ])  # fmt: skip

    grant, lent, share = plan.lines.order_by("pk")
    assert (grant.programme_id, grant.award.booking_id, grant.award.amount) == (
        programme.pk, booking.pk, D("20.00")
    )  # fmt: skip
    assert (lent.loan_id, lent.amount) == (loan.pk, D("15.00"))
    assert (share.kind, share.amount) == ("beneficiary", D("0.00"))
    assert str(plans.beneficiary_share(booking)) == "0.00"
    # The awards it replaces are cancelled by whoever replaced the plan.
    plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
        {"kind": "platform", "amount": "35.00"},
    ])  # fmt: skip
    cancelled = GrantAward.objects.get(pk=grant.award_id)
    assert cancelled.status == AwardStatus.CANCELLED
    assert cancelled.decided_by == finance_officer
    assert str(plans.beneficiary_share(booking)) == "0.00"


def test_a_loan_line_takes_the_chosen_live_loan_of_the_person_only(
    finance_officer, person, platform, adviser, bookings_of, lender
):
    def lend(borrower):
        return small_loan(finance_officer, borrower, lender)

    booking = bookings_of["garage"]  # 35.00
    first, chosen = lend(person), lend(person)
    someone_elses = lend(BeneficiaryFactory(platform=platform, adviser=adviser))
    rejected = loans.loan_transition(
        actor=finance_officer, loan_id=lend(person).pk, to=LoanStatus.REJECTED
    )

    def plan_with(loan):
        return plans.plan_set(actor=finance_officer, booking_id=booking.pk, lines=[
            {"kind": "loan", "amount": "35.00", "loan": loan.pk},
        ])  # fmt: skip

    assert plan_with(chosen).lines.get().loan_id == chosen.pk != first.pk
    for refused in (someone_elses, rejected):
        with pytest.raises(ValidationError) as error:
            plan_with(refused)
        assert error.value.message_dict == {"lines": ["Choisissez un prêt de cette personne."]}


# --- portfolio: PAR30 --------------------------------------------------------------------


@pytest.fixture
def lender(platform):
    return OrganisationFactory(funder=True, name="Association prêteuse", platform=platform)


def loan_paid_up_to(actor, person, lender, paid: str, *, kind=LoanKind.ASSOCIATION_LOAN):
    """1,200 € at 0 % over 12 months from 5 January 2025 (100 € a month), `paid` repaid."""
    loan = loans.loan_create(
        actor=actor, beneficiary_id=person.pk, kind=kind, lender_id=lender.pk,
        principal=D("1200.00"), annual_rate=D("0"), term_months=12,
        first_due_on=date(2025, 1, 5), method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.APPROVED)
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.DISBURSED,
                          on=date(2024, 12, 20))  # fmt: skip
    if D(paid):
        loans.entry_record(
            actor=actor, loan_id=loan.pk, kind="repayment", amount=D(paid),
            value_date=date(2025, 6, 1), method=PaymentMethod.DIRECT_DEBIT,
        )  # fmt: skip
    loan.refresh_from_db()
    return loan


def test_par30_by_balance_differs_from_the_overdue_ratio(
    finance_officer, platform, lender, other_platform
):
    """Three loans on 15 June 2025: 900 € left, 71 days late (300 € overdue); 600 € left and
    up to date; 700 € left, 10 days late (100 € overdue). PAR30 counts the whole balance of the
    loan over 30 days late: 900 / 2,200 = 40.9 %; amounts unpaid > 30 days: 200 / 2,200."""
    people = [BeneficiaryFactory(platform=platform) for _ in range(4)]
    late = loan_paid_up_to(finance_officer, people[0], lender, "300.00")
    current = loan_paid_up_to(finance_officer, people[1], lender, "600.00",
                              kind=LoanKind.MICRO_CREDIT)  # fmt: skip
    recent = loan_paid_up_to(finance_officer, people[2], lender, "500.00")
    loan_paid_up_to(finance_officer, people[3], lender, "1200.00")  # repaid: not outstanding
    elsewhere = member(Role.FINANCE_OFFICER, other_platform)
    loan_paid_up_to(
        elsewhere, BeneficiaryFactory(platform=other_platform),
        OrganisationFactory(funder=True, platform=other_platform), "0",
    )  # fmt: skip
    loans.arrears_update_all()
    for loan in (late, current, recent):
        loan.refresh_from_db()
    assert [(x.days_past_due, x.arrears_bucket) for x in (late, current, recent)] == [
        (71, "61-90"), (0, "current"), (10, "1-30"),
    ]  # fmt: skip

    report = portfolio_for(user=finance_officer)

    assert report.loans == 3
    assert report.outstanding == D("2200.00")
    assert report.overdue_amount == D("400.00")
    assert report.buckets == {
        "current": D("600.00"), "1-30": D("700.00"), "31-60": 0, "61-90": D("900.00"), "90+": 0,
    }  # fmt: skip
    assert report.bucket_counts == {"current": 1, "1-30": 1, "31-60": 0, "61-90": 1, "90+": 0}
    # Of the late loan's 300 € overdue, 200 € have been unpaid for more than 30 days.
    assert (report.at_risk_30, report.overdue_30) == (D("900.00"), D("200.00"))
    assert report.par30 == D("40.9")
    assert report.overdue_ratio_30 == D("9.1")
    assert report.par30 != report.overdue_ratio_30
    assert report.by_group == {
        ("Association prêteuse", str(LoanKind.ASSOCIATION_LOAN.label)): D("1600.00"),
        ("Association prêteuse", str(LoanKind.MICRO_CREDIT.label)): D("600.00"),
    }
    # The other platform's finance officer sees only their loan: 1,200 € all at risk.
    theirs = portfolio_for(user=elsewhere)
    assert (theirs.loans, theirs.outstanding, theirs.par30) == (1, D("1200.00"), D("100.0"))


def test_an_empty_portfolio_has_no_ratio(finance_officer):
    report = portfolio_for(user=finance_officer)

    assert (report.loans, report.outstanding, report.par30, report.overdue_ratio_30) == (0, 0, 0, 0)


# --- notifications ------------------------------------------------------------------------


def due_soon(actor, person, lender):
    """A loan whose 6th instalment (15 June 2025) is due in 5 days on 10 June."""
    loan = loans.loan_create(
        actor=actor, beneficiary_id=person.pk, kind=LoanKind.ASSOCIATION_LOAN,
        lender_id=lender.pk, principal=D("1200.00"), annual_rate=D("0"), term_months=12,
        first_due_on=date(2025, 1, 15), method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.APPROVED)
    loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.DISBURSED,
                          on=date(2024, 12, 20))  # fmt: skip
    return loan


def test_borrowers_are_told_once_of_an_instalment_due_in_five_days(
    frozen, finance_officer, platform, adviser, lender, settings
):
    assert settings.INSTALLMENT_DUE_SOON_DAYS == 5
    frozen.move_to(datetime(2025, 6, 10, 8, 0, tzinfo=PARIS), tick=False)
    account = UserFactory(phone="+33612345678", preferred_channel="sms", email="lea@exemple.test")
    with_account = BeneficiaryFactory(platform=platform, adviser=adviser, user=account,
                                      phone="+33698765432", email="autre@exemple.test")  # fmt: skip
    phone_only = BeneficiaryFactory(platform=platform, phone="+33611111111")
    email_only = BeneficiaryFactory(platform=platform, phone="", email="karim@exemple.test")
    # A landline takes no SMS: the reminder goes to the e-mail address.
    landline = BeneficiaryFactory(
        platform=platform, phone="+33470123456", email="paul@exemple.test"
    )
    for person in (with_account, phone_only, email_only, landline):
        due_soon(finance_officer, person, lender)
    for person in (with_account, phone_only):  # they agreed to SMS (core.sms_consent)
        give_sms_consent(person)
    loans.loan_create(
        actor=finance_officer,
        beneficiary_id=phone_only.pk,
        kind=LoanKind.ASSOCIATION_LOAN,
        lender_id=lender.pk,
        principal=D("600"),
        annual_rate=D("0"),
        term_months=12,
        first_due_on=date(2025, 6, 15),
        method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip  (applied, not disbursed: nothing to remind)

    assert notifications.installments_due_soon_notify() == 4
    assert notifications.installments_due_soon_notify() == 0

    sent = Notification.objects.filter(template="financing/installment_due")
    assert sorted(sent.values_list("channel", "recipient")) == [
        ("email", "karim@exemple.test"),
        ("email", "paul@exemple.test"),
        ("sms", "+33611111111"),
        ("sms", "+33612345678"),  # the account's own channel and number
    ]
    sms = sent.get(recipient="+33612345678")
    assert sms.user == account
    assert "100,00 €" in sms.body and "15/06/2025" in sms.body
    frozen.move_to(datetime(2025, 6, 11, 8, 0, tzinfo=PARIS), tick=False)
    assert notifications.installments_due_soon_notify() == 0


def test_an_instalment_paid_in_advance_is_not_reminded(frozen, finance_officer, person, lender):
    frozen.move_to(datetime(2025, 6, 10, 8, 0, tzinfo=PARIS), tick=False)
    person.phone = "+33611111111"
    person.save()
    loan = due_soon(finance_officer, person, lender)
    loans.entry_record(
        actor=finance_officer,
        loan_id=loan.pk,
        kind="repayment",
        amount=D("600.00"),
        value_date=date(2025, 6, 10),
        method=PaymentMethod.TRANSFER,
    )  # fmt: skip  (January to June: the 15 June instalment is already paid)

    assert notifications.installments_due_soon_notify() == 0
    assert not Notification.objects.filter(template="financing/installment_due").exists()


def test_finance_and_the_adviser_are_told_once_when_a_loan_falls_late(
    finance_officer, platform, adviser, lender, other_platform, admin_user
):
    inactive = member(Role.FINANCE_OFFICER, platform)
    inactive.memberships.update(active=False)
    member(Role.FINANCE_OFFICER, other_platform)
    second_officer = MembershipFactory(role=Role.FINANCE_OFFICER, organisation=platform).user
    person = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Nathalie",
                                last_name="Bernard")  # fmt: skip
    late = loan_paid_up_to(finance_officer, person, lender, "500.00")  # 5 June unpaid
    loan_paid_up_to(
        finance_officer, BeneficiaryFactory(platform=platform, adviser=adviser), lender, "600.00"
    )  # fmt: skip  (up to date)

    result = tasks.arrears_daily()

    assert result == {"loans": 2, "late_notified": 1, "due_soon_notified": 0}
    sent = Notification.objects.filter(template="financing/loan_late")
    assert sorted(sent.values_list("recipient", flat=True)) == sorted(
        [finance_officer.email, second_officer.email, adviser.email]
    )
    assert set(sent.values_list("channel", flat=True)) == {"email"}
    body = sent.first().body
    assert "Nathalie Bernard" in body and "10 jour" in body and f"n° {late.pk}" in body
    assert notifications.late_loans_notify() == 0
    assert tasks.arrears_daily()["late_notified"] == 0
    assert sent.count() == 3


# --- demo data -----------------------------------------------------------------------------


def test_the_demo_shows_every_arrears_bucket_and_envelopes_within_budget():
    from django.core.management import call_command

    from accounts.models import User
    from financing.models import FinancingPlan, Loan

    call_command("seed_demo")

    outstanding = Loan.objects.filter(status=LoanStatus.DISBURSED)
    assert set(outstanding.values_list("arrears_bucket", flat=True)) == {
        "current", "1-30", "31-60", "61-90", "90+",
    }  # fmt: skip
    assert Loan.objects.filter(status=LoanStatus.REPAID).count() == 1
    for loan in Loan.objects.exclude(status__in=[LoanStatus.APPLIED, LoanStatus.APPROVED]):
        principal = sum(i.principal_due for i in loan.installments.all())
        assert principal == loan.principal
    for programme in FundingProgramme.objects.all():
        live = programme.awards.exclude(status__in=["rejected", "cancelled"])
        assert programme.committed == sum(a.amount for a in live) <= programme.budget
        assert programme.paid == sum(a.amount for a in live.filter(status="paid"))
    plans = FinancingPlan.objects.select_related("booking")
    assert plans.count() >= 3
    assert {line.kind for plan in plans for line in plan.lines.all()} >= {"grant", "loan"}
    for plan in plans:
        assert sum(line.amount for line in plan.lines.all()) == plan.booking.total_price
    report = portfolio_for(user=User.objects.get(email="finance@demo.test"))
    assert report.loans == outstanding.count()
    assert 0 < report.par30 < 100
