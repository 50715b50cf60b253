"""The agenda's fixtures: the Allier's communes, a platform's kinds, three places (Moulins,
Montluçon, Vichy), an adviser's rules, people and referrals."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from agenda.enums import KindCategory, PlaceKind
from agenda.generation import agenda_regenerate
from agenda.models import AgendaRule, Place
from agenda.services import kinds_ensure
from core.models import Commune
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory, give_sms_consent


def commune(name: str) -> Commune:
    return Commune.objects.get(name=name)


def make_place(platform, name: str, commune_name: str, kind=PlaceKind.CMS, **fields) -> Place:
    town = commune(commune_name)
    return Place.objects.create(
        platform=platform, name=name, kind=kind, commune=town, latitude=town.latitude,
        longitude=town.longitude, **fields,
    )  # fmt: skip


@pytest.fixture
def kinds(platform):
    return {k.category: k for k in kinds_ensure(platform_id=platform.pk)}


@pytest.fixture
def places(platform, communes):
    return {
        "moulins": make_place(platform, "CMS de Moulins", "Moulins", accessible=True),
        "montlucon": make_place(platform, "France Services Montluçon", "Montluçon",
                                kind=PlaceKind.FRANCE_SERVICES),
        "vichy": make_place(platform, "Mairie de Vichy", "Vichy", kind=PlaceKind.TOWN_HALL),
    }  # fmt: skip


def make_rule(adviser, place, kind, weekdays=(0, 1, 2, 3, 4), start=9, end=12, **fields):
    return AgendaRule.objects.create(
        adviser=adviser, place=place, kind=kind, weekdays=list(weekdays),
        start_time=time(start), end_time=time(end),
        valid_from=fields.pop("valid_from", date(2020, 1, 1)), **fields,
    )  # fmt: skip


@pytest.fixture
def open_agenda(adviser, places, kinds):
    """Diagnostics every weekday morning at Montluçon and Moulins (afternoon), follow-ups
    at Vichy on Fridays; slots generated for 30 days."""
    make_rule(adviser, places["montlucon"], kinds[KindCategory.DIAGNOSTIC], (0, 1, 2, 3), 9, 12)
    make_rule(adviser, places["moulins"], kinds[KindCategory.DIAGNOSTIC], (0, 1, 2, 3), 14, 17)
    make_rule(adviser, places["vichy"], kinds[KindCategory.FOLLOW_UP], (4,), 9, 12)
    agenda_regenerate([adviser.pk], days=30)
    return adviser


@pytest.fixture
def person(platform, adviser, communes):
    """Nadia, who agreed to SMS."""
    nadia = BeneficiaryFactory(
        platform=platform, adviser=adviser, phone="+33612345678", commune="Montluçon",
        postcode="03100", first_name="Nadia", last_name="Benali",
    )  # fmt: skip
    give_sms_consent(nadia, by=adviser)
    return nadia


@pytest.fixture
def referral(platform, prescriber_org, communes):
    return ReferralFactory(
        platform=platform, prescriber_organisation=prescriber_org, phone="+33698765432",
        commune="Vichy", postcode="03200", first_name="Paul", last_name="Girard",
    )  # fmt: skip


def soon(hours: int = 72):
    return timezone.now() + timedelta(hours=hours)
