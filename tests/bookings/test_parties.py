"""What a booking may be made with: `partners.selectors.bookable_services`, the one definition
of a service a platform may book, case by case; and `booking_parties`, which reads the person
and, through that definition, the service."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaries.privacy import anonymise
from bookings.selectors import booking_parties
from partners.enums import PartnerStatus
from partners.selectors import bookable_services
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)

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
def test_bookable_exactly_under_an_agreement_in_force_with_the_platform(case, platform):
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
    ServiceFactory(partner=PartnerFactory())  # no agreement at all: never bookable

    bookable = list(bookable_services(platform_id=platform.pk))

    assert bookable == ([service] if expected else [])
    person = BeneficiaryFactory(platform=platform)
    assert booking_parties(beneficiary_id=person.pk, service_id=service.pk) == (
        person, service if expected else None,
    )  # fmt: skip


def test_each_platform_books_under_its_own_agreement(platform):
    """Two agreements of one partner (one per platform): each platform sees the service once,
    and only while its own agreement is in force."""
    other = OrganisationFactory()
    partner = PartnerFactory()
    AgreementFactory(partner=partner, platform=platform)
    AgreementFactory(partner=partner, platform=other, active=False)
    service = ServiceFactory(partner=partner)

    assert list(bookable_services(platform_id=platform.pk)) == [service]
    assert list(bookable_services(platform_id=other.pk)) == []
    later = timezone.localdate() + 365 * DAY
    assert list(bookable_services(platform_id=platform.pk, today=later)) == [service]


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


def test_two_queries_read_what_a_booking_uses(platform, django_assert_num_queries):
    partner = PartnerFactory()
    AgreementFactory(partner=partner, platform=platform)
    made = ServiceFactory(partner=partner, market_price=Decimal("65.50"), auto_confirm=True,
                          min_notice_hours=12)  # fmt: skip
    made_person = BeneficiaryFactory(platform=platform, phone="+33611223344")

    with django_assert_num_queries(2):  # the person; the service, partner and organisation
        person, service = booking_parties(beneficiary_id=made_person.pk, service_id=made.pk)
        read = (person.platform_id, person.status, person.first_name, person.last_name,
                person.phone, service.name, service.unit, service.market_price,
                service.solidarity_price, service.booking_mode, service.auto_confirm,
                service.min_notice_hours, service.max_advance_days, service.partner_id,
                service.partner.organisation.name)  # fmt: skip

    assert read == (platform.pk, made_person.status, made_person.first_name,
                    made_person.last_name, "+33611223344", made.name, made.unit,
                    Decimal("65.50"), made.solidarity_price, made.booking_mode, True, 12,
                    made.max_advance_days, partner.pk, partner.organisation.name)  # fmt: skip
    # Any other field still loads, on first use.
    assert (person.email, service.description) == (made_person.email, made.description)
