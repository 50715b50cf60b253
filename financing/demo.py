"""Demo financing of the Allier platform (DOMAIN §1–2, "Demo seed values"): funders and
lenders, grant envelopes with awards in every status, micro-credits and association loans
repaid through the ledger (some on time, some late in every arrears bucket, one repaid), and
financing plans on a few holding bookings. Idempotent: what exists is left as it is."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DemoContext
from accounts.enums import OrganisationKind
from accounts.models import Organisation
from beneficiaries.models import Beneficiary
from bookings.enums import HOLDING
from bookings.models import Booking
from core.formatting import cents
from financing import loans, plans, services
from financing.enums import AwardStatus, LineKind, LoanKind, LoanMethod, LoanStatus
from financing.models import FinancingPlan, FundingProgramme, Loan
from financing.schedule import add_months
from partners.enums import PartnerCategory
from partners.models import Partner

D = Decimal

# key → (name, commune, postcode, territory)
FUNDERS = {
    "france_travail": ("France Travail", "Moulins", "03000", "03"),
    "departement": ("Département de l'Allier", "Moulins", "03000", "03"),
    "region": ("Région Auvergne-Rhône-Alpes", "Clermont-Ferrand", "63000", "63"),
    "mission_locale": ("Mission Locale — FAJ", "Montluçon", "03100", "03"),
    "caisse_epargne": ("Caisse d'Épargne Auvergne Limousin", "Moulins", "03000", "03"),
    "association": ("Association Solidarité Mobilité 03", "Vichy", "03200", "03"),
}

RSA, YOUTH, JOBSEEKER, SIAE = "rsa", "youth_mission_locale", "jobseeker", "siae_employee"

# key → (funder, name, budget, cap per person, service categories, situations)
PROGRAMMES = {
    "ft_permis": ("france_travail", "France Travail — aide au permis de conduire", "60000.00",
                  "1200.00", [PartnerCategory.DRIVING_SCHOOL], [JOBSEEKER]),
    "dept_repair": ("departement", "Département — aide à la réparation (RSA)", "30000.00",
                    "500.00", [PartnerCategory.GARAGE], [RSA]),
    "faj": ("mission_locale", "Fonds d'aide aux jeunes (FAJ)", "20000.00", "1000.00", [],
            [YOUTH]),
    "region_permis": ("region", "Région — aide au permis B (90 %)", "50000.00", "1350.00",
                      [PartnerCategory.DRIVING_SCHOOL], [YOUTH, JOBSEEKER, SIAE]),
    "dept_rental": ("departement", "Département — aide à la location solidaire (RSA)",
                    "25000.00", "540.00", [PartnerCategory.RENTAL], [RSA]),
}  # fmt: skip

# Awards outside any booking: (programme, person index in beneficiaries.demo.PEOPLE, amount,
# where the decision ended)
AWARDS = [
    ("ft_permis", 25, "1200.00", AwardStatus.PAID),
    ("ft_permis", 12, "400.00", AwardStatus.APPROVED),
    ("ft_permis", 15, "400.00", AwardStatus.REQUESTED),
    ("ft_permis", 8, "800.00", AwardStatus.REJECTED),
    ("dept_repair", 2, "450.00", AwardStatus.PAID),
    ("dept_repair", 10, "500.00", AwardStatus.APPROVED),
    ("dept_repair", 14, "300.00", AwardStatus.REQUESTED),
    ("dept_repair", 7, "250.00", AwardStatus.CANCELLED),
    ("faj", 9, "600.00", AwardStatus.PAID),
    ("faj", 20, "500.00", AwardStatus.PAID),
    ("faj", 13, "350.00", AwardStatus.APPROVED),
    ("faj", 16, "800.00", AwardStatus.REJECTED),
    ("region_permis", 20, "1215.00", AwardStatus.PAID),
    ("region_permis", 5, "1080.00", AwardStatus.APPROVED),
    ("region_permis", 28, "900.00", AwardStatus.REQUESTED),
    ("dept_rental", 17, "162.00", AwardStatus.PAID),
    ("dept_rental", 21, "90.00", AwardStatus.PAID),
    ("dept_rental", 27, "270.00", AwardStatus.APPROVED),
]

MICRO, ASSOCIATION = LoanKind.MICRO_CREDIT, LoanKind.ASSOCIATION_LOAN
ON_TIME, REPAID, CAUGHT_UP = "on_time", "repaid", "caught_up"
# Profile → instalments left unpaid among those already due: the oldest unpaid one is then
# about 15, 45, 75 or 135 days late (1–30, 31–60, 61–90, 90+).
UNPAID = {ON_TIME: 0, REPAID: 0, CAUGHT_UP: 0, "1-30": 1, "31-60": 2, "61-90": 3, "90+": 6}

# (person, kind, principal, annual rate %, months, instalments already due, profile)
LOANS = [
    (0, MICRO, "2400.00", "2.500", 36, 7, ON_TIME),
    (2, MICRO, "3000.00", "3.000", 36, 10, "1-30"),
    (3, ASSOCIATION, "800.00", "0", 12, 5, ON_TIME),
    (4, MICRO, "1800.00", "4.000", 24, 8, "31-60"),
    (7, MICRO, "2000.00", "1.500", 30, 9, "61-90"),
    (10, MICRO, "1500.00", "3.500", 24, 12, "90+"),
    (11, ASSOCIATION, "1200.00", "0", 24, 6, "1-30"),
    (8, ASSOCIATION, "600.00", "0", 12, 12, REPAID),
    (12, ASSOCIATION, "1000.00", "0", 20, 4, ON_TIME),
    (26, MICRO, "2500.00", "2.000", 36, 6, CAUGHT_UP),
]
# Loans still in the pipeline: (person, kind, principal, rate, months, status)
PIPELINE = [
    (6, ASSOCIATION, "500.00", "0", 12, LoanStatus.APPROVED),
    (5, MICRO, "2000.00", "3.000", 36, LoanStatus.APPLIED),
]

# Plans on holding bookings: (person, partner key, service name, funded by, share funded)
PLANS = [
    (0, "garage", "Main-d'œuvre mécanique", "dept_repair", "0.80"),
    (1, "school", "Leçon de conduite", "region_permis", "0.90"),
    (2, "rental", "Scooter 50 cm³", "dept_rental", "0.90"),
    (3, "garage", "Diagnostic avant contrôle technique", "loan", "0.80"),
    (6, "rental", "Voiture — location solidaire", "faj", "0.90"),
]


def _funders(ctx: DemoContext) -> dict[str, Organisation]:
    funders = {}
    for key, (name, commune, postcode, territory) in FUNDERS.items():
        funders[key], _ = Organisation.objects.update_or_create(
            kind=OrganisationKind.FUNDER, name=name,
            defaults={"commune": commune, "postcode": postcode, "territory": territory,
                      "platform": ctx.platform},
        )  # fmt: skip
    return funders


def _programmes(ctx, officer, funders, people, today: date) -> dict[str, FundingProgramme]:
    programmes = {}
    created = set()
    for key, (funder, name, budget, cap, categories, situations) in PROGRAMMES.items():
        programme = FundingProgramme.objects.filter(platform=ctx.platform, name=name).first()
        if programme is None:
            programme = services.programme_create(
                actor=officer, platform_id=ctx.platform.pk, funder_id=funders[funder].pk,
                name=name, budget=D(budget), starts_on=today.replace(month=1, day=1),
                ends_on=today.replace(month=12, day=31), per_beneficiary_cap=D(cap),
                eligible_categories=categories, eligible_situations=situations,
            )  # fmt: skip
            created.add(key)
        programmes[key] = programme
    for key, index, amount, status in AWARDS:
        if key not in created:  # its awards were made when it was created
            continue
        award = services.award_create(
            actor=officer, programme_id=programmes[key].pk, beneficiary=people[index],
            amount=D(amount),
        )  # fmt: skip
        if status == AwardStatus.CANCELLED:
            services.award_cancel(actor=officer, award_id=award.pk)
            continue
        steps = {
            AwardStatus.APPROVED: [AwardStatus.APPROVED],
            AwardStatus.PAID: [AwardStatus.APPROVED, AwardStatus.PAID],
            AwardStatus.REJECTED: [AwardStatus.REJECTED],
        }.get(status, [])
        for step in steps:
            services.award_decide(actor=officer, award_id=award.pk, to=step)
    return programmes


def _repay(officer, loan: Loan, profile: str, due: int, today: date) -> None:
    """Record the repayments of the instalments already due, as the profile says."""
    installments = list(loan.installments.order_by("number"))[:due]
    paying = installments[: due - UNPAID[profile]]
    for installment in paying:
        late = 21 if profile == CAUGHT_UP and installment.number in (2, 3) else 0
        value_date = min(installment.due_on + timedelta(days=late or installment.number % 3),
                         today)  # fmt: skip
        loans.entry_record(
            actor=officer, loan_id=loan.pk, kind="repayment", amount=installment.amount_due,
            value_date=value_date,
            method="direct_debit" if loan.kind == MICRO else "transfer",
        )  # fmt: skip
    if profile in ("31-60", "61-90"):  # a little paid since: not enough to catch up
        loans.entry_record(
            actor=officer, loan_id=loan.pk, kind="repayment", amount=D("40.00"),
            value_date=today - timedelta(days=10), method="cash",
            note="Versement partiel au point d'accueil",
        )  # fmt: skip


def _loans(ctx, officer, funders, people, today: date) -> None:
    base = today - timedelta(days=15)  # the latest instalment already due fell about here
    lenders = {MICRO: funders["caisse_epargne"], ASSOCIATION: funders["association"]}
    for index, kind, principal, rate, months, due, profile in LOANS:
        person = people[index]
        if Loan.objects.filter(beneficiary=person, kind=kind, principal=D(principal)).exists():
            continue
        first_due_on = add_months(base, -(due - 1))
        loan = loans.loan_create(
            actor=officer, beneficiary_id=person.pk, kind=kind, lender_id=lenders[kind].pk,
            principal=D(principal), annual_rate=D(rate), term_months=months,
            first_due_on=first_due_on, method=LoanMethod.DECLINING_BALANCE,
        )  # fmt: skip
        loans.loan_transition(actor=officer, loan_id=loan.pk, to=LoanStatus.APPROVED)
        loans.loan_transition(
            actor=officer, loan_id=loan.pk, to=LoanStatus.DISBURSED,
            on=add_months(first_due_on, -1),
        )  # fmt: skip
        _repay(officer, loan, profile, due, today)
    for index, kind, principal, rate, months, status in PIPELINE:
        person = people[index]
        if Loan.objects.filter(beneficiary=person, kind=kind, principal=D(principal)).exists():
            continue
        loan = loans.loan_create(
            actor=officer, beneficiary_id=person.pk, kind=kind, lender_id=lenders[kind].pk,
            principal=D(principal), annual_rate=D(rate), term_months=months,
            first_due_on=add_months(today, 1).replace(day=5),
            method=LoanMethod.DECLINING_BALANCE,
        )  # fmt: skip
        if status == LoanStatus.APPROVED:
            loans.loan_transition(actor=officer, loan_id=loan.pk, to=LoanStatus.APPROVED)


def _plans(officer, people, partners: dict[str, Partner], programmes) -> None:
    for index, key, service_name, source, share in PLANS:
        person: Beneficiary = people[index]
        booking = (
            Booking.objects.filter(
                beneficiary=person, service__partner=partners[key], service__name=service_name,
                status__in=HOLDING,
            )
            .order_by("pk")
            .first()
        )  # fmt: skip
        if booking is None or FinancingPlan.objects.filter(booking=booking).exists():
            continue
        funded = cents(booking.total_price * D(share))
        if source == "loan":
            loan = Loan.objects.filter(
                beneficiary=person, status__in=[LoanStatus.APPROVED, LoanStatus.DISBURSED]
            ).first()
            if loan is None:
                continue
            line = {"kind": LineKind.LOAN, "amount": funded, "loan": loan.pk}
        else:
            line = {"kind": LineKind.GRANT, "amount": funded, "programme": programmes[source].pk}
        plans.plan_set(
            actor=officer, booking_id=booking.pk,
            lines=[line, {"kind": LineKind.BENEFICIARY, "amount": booking.total_price - funded}],
        )  # fmt: skip


def seed_financing(ctx: DemoContext, people: list[Beneficiary], partners: dict) -> None:
    today = timezone.localdate()
    officer = ctx.users["finance@demo.test"]
    funders = _funders(ctx)
    programmes = _programmes(ctx, officer, funders, people, today)
    _loans(ctx, officer, funders, people, today)
    _plans(officer, people, partners, programmes)
    loans.arrears_update_all()
