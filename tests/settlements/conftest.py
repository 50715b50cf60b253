"""A platform paying a garage for November 2026: a grant envelope, an association loan, and
helpers for completed bookings with their financing plans."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from beneficiaries.enums import Situation
from financing import loans
from financing.plans import plan_set
from financing.services import programme_create
from partners.models import Partner
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.test_documents import make_booking
from tests.factories import OrganisationFactory
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory
from tests.payments.conftest import pay

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR1420041010050500013M02606"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def approve_bank(partner: Partner, iban: str = IBAN, bic: str = "AGRIFRPP") -> Partner:
    Partner.objects.filter(pk=partner.pk).update(
        iban=iban, bic=bic, bank_details_approved_at=timezone.now()
    )
    partner.refresh_from_db()
    return partner


@dataclass
class World:
    platform: object
    finance: object
    adviser: object
    partner: Partner
    service: object  # 10.00 € an hour
    person: object
    programme: object
    loan: object

    def done(self, hours: int, at: datetime, *, status="completed", service=None, lines=None):
        """A booking of `hours` × 10 € completed (or not turned up to) at `at`, with its plan."""
        service = service or self.service
        fields = {"no_show_at": at} if status == "no_show" else {"completed_at": at}
        booking = make_booking(service, self.person, at - timedelta(hours=hours), hours=hours,
                               status=status, **fields)  # fmt: skip
        if lines:
            plan_set(actor=self.adviser, booking_id=booking.pk, lines=lines)
        return booking

    def pay_online(self, booking, amount: str, refunded: str = "0.00"):
        return pay(booking, amount, refunded=refunded)


@pytest.fixture
def world(platform, finance_officer, adviser, partner_org):
    partner = approve_bank(PartnerFactory(organisation=partner_org))
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, solidarity_price=D("10.00"),
                             market_price=D("20.00"))  # fmt: skip
    person = BeneficiaryFactory(platform=platform, adviser=adviser, situation=Situation.RSA)
    programme = programme_create(
        actor=finance_officer, platform_id=platform.pk,
        funder_id=OrganisationFactory(funder=True, name="Département de l'Allier").pk,
        name="Aide à la réparation", budget=D("1000.00"),
        starts_on=timezone.localdate() - timedelta(days=60),
    )  # fmt: skip
    lender = OrganisationFactory(funder=True, name="Association prêteuse")
    loan = loans.loan_create(
        actor=finance_officer, beneficiary_id=person.pk, lender_id=lender.pk,
        kind="association_loan", principal=D("600.00"), annual_rate=D("0"), term_months=6,
        method="declining_balance", first_due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    return World(platform, finance_officer, adviser, partner, service, person, programme, loan)
