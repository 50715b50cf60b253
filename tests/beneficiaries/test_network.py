"""The prescribers' network and the rules in the UI (issue 16)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Invitation, Organisation
from beneficiaries.eligibility import policy_for
from beneficiaries.models import Referral
from beneficiaries.selectors_network import network_for
from core.models import AuditLog
from tests.beneficiaries.factories import ReferralFactory
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def _referral_at(organisation, days_ago: int, **extra) -> Referral:
    referral = ReferralFactory(prescriber_organisation=organisation, **extra)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return referral


def test_an_admin_adds_a_prescriber_then_invites_its_members(client, admin_user, platform):
    client.force_login(admin_user)
    response = client.post(reverse("prescriber_new"), {
        "name": "CCAS de Montluçon", "kind": "ccas", "commune": "Montluçon",
        "postcode": "03100", "contact_name": "Mme Roux", "contact_phone": "04 70 02 55 00",
    })  # fmt: skip
    organisation = Organisation.objects.get(name="CCAS de Montluçon")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation_members", args=[organisation.pk])
    assert organisation.kind == OrganisationKind.PRESCRIBER and organisation.platform == platform
    assert organisation.prescriber_profile.kind == "ccas"
    assert organisation.prescriber_profile.contact_phone == "+33470025500"
    assert AuditLog.objects.filter(action="prescriber.created").exists()
    invited = client.post(reverse("organisation_members", args=[organisation.pk]),
                          {"email": "agent@ccas.test", "role": Role.PRESCRIBER})  # fmt: skip
    assert invited.status_code == 302
    assert Invitation.objects.get(email="agent@ccas.test").organisation == organisation


def test_referrals_by_month_and_the_quiet_prescribers(platform):
    busy = OrganisationFactory(prescriber=True, name="Mission Locale", platform=platform)
    quiet = OrganisationFactory(prescriber=True, name="CCAS", platform=platform)
    never = OrganisationFactory(prescriber=True, name="SIAE", platform=platform)
    elsewhere = OrganisationFactory(prescriber=True, name="Ailleurs",
                                    platform=OrganisationFactory())  # fmt: skip
    _referral_at(busy, 1)
    _referral_at(busy, 2)
    _referral_at(quiet, 120)
    _referral_at(elsewhere, 1)
    Referral.objects.create(platform=platform, source="self", first_name="A", last_name="B",
                            situation="other", need="x")  # fmt: skip
    months, rows = network_for(platform_id=platform.pk)
    assert len(months) == 12 and months[-1] == timezone.localdate().replace(day=1)
    by_name = {r.organisation.name if r.organisation else "self": r for r in rows}
    assert set(by_name) == {"Mission Locale", "CCAS", "SIAE", "self"}
    assert by_name["Mission Locale"].total == 2 and not by_name["Mission Locale"].quiet
    assert by_name["CCAS"].quiet and by_name["SIAE"].quiet and by_name["SIAE"].total == 0
    assert by_name["CCAS"].total == 1  # 120 days ago: still in the twelve months
    assert by_name["self"].total == 1 and not by_name["self"].quiet
    assert [r.organisation.name for r in rows[:2]] == ["CCAS", "SIAE"]  # quiet ones first
    assert never.pk and sum(by_name["Mission Locale"].counts) == 2


def test_the_network_page_and_its_query_count(
    client, admin_user, platform, django_assert_max_num_queries
):
    for n in range(6):
        _referral_at(OrganisationFactory(prescriber=True, name=f"P{n}", platform=platform), n)
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("network"))
    html = page.content.decode()
    assert page.status_code == 200 and "P5" in html and "Silencieuse" not in html
    assert reverse("organisation_members", args=[Organisation.objects.get(name="P0").pk]) in html


def test_the_referral_kit_is_a_one_page_pdf_with_the_public_address(client, adviser, platform):
    client.force_login(adviser)
    response = client.get(reverse("referral_kit"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    assert re.findall(rb"/Type /Pages?\b", body) == [b"/Type /Page", b"/Type /Pages"]  # one page
    slug_url = reverse("self_referral_platform", args=["organisation"]).split("organisation")[0]
    assert slug_url.encode() in body
    assert b"/Subtype /Image" in body  # the QR code


def test_rules_are_edited_by_admins_with_the_audit_log(client, admin_user, platform):
    client.force_login(admin_user)
    assert client.get(reverse("rules_edit")).status_code == 200
    response = client.post(reverse("rules_edit"), {
        "situations": ["rsa", "jobseeker"], "min_french_level": "A1", "validity_months": 12,
    })  # fmt: skip
    assert response.status_code == 302
    policy = policy_for(Organisation.objects.get(pk=platform.pk))
    assert policy.situations == ("jobseeker", "rsa") and not policy.require_project
    assert policy.min_french_level == "A1" and policy.validity_months == 12
    log = AuditLog.objects.get(action="eligibility_policy.updated")
    assert log.actor == admin_user and "validity_months" in log.data
    bad = client.post(reverse("rules_edit"), {"situations": [], "validity_months": 6})
    assert bad.status_code == 400 and "au moins une situation" in bad.content.decode()


def test_advisers_read_the_rules_but_do_not_change_them(client, adviser):
    client.force_login(adviser)
    page = client.get(reverse("rules_edit"))
    assert page.status_code == 200 and "Enregistrer les règles" not in page.content.decode()
    refused = client.post(reverse("rules_edit"), {"situations": ["rsa"], "validity_months": 6})
    assert refused.status_code == 403


def test_organisations_edited_from_pages(client, admin_user, platform, other_platform, partner_org):
    client.force_login(admin_user)
    response = client.post(reverse("organisation_edit", args=[platform.pk]), {
        "name": "Mobilité Allier", "address": "2 rue de Paris", "commune": "Moulins",
        "postcode": "03000",
    })  # fmt: skip
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.name == "Mobilité Allier" and platform.address == "2 rue de Paris"
    log = AuditLog.objects.get(action="organisation.updated")
    assert log.data["name"][1] == "Mobilité Allier"
    for foreign in (other_platform, partner_org):
        assert client.get(reverse("organisation_edit", args=[foreign.pk])).status_code == 404


def test_closing_a_prescriber_takes_it_off_the_network(
    client, admin_user, prescriber_org, platform
):
    client.force_login(admin_user)
    client.post(reverse("organisation_close", args=[prescriber_org.pk]))
    prescriber_org.refresh_from_db()
    assert not prescriber_org.is_active
    _months, rows = network_for(platform_id=platform.pk)
    assert [r.organisation for r in rows] == [None]


@pytest.mark.parametrize(
    ("role", "network", "add", "rules"),
    [("admin_user", 200, 200, 200), ("adviser", 200, 403, 200),
     ("finance_officer", 403, 403, 403), ("partner_manager", 403, 403, 403),
     ("partner_staff", 403, 403, 403), ("prescriber", 403, 403, 403)],
)  # fmt: skip
def test_every_role(client, request, role, network, add, rules):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("network")).status_code == network
    assert client.get(reverse("referral_kit")).status_code == network
    assert client.get(reverse("prescriber_new")).status_code == add
    assert client.get(reverse("rules_edit")).status_code == rules


def test_another_platforms_admin_cannot_touch_our_prescribers(
    client, other_platform, prescriber_org
):
    outsider = member(Role.ADMIN, other_platform)
    client.force_login(outsider)
    assert client.get(reverse("organisation_edit", args=[prescriber_org.pk])).status_code == 404
    assert client.post(reverse("organisation_close", args=[prescriber_org.pk])).status_code == 404
    prescriber_org.refresh_from_db()
    assert prescriber_org.is_active
