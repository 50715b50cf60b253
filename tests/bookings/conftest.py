"""Shared booking fixtures: platform, adviser, person, partner with an agreement, services,
slots in the coming days."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import Role
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory, give_sms_consent
from tests.factories import member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory


def at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def make_slot(service, day_offset: int, hour: int = 9, *, capacity: int = 1, hours: int = 1):
    return Slot.objects.create(
        service=service,
        starts_at=at(day_offset, hour),
        ends_at=at(day_offset, hour + hours),
        capacity=capacity,
    )


@pytest.fixture
def garage(partner_org, platform):
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    return partner


@pytest.fixture
def service(garage):
    return ServiceFactory(
        partner=garage, name="Main-d'œuvre", min_notice_hours=0, cancellation_cutoff_hours=24
    )


@pytest.fixture
def rental(garage):
    return ServiceFactory(partner=garage, rental=True, name="Voiture", min_notice_hours=0)


@pytest.fixture
def transport(garage):
    return ServiceFactory(
        partner=garage,
        name="Trajet",
        unit="km",
        min_notice_hours=0,
        solidarity_price=Decimal("0.35"),
        market_price=Decimal("1.80"),
    )


@pytest.fixture
def person(platform, adviser):
    person = BeneficiaryFactory(
        platform=platform,
        adviser=adviser,
        first_name="Léa",
        last_name="Martin",
        phone="+33600000001",
    )
    give_sms_consent(person, by=adviser)  # she agreed to SMS (core.sms_consent)
    return person


@pytest.fixture
def slot(service):
    return make_slot(service, 3, capacity=2)


@pytest.fixture
def other_partner_manager(db):
    from tests.factories import OrganisationFactory

    return member(Role.PARTNER_MANAGER, OrganisationFactory(partner=True, name="Autre garage"))
