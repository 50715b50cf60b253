"""The home page composes every app: one section per role the user holds, with what waits."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from bookings.services import booking_create
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot
from tests.factories import MembershipFactory
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="section-\d+">([^<]+)</h2>', html)


def test_a_user_with_two_roles_finds_both_sections_with_what_waits(
    client, platform, adviser, partner_manager, partner_org, django_assert_num_queries
):
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, min_notice_hours=0)
    person = BeneficiaryFactory(platform=platform, adviser=adviser)
    booking_create(actor=adviser, beneficiary_id=person.pk, service_id=service.pk,
                   slot_ids=[make_slot(service, 3).pk])  # fmt: skip
    MembershipFactory(user=partner_manager, organisation=platform, role=Role.ADVISER)
    client.force_login(partner_manager)

    # Session and user, memberships, the partners of the portal, referrals waiting, requests
    # waiting, whether the user is a beneficiary, and the teams the user manages (navigation).
    with django_assert_num_queries(8):
        html = client.get(reverse("home")).content.decode()

    assert headings(html) == ["Conseil mobilité", "Espace partenaire"]
    assert "Demandes de réservation (1 en attente)" in html
    assert "Orientations reçues</a>" in html  # nothing waits
    dashboard = reverse("partner_dashboard", args=[partner.pk])
    assert f'<a href="{dashboard}">Ouvrir l&#x27;espace partenaire</a>' in html
    assert f'<a href="{dashboard}">Espace partenaire</a>' in html  # the navigation's link


def test_someone_without_organisation_is_told_how_to_join(client, django_user_model):
    user = django_user_model.objects.create_user(email="seule@example.org", password="x")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert headings(html) == []
    assert "rattaché à aucune organisation" in html
