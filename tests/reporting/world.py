"""A hand-built world for the indicators of 2025 (seen on 10 January 2026), with the figure
each indicator must give written in the tests. Edge cases: a person with no follow-up at
all, an exit with an unknown outcome, a booking cancelled after it was completed, a support
contract that the period cuts (started in 2024), a reversed repayment; and another platform
whose data must never show."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.enums import Role
from accounts.models import Membership
from beneficiaries.models import Diagnosis, FollowUp, Outcome, Referral
from bookings.models import Booking
from financing.models import (
    FinancingLine,
    FinancingPlan,
    FundingProgramme,
    GrantAward,
    Installment,
    Loan,
    LoanTransaction,
)
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.factories import OrganisationFactory, member
from tests.partners.factories import PartnerFactory, ServiceFactory

PARIS = ZoneInfo("Europe/Paris")
START, END = date(2025, 1, 1), date(2025, 12, 31)
TODAY = datetime(2026, 1, 10, 12, 0, tzinfo=PARIS)
D = Decimal


def at(y, m, d, h=9) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=PARIS)


@dataclass
class World:
    platform: object
    other: object
    users: dict
    advisers: tuple
    funder: object
    other_funder: object
    people: dict


def _referral(platform, prescriber, created, status, answered=None, **extra):
    referral = ReferralFactory(prescriber_organisation=prescriber, platform=platform,
                               status=status, answered_at=answered, **extra)  # fmt: skip
    Referral.objects.filter(pk=referral.pk).update(created_at=created)
    return referral


def _person(platform, adviser, created, **extra):
    person = BeneficiaryFactory(platform=platform, adviser=adviser, **extra)
    type(person).objects.filter(pk=person.pk).update(created_at=created)
    return person


def _diagnosis(person, held_on, decision):
    Diagnosis.objects.create(beneficiary=person, held_on=held_on, summary="—", decision=decision)


def _booking(person, service, status, starts, created, answered=None, *, market, total,
             declined=False, completed=False):  # fmt: skip
    booking = Booking.objects.create(
        platform=person.platform, beneficiary=person, service=service, units=D(1),
        unit_price=D(total), market_unit_price=D(market), total_price=D(total),
        market_total=D(market), status=status, starts_at=starts, ends_at=starts,
        confirmed_at=None if declined else answered, declined_at=answered if declined else None,
        completed_at=starts if completed else None,
    )  # fmt: skip
    Booking.objects.filter(pk=booking.pk).update(created_at=created)
    return booking


def _plan(booking, **lines):
    plan = FinancingPlan.objects.create(booking=booking)
    for kind, (amount, programme) in lines.items():
        FinancingLine.objects.create(plan=plan, kind=kind, amount=D(amount), programme=programme)


def _loan(platform, person, lender, principal, *, status, disbursed_on, paid, late=0):
    loan = Loan.objects.create(
        platform=platform, beneficiary=person, kind="association_loan", lender=lender,
        principal=D(principal), annual_rate=D(0), term_months=principal // 100,
        disbursed_on=disbursed_on, first_due_on=disbursed_on, status=status,
        days_past_due=late,
    )  # fmt: skip
    for n in range(principal // 100):
        Installment.objects.create(loan=loan, number=n + 1, due_on=disbursed_on,
                                   principal_due=D(100), interest_due=D(0),
                                   principal_paid=D(100) if n < paid else D(0))  # fmt: skip
    return loan


def build() -> World:  # noqa: PLR0915 — one story, told in order
    platform = OrganisationFactory(name="Plateforme Allier")
    other = OrganisationFactory(name="Plateforme Cher")
    ft = OrganisationFactory(prescriber=True, name="France Travail", platform=platform)
    ml = OrganisationFactory(prescriber=True, name="Mission Locale", platform=platform)
    funder = OrganisationFactory(funder=True, name="Département")
    other_funder = OrganisationFactory(funder=True, name="Région")
    a1 = member(Role.ADVISER, platform, first_name="Ana", last_name="Un")
    a2 = member(Role.ADVISER, platform, first_name="Bea", last_name="Deux")
    Membership.objects.filter(user=a2).update(fte=D("0.50"))
    users = {
        Role.ADMIN: member(Role.ADMIN, platform),
        Role.FINANCE_OFFICER: member(Role.FINANCE_OFFICER, platform),
        Role.FUNDER: member(Role.FUNDER, funder),
        "other_admin": member(Role.ADMIN, other),
        "other_funder": member(Role.FUNDER, other_funder),
    }
    # Referrals: 5 in 2025 on the platform; one of 2024 and one of the other platform.
    _referral(platform, ft, at(2025, 2, 1), "accepted", at(2025, 2, 3))
    _referral(platform, ft, at(2025, 3, 1), "refused", at(2025, 3, 5),
              refusal_reason="not_eligible", reorientation="Cours de FLE")  # fmt: skip
    _referral(platform, ml, at(2025, 4, 1), "refused", at(2025, 4, 2),
              refusal_reason="language_level")  # fmt: skip
    _referral(platform, ml, at(2025, 11, 20), "submitted")
    _referral(platform, ft, at(2025, 5, 1), "expired")
    _referral(platform, ft, at(2024, 12, 20), "accepted", at(2025, 1, 2))
    other_ft = OrganisationFactory(prescriber=True, name="France Travail Cher", platform=other)
    _referral(other, other_ft, at(2025, 6, 1), "accepted", at(2025, 6, 20))
    # People.
    p1 = _person(platform, a1, at(2025, 1, 10), status="reinforced", first_name="Paul",
                 last_name="Premier")  # fmt: skip
    _diagnosis(p1, date(2025, 2, 10), "reinforced")
    FollowUp.objects.create(beneficiary=p1, held_on=date(2025, 11, 25), channel="phone")
    p2 = _person(
        platform, a1, at(2024, 5, 1), status="reinforced", first_name="Jamais", last_name="Vu"
    )  # fmt: skip — no follow-up at all; a contract cut by the period
    _diagnosis(p2, date(2024, 6, 15), "reinforced")
    p3 = _person(platform, a2, at(2025, 3, 1), status="closed")
    _diagnosis(p3, date(2025, 3, 10), "light_advice")
    Outcome.objects.create(beneficiary=p3, code="unknown", exited_on=date(2025, 9, 1))
    p4 = _person(platform, a2, at(2024, 1, 1), status="closed")
    _diagnosis(p4, date(2024, 2, 1), "reinforced")
    Outcome.objects.create(beneficiary=p4, code="durable_employment", exited_on=date(2025, 4, 30))
    p5 = _person(platform, a1, at(2023, 1, 1), status="closed")  # left before 2025
    Outcome.objects.create(beneficiary=p5, code="training", exited_on=date(2024, 6, 1))
    p6 = _person(platform, a1, at(2025, 6, 1), status="referred", first_name="Six")
    p7 = _person(platform, a2, at(2025, 5, 1), status="reinforced", first_name="Lina",
                 last_name="Sept")  # fmt: skip
    _diagnosis(p7, date(2025, 5, 5), "reinforced")
    FollowUp.objects.create(beneficiary=p7, held_on=date(2025, 6, 1), channel="in_person")
    q1 = _person(other, member(Role.ADVISER, other), at(2025, 2, 1), status="reinforced")
    _diagnosis(q1, date(2025, 2, 2), "reinforced")
    Outcome.objects.create(beneficiary=q1, code="durable_employment", exited_on=date(2025, 8, 1))
    # Bookings.
    garage = ServiceFactory(partner=PartnerFactory(organisation=OrganisationFactory(
        partner=True, name="Garage A"), category="garage"))  # fmt: skip
    rental = ServiceFactory(partner=PartnerFactory(organisation=OrganisationFactory(
        partner=True, name="Loc B"), category="rental"), rental=True)  # fmt: skip
    b1 = _booking(p1, garage, "completed", at(2025, 3, 10), at(2025, 3, 1), at(2025, 3, 1, 21),
                  market=65, total=35, completed=True)  # fmt: skip
    b2 = _booking(p1, rental, "completed", at(2025, 7, 1), at(2025, 6, 21), at(2025, 6, 22),
                  market=100, total=20, completed=True)  # fmt: skip
    b3 = _booking(
        p7,
        garage,
        "cancelled",
        at(2025, 8, 1),
        at(2025, 7, 30),
        at(2025, 7, 30, 15),
        market=65,
        total=35,
        completed=True,
    )  # fmt: skip — cancelled after completion
    _booking(p7, garage, "no_show", at(2025, 9, 1), at(2025, 8, 25), at(2025, 8, 25, 21),
             market=65, total=35)  # fmt: skip
    _booking(p2, rental, "declined", at(2025, 10, 1), at(2025, 9, 30), at(2025, 9, 30, 11),
             market=50, total=10, declined=True)  # fmt: skip
    _booking(p1, garage, "completed", at(2024, 12, 20), at(2024, 12, 1), at(2024, 12, 2),
             market=65, total=35, completed=True)  # fmt: skip
    _booking(q1, garage, "completed", at(2025, 3, 3), at(2025, 3, 1), at(2025, 3, 1, 10),
             market=999, total=1, completed=True)  # fmt: skip
    # Money.
    prog1 = FundingProgramme.objects.create(
        platform=platform, funder=funder, name="Aide réparation", starts_on=START, ends_on=END,
        budget=D(1000), committed=D(350), paid=D(100),
    )  # fmt: skip
    FundingProgramme.objects.create(platform=platform, funder=other_funder, name="Aide Région",
                                    starts_on=date(2025, 6, 1), budget=D(2000))  # fmt: skip
    prog_other = FundingProgramme.objects.create(
        platform=other, funder=other_funder, name="Aide Cher", starts_on=START, budget=D(5000),
        committed=D(10),
    )  # fmt: skip
    for person, amount, status, created in ((p1, 200, "approved", at(2025, 3, 1)),
                                            (p7, 100, "paid", at(2025, 7, 1)),
                                            (p4, 50, "approved", at(2025, 2, 1)),
                                            (p2, 50, "rejected", at(2025, 9, 1))):  # fmt: skip
        award = GrantAward.objects.create(programme=prog1, beneficiary=person, amount=D(amount),
                                          status=status)  # fmt: skip
        GrantAward.objects.filter(pk=award.pk).update(created_at=created)
    award = GrantAward.objects.create(programme=prog_other, beneficiary=q1, amount=D(10),
                                      status="approved")  # fmt: skip
    GrantAward.objects.filter(pk=award.pk).update(created_at=at(2025, 3, 1))
    _plan(b1, grant=(20, prog1), beneficiary=(15, None))
    _plan(b2, beneficiary=(20, None))
    _plan(b3, beneficiary=(35, None))  # cancelled: not paid
    l1 = _loan(platform, p1, funder, 1200, status="disbursed", disbursed_on=date(2025, 2, 1),
               paid=3)  # fmt: skip
    l2 = _loan(platform, p7, funder, 600, status="disbursed", disbursed_on=date(2025, 4, 1),
               paid=1, late=45)  # fmt: skip
    l3 = _loan(platform, p2, funder, 400, status="defaulted", disbursed_on=date(2024, 3, 1),
               paid=0, late=200)  # fmt: skip
    _loan(other, q1, funder, 900, status="disbursed", disbursed_on=date(2025, 3, 1), paid=0,
          late=90)  # fmt: skip
    for loan, day in ((l1, date(2025, 3, 1)), (l1, date(2025, 4, 1)), (l1, date(2025, 5, 1)),
                      (l2, date(2025, 5, 1)), (l3, date(2024, 12, 1))):  # fmt: skip
        LoanTransaction.objects.create(loan=loan, kind="repayment", amount=D(100), value_date=day)
    wrong = LoanTransaction.objects.create(loan=l1, kind="repayment", amount=D(100),
                                           value_date=date(2025, 6, 1))  # fmt: skip
    LoanTransaction.objects.create(loan=l1, kind="reversal", amount=D(100), reverses=wrong,
                                   value_date=date(2025, 6, 2))  # fmt: skip
    return World(platform, other, users, (a1, a2), funder, other_funder,
                 {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p6": p6, "p7": p7})  # fmt: skip
