"""`booking_parties`, the booking's one hand-written read of the person and the service,
follows the ORM's agreement rule and reads what the ORM would."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaries.models import Beneficiary
from beneficiaries.privacy import anonymise
from bookings.selectors import booking_parties
from partners.enums import PartnerStatus
from partners.models import Service
from partners.selectors import agreement_in_force
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def orm_bookable(*, platform_id: int, service_id: int) -> bool:
    """The same rule, said with the ORM helpers the catalogue uses."""
    return Service.objects.filter(
        agreement_in_force(timezone.localdate(), "partner__agreements__"),
        partner__agreements__platform_id=platform_id, pk=service_id, published=True,
        partner__status=PartnerStatus.PUBLISHED,
    ).exists()  # fmt: skip


CASES = {
    "in force": ({}, True),
    "open-ended": ({"until": None}, True),
    "ends today": ({"until": 0}, True),
    "begins today": ({"since": 0}, True),
    "ended yesterday": ({"until": -1}, False),
    "begins tomorrow": ({"since": 1}, False),
    "switched off": ({"active": False}, False),
    "another platform's agreement": ({"other_platform": True}, False),
    "service unpublished": ({"published": False}, False),
    "partner suspended": ({"partner_status": PartnerStatus.SUSPENDED}, False),
    "partner draft": ({"partner_status": PartnerStatus.DRAFT}, False),
}


@pytest.mark.parametrize("case", CASES)
def test_bookable_exactly_when_the_orm_rule_says_so(case, platform):
    change, expected = CASES[case]
    today = timezone.localdate()
    partner = PartnerFactory(status=change.get("partner_status", PartnerStatus.PUBLISHED))
    AgreementFactory(
        partner=partner,
        platform=OrganisationFactory() if change.get("other_platform") else platform,
        since=today + change.get("since", -30) * DAY,
        until=None if change.get("until", 30) is None else today + change.get("until", 30) * DAY,
        active=change.get("active", True),
    )
    service = ServiceFactory(partner=partner, published=change.get("published", True))

    person = BeneficiaryFactory(platform=platform)

    found_person, found = booking_parties(beneficiary_id=person.pk, service_id=service.pk)

    assert found_person == person
    assert (found is not None) is expected
    assert orm_bookable(platform_id=platform.pk, service_id=service.pk) is expected


def test_an_unknown_service_is_none_and_the_person_is_still_read(platform):
    person = BeneficiaryFactory(platform=platform)

    assert booking_parties(beneficiary_id=person.pk, service_id=999_999) == (person, None)


def test_an_unknown_or_anonymised_person_is_none(platform):
    partner = PartnerFactory()
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner)
    person = BeneficiaryFactory(platform=platform)
    anonymise(person)

    assert booking_parties(beneficiary_id=person.pk, service_id=service.pk) == (None, None)
    assert booking_parties(beneficiary_id=0, service_id=service.pk) == (None, None)


def test_one_query_reads_what_a_booking_uses(platform, django_assert_num_queries):
    partner = PartnerFactory(timezone="Europe/Paris")
    AgreementFactory(partner=partner, platform=platform)
    made = ServiceFactory(partner=partner, market_price=Decimal("65.50"), auto_confirm=True,
                          min_notice_hours=12)  # fmt: skip

    made_person = BeneficiaryFactory(platform=platform, birth_date=date(2001, 5, 4))

    with django_assert_num_queries(1):
        person, service = booking_parties(beneficiary_id=made_person.pk, service_id=made.pk)
        read = (service.name, service.market_price, service.solidarity_price, service.unit,
                service.booking_mode, service.auto_confirm, service.min_notice_hours,
                service.max_advance_days, service.cancellation_cutoff_hours,
                service.partner.status, service.partner.timezone,
                service.partner.organisation.name)  # fmt: skip

    assert read == (made.name, Decimal("65.50"), made.solidarity_price, made.unit,
                    made.booking_mode, True, 12, made.max_advance_days,
                    made.cancellation_cutoff_hours, PartnerStatus.PUBLISHED, "Europe/Paris",
                    partner.organisation.name)  # fmt: skip
    assert isinstance(service.market_price, Decimal)
    assert (
        service.partner_id == partner.pk
        and service.partner.organisation_id == partner.organisation_id
    )
    assert service.description == made.description  # other fields still load, on first use
    orm = Beneficiary.objects.get(pk=made_person.pk)
    fields = Beneficiary._meta.concrete_fields
    assert [getattr(person, f.attname) for f in fields] == [getattr(orm, f.attname) for f in fields]
    assert person.birth_date == date(2001, 5, 4) and person.get_deferred_fields() == set()
