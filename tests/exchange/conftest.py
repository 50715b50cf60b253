"""The open-data world: a platform of the Allier with its rules, partners in every state,
services with weekly rules, a grant programme and a micro-credit (so the platform's own
offers exist), and a person — whose data must never reach the feed."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

import pydantic
import pytest
from data_inclusion.schema.v1 import Service, Structure
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.models import EligibilityPolicy
from financing import loans
from financing.services import programme_create
from partners.enums import PartnerCategory, PartnerStatus
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, RuleFactory, ServiceFactory

PERSON = ("Sidonie", "Vercingétorix", "+33612345678")


@dataclass
class OpenWorld:
    platform: object
    garage: object
    service: object
    hidden: list
    programme: object
    person: object


def add_partner(platform, *, name, category=PartnerCategory.GARAGE, services=1, **partner):
    organisation = OrganisationFactory(
        partner=True, name=name, platform=platform, address="12 rue des Forges",
        commune="Moulins", postcode="03000", siret="",
    )  # fmt: skip
    found = PartnerFactory(organisation=organisation, category=category, **partner)
    AgreementFactory(partner=found, platform=platform, since=date(2020, 1, 1))
    made = []
    for n in range(services):
        service = ServiceFactory(partner=found, name=f"{name} service {n}",
                                 description="Réparations courantes à prix solidaire.")  # fmt: skip
        RuleFactory(service=service, weekdays=[0, 1, 2, 3, 4], start_time=time(9),
                    end_time=time(12), valid_from=date(2025, 1, 1))  # fmt: skip
        made.append(service)
    return found, made


@pytest.fixture
def open_world(db, communes):
    platform = OrganisationFactory(name="Plateforme Mobilité Allier", territory="03")
    EligibilityPolicy.objects.create(
        platform=platform, situations=["rsa", "jobseeker", "youth_mission_locale"],
        require_project=True, min_french_level="A2",
    )  # fmt: skip
    garage, (service,) = add_partner(platform, name="Garage solidaire du Bourbonnais",
                                     service_radius_km=15)  # fmt: skip
    RuleFactory(service=service, weekdays=[5], start_time=time(9), end_time=time(12),
                valid_from=date(2025, 1, 1))  # fmt: skip
    add_partner(platform, name="Auto-école Sociale", category=PartnerCategory.DRIVING_SCHOOL)
    draft, draft_services = add_partner(platform, name="Garage brouillon",
                                        status=PartnerStatus.DRAFT)  # fmt: skip
    alone = PartnerFactory(organisation__name="Sans convention", organisation__platform=platform)
    lonely = ServiceFactory(partner=alone, name="Sans convention service")
    unpublished = ServiceFactory(partner=garage, name="Pas encore publié", published=False)
    funder = OrganisationFactory(funder=True, name="Département de l'Allier")
    finance = member(Role.FINANCE_OFFICER, platform)
    today = timezone.localdate()
    programme = programme_create(
        actor=finance, platform_id=platform.pk, funder_id=funder.pk,
        name="Aide départementale à la réparation", budget=Decimal("5000.00"),
        starts_on=today - timedelta(days=30), per_beneficiary_cap=Decimal("300.00"),
        eligible_categories=["garage"], eligible_situations=["rsa"],
    )  # fmt: skip
    person = BeneficiaryFactory(platform=platform, first_name=PERSON[0], last_name=PERSON[1],
                                phone=PERSON[2])  # fmt: skip
    loans.loan_create(
        actor=finance, beneficiary_id=person.pk, lender_id=funder.pk, kind="micro_credit",
        principal=Decimal("1200.00"), annual_rate=Decimal("2"), term_months=12,
        method="declining_balance", first_due_on=today + timedelta(days=30),
    )  # fmt: skip
    return OpenWorld(platform=platform, garage=garage, service=service,
                     hidden=[*draft_services, lonely, unpublished], programme=programme,
                     person=person)  # fmt: skip


def validate(model, items) -> tuple[list, list]:
    """(errors, warnings) of the package's own model for each object; warnings (the
    schema's « avertissements ») are printed."""
    errors, warnings = [], []
    for item in items:
        try:
            model.model_validate(item, context={"ignore_warnings": False})
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                found = (item.get("id"), error["loc"], error["msg"])
                (warnings if error["type"] == "avertissement" else errors).append(found)
    for warning in warnings:
        print(f"data·inclusion {model.__name__} warning: {warning}")  # noqa: T201
    return errors, warnings


STRUCTURE, SERVICE = Structure, Service
