from datetime import date, time
from decimal import Decimal

import factory

from partners.enums import BookingMode, PartnerCategory, PartnerStatus, ServiceUnit
from partners.models import AvailabilityRule, Partner, PartnerAgreement, Service
from tests.factories import OrganisationFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    organisation = factory.SubFactory(
        OrganisationFactory, partner=True, address="12 rue des Forges"
    )
    category = PartnerCategory.GARAGE
    status = PartnerStatus.PUBLISHED
    timezone = "Europe/Paris"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgreement

    partner = factory.SubFactory(PartnerFactory)
    platform = factory.SubFactory(OrganisationFactory)
    since = date(2020, 1, 1)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Réparation {n}")
    category = factory.SelfAttribute("partner.category")
    unit = ServiceUnit.HOUR
    market_price = Decimal("65.00")
    solidarity_price = Decimal("35.00")
    booking_mode = BookingMode.SLOT
    published = True

    class Params:
        rental = factory.Trait(
            unit=ServiceUnit.DAY,
            booking_mode=BookingMode.PERIOD,
            market_price=Decimal("35.00"),
            solidarity_price=Decimal("5.00"),
        )


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityRule

    service = factory.SubFactory(ServiceFactory)
    weekdays = [0, 1, 2, 3, 4]
    start_time = time(9, 0)
    end_time = time(12, 0)
    slot_minutes = 60
    capacity = 2
    valid_from = date(2026, 1, 1)
