"""Financing plugs into bookings' extension points (`bookings.hooks`, connected by
`FinancingConfig.ready()`): a booking that stops holding gives its grants back in the
transaction of its transition, and the voucher prints the plan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaries.enums import Situation
from bookings import hooks
from bookings.documents import voucher_pdf
from bookings.services import booking_cancel, booking_create
from financing.enums import AwardStatus
from financing.models import FinancingLine, FundingProgramme, GrantAward
from financing.plans import plan_set
from financing.services import programme_create
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot
from tests.bookings.test_documents import pdf_text
from tests.factories import OrganisationFactory
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def planned(platform, adviser, finance_officer, partner_org):
    """A 400.00 € booking whose plan takes 250.00 € from an envelope of 1,000.00 €."""
    person = BeneficiaryFactory(platform=platform, adviser=adviser, situation=Situation.RSA)
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, min_notice_hours=0, solidarity_price=D("400.00"),
                             market_price=D("650.00"))  # fmt: skip
    booking = booking_create(actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
                             slot_ids=[make_slot(service, 3).pk])  # fmt: skip
    programme = programme_create(
        actor=finance_officer, platform_id=platform.pk,
        funder_id=OrganisationFactory(funder=True).pk, name="Aide à la réparation",
        budget=D("1000.00"), starts_on=timezone.localdate() - timedelta(days=30),
        eligible_categories=["garage"], eligible_situations=["rsa"],
    )  # fmt: skip
    plan_set(actor=adviser, booking_id=booking.pk, lines=[
        {"kind": "grant", "programme": programme.pk, "amount": "250.00"},
        {"kind": "beneficiary", "amount": "150.00"},
    ])  # fmt: skip
    return booking, programme


def committed(programme) -> Decimal:
    return FundingProgramme.objects.get(pk=programme.pk).committed


def test_cancelling_the_booking_gives_its_grant_back(planned, adviser):
    booking, programme = planned
    assert committed(programme) == D("250.00")

    booking_cancel(actor=adviser, booking_id=booking.pk, reason="La voiture est vendue")

    assert committed(programme) == D("0.00")
    assert GrantAward.objects.get().status == AwardStatus.CANCELLED


def test_the_grant_comes_back_only_if_the_transition_commits(planned, adviser):
    """A failure later in the transition (here a receiver connected after financing) rolls the
    release of the grant back with it: they share one transaction."""
    booking, programme = planned

    def later_failure(sender, **kwargs):
        assert committed(programme) == D("0.00")  # financing has released it already
        raise RuntimeError("panne")

    hooks.places_released.connect(later_failure, dispatch_uid="tests.later_failure")
    try:
        with pytest.raises(RuntimeError):
            booking_cancel(actor=adviser, booking_id=booking.pk, reason="La voiture est vendue")
    finally:
        hooks.places_released.disconnect(dispatch_uid="tests.later_failure")

    booking.refresh_from_db()
    assert booking.status == "requested"
    assert committed(programme) == D("250.00")
    assert GrantAward.objects.get().status == AwardStatus.REQUESTED


def test_the_voucher_prints_the_plan(planned):
    booking, _programme = planned
    text = pdf_text(voucher_pdf(booking))
    assert "Pris en charge 250,00 €" in text
    assert "Reste à payer par la personne 150,00 €" in text
    assert "Aide à la réparation" not in text  # the partner never learns the programme
    assert "Montant à régler au partenaire" not in text


def test_a_voucher_without_a_plan_asks_the_whole_price(planned):
    booking, _programme = planned
    FinancingLine.objects.filter(plan__booking=booking).delete()  # an empty plan says nothing
    assert "Montant à régler au partenaire 400,00 €" in pdf_text(voucher_pdf(booking))
