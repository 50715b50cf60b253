"""Concurrency tests: real PostgreSQL, data committed before the threads start."""

import pytest

from accounts.enums import Role
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.concurrency.helpers import World
from tests.factories import OrganisationFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory
from tests.services import postgres_or_unavailable


@pytest.fixture(autouse=True)
def _postgres_only():
    """Threads racing on SQLite would only show SQLite's global lock: skip (or fail in CI)."""
    postgres_or_unavailable()


WORKERS = 50  # the most threads a race releases together


@pytest.fixture
def world(transactional_db) -> World:
    """A platform, its adviser, a published partner under agreement with a published service
    (no notice needed) and a rental, the partner's manager, a person to book for, and one
    person per racing worker."""
    platform = OrganisationFactory(name="Plateforme course")
    adviser = member(Role.ADVISER, platform)
    partner = PartnerFactory(
        organisation=OrganisationFactory(partner=True, name="Garage course", platform=platform)
    )
    AgreementFactory(partner=partner, platform=platform)
    manager = member(Role.PARTNER_MANAGER, partner.organisation)
    service = ServiceFactory(partner=partner, min_notice_hours=0)
    rental = ServiceFactory(partner=partner, rental=True, min_notice_hours=0)
    beneficiary = BeneficiaryFactory(
        platform=platform, adviser=adviser, email="camille.course@exemple.test"
    )
    people = [BeneficiaryFactory(platform=platform, adviser=adviser) for _ in range(WORKERS)]
    return World(platform, adviser, manager, service, rental, beneficiary, people)
