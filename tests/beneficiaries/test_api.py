from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.enums import Role
from beneficiaries import journey
from beneficiaries.models import Beneficiary, Consent
from core.models import AuditLog
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.factories import OrganisationFactory, UserFactory, member

PERSON = {
    "first_name": "Aïssa",
    "last_name": "N'Diaye",
    "birth_date": "2001-07-03",
    "situation": "youth_mission_locale",
    "phone": "06 12 34 56 78",
}
FICHE = {
    "first_name": "Élodie",
    "last_name": "Martin",
    "situation": "rsa",
    "need": "Aller au travail à 6 h",
    "consent_to_share": True,
}


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.mark.django_db
def test_adviser_creates_and_reads_with_access_log(api_client, adviser, platform):
    client = as_user(api_client, adviser)
    response = client.post("/api/v1/beneficiaries/", PERSON, format="json")
    assert response.status_code == 201, response.data
    assert response.data["phone"] == "+33612345678"
    assert response.data["platform"] == platform.pk
    pid = response.data["id"]
    assert client.get(f"/api/v1/beneficiaries/{pid}/").status_code == 200
    assert AuditLog.objects.filter(action="beneficiary.read", target_id=str(pid)).count() == 1
    duplicate = client.post(
        "/api/v1/beneficiaries/",
        {**PERSON, "first_name": "AISSA", "last_name": "Ndiaye"},
        format="json",
    )
    assert duplicate.status_code == 409
    assert duplicate.data["code"] == "duplicate_beneficiary"
    assert duplicate.data["duplicates"] == [pid]
    forced = client.post("/api/v1/beneficiaries/", {**PERSON, "create_anyway": True}, format="json")
    assert forced.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"situation": "martian"}, "situation"),
        ({"postcode": "3000"}, "postcode"),
        ({"birth_date": "2001-02-30"}, "birth_date"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_bad_input_is_400_with_the_field(api_client, adviser, body, field):
    response = as_user(api_client, adviser).post(
        "/api/v1/beneficiaries/", {**PERSON, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.data
    assert not Beneficiary.objects.exists()


@pytest.mark.django_db
def test_other_platforms_people_are_404(api_client, platform):
    person = BeneficiaryFactory(platform=platform)
    stranger = member(Role.ADVISER, OrganisationFactory())
    client = as_user(api_client, stranger)
    for url in (
        f"/api/v1/beneficiaries/{person.pk}/",
        f"/api/v1/beneficiaries/{person.pk}/export/",
        f"/api/v1/beneficiaries/{person.pk}/diagnoses/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.patch(f"/api/v1/beneficiaries/{person.pk}/", {"first_name": "X"}).status_code == 404
    )
    assert client.get("/api/v1/beneficiaries/").data["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role_fixture", ["partner_manager", "partner_staff", "prescriber"])
def test_partners_and_prescribers_have_no_access_to_people(
    api_client, request, role_fixture, platform
):
    person = BeneficiaryFactory(platform=platform)
    client = as_user(api_client, request.getfixturevalue(role_fixture))
    assert client.get("/api/v1/beneficiaries/").status_code == 403
    assert client.get(f"/api/v1/beneficiaries/{person.pk}/").status_code == 403
    assert client.post("/api/v1/beneficiaries/", PERSON, format="json").status_code == 403


@pytest.mark.django_db
def test_beneficiaries_cannot_read_records(api_client, platform):
    user = UserFactory()
    BeneficiaryFactory(platform=platform, user=user)
    assert as_user(api_client, user).get("/api/v1/beneficiaries/").status_code == 403
    assert as_user(api_client, user).get("/api/v1/referrals/").status_code == 403


@pytest.mark.django_db
def test_referral_round_trip_and_consent_gating(
    api_client, prescriber, adviser, django_capture_on_commit_callbacks
):
    client = as_user(api_client, prescriber)
    response = client.post("/api/v1/referrals/", FICHE, format="json")
    assert response.status_code == 201, response.data
    rid = response.data["id"]
    assert as_user(api_client, adviser).get("/api/v1/referrals/").data["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        accepted = as_user(api_client, adviser).post(f"/api/v1/referrals/{rid}/accept/")
    assert accepted.status_code == 200 and accepted.data["status"] == "accepted"
    pid = accepted.data["beneficiary"]
    journey.diagnosis_record(
        actor=adviser,
        beneficiary_id=pid,
        held_on=timezone.localdate(),
        duration_minutes=60,
        summary="Synthèse partagée",
        decision="reinforced",
        barriers=[{"category": "material", "code": "Pas de voiture"}],
        share_with_prescriber=True,
    )
    seen = as_user(api_client, prescriber).get(f"/api/v1/referrals/{rid}/").data
    assert seen["follow_up"]["status"] == "reinforced"
    assert seen["follow_up"]["shared_summary"] == "Synthèse partagée"
    consent = Consent.objects.get(beneficiary_id=pid)
    journey.consent_withdraw(actor=adviser, consent_id=consent.pk)
    hidden = as_user(api_client, prescriber).get(f"/api/v1/referrals/{rid}/").data
    assert hidden["follow_up"] is None
    assert "Synthèse" not in str(hidden)


@pytest.mark.django_db
def test_referral_errors(api_client, prescriber, adviser, prescriber_org):
    client = as_user(api_client, prescriber)
    bad = client.post("/api/v1/referrals/", {**FICHE, "need": ""}, format="json")
    assert bad.status_code == 400 and "need" in bad.data
    referral = ReferralFactory(prescriber_organisation=prescriber_org, prescriber=prescriber)
    assert as_user(api_client, adviser).post("/api/v1/referrals/", FICHE).status_code == 403
    refused = as_user(api_client, adviser).post(
        f"/api/v1/referrals/{referral.pk}/refuse/", {"reason": "language_level"}, format="json"
    )
    assert refused.status_code == 200
    again = as_user(api_client, adviser).post(f"/api/v1/referrals/{referral.pk}/accept/")
    assert again.status_code == 409 and again.data["code"] == "invalid_transition"
    wrong_reason = as_user(api_client, adviser).post(
        f"/api/v1/referrals/{referral.pk}/refuse/", {"reason": "because"}, format="json"
    )
    assert wrong_reason.status_code == 400 and "reason" in wrong_reason.data
    other_prescriber = member(Role.PRESCRIBER, OrganisationFactory(prescriber=True))
    assert (
        as_user(api_client, other_prescriber).get(f"/api/v1/referrals/{referral.pk}/").status_code
        == 404
    )


@pytest.mark.django_db
def test_diagnosis_and_follow_up_endpoints(api_client, adviser, platform):
    person = BeneficiaryFactory(platform=platform)
    client = as_user(api_client, adviser)
    response = client.post(
        f"/api/v1/beneficiaries/{person.pk}/diagnoses/",
        {
            "held_on": "2026-11-20",
            "duration_minutes": 90,
            "summary": "s",
            "decision": "reinforced",
            "barriers": [
                {"category": "financial", "code": "Essence"},
                {"category": "cognitive", "code": "Lire un plan", "priority": 1},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert [b["code"] for b in response.data["barriers"]] == ["Lire un plan", "Essence"]
    bad = client.post(
        f"/api/v1/beneficiaries/{person.pk}/diagnoses/",
        {
            "held_on": "2026-11-20",
            "duration_minutes": 90,
            "summary": "s",
            "decision": "reinforced",
            "barriers": [{"category": "health", "code": "x"}],
        },
        format="json",
    )
    assert bad.status_code == 400
    future = client.post(
        f"/api/v1/beneficiaries/{person.pk}/follow-ups/",
        {"held_on": "2099-01-01", "channel": "phone"},
        format="json",
    )
    assert future.status_code == 400
    ok = client.post(
        f"/api/v1/beneficiaries/{person.pk}/follow-ups/",
        {"held_on": str(timezone.localdate()), "channel": "phone"},
        format="json",
    )
    assert ok.status_code == 201
    closed = client.post(
        f"/api/v1/beneficiaries/{person.pk}/outcome/",
        {"code": "training", "exited_on": "2026-11-21"},
        format="json",
    )
    assert closed.status_code == 201
    person.refresh_from_db()
    assert person.status == "closed"


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_list_query_counts_are_flat(
    api_client, adviser, platform, prescriber_org, count, django_assert_num_queries
):
    BeneficiaryFactory.create_batch(count, platform=platform)
    ReferralFactory.create_batch(count, prescriber_organisation=prescriber_org)
    client = as_user(api_client, adviser)
    with django_assert_num_queries(3):  # memberships, count, page
        response = client.get("/api/v1/beneficiaries/", {"page_size": 50})
    assert response.data["count"] == count
    client = as_user(api_client, type(adviser).objects.get(pk=adviser.pk))  # fresh memberships
    with django_assert_num_queries(3):
        response = client.get("/api/v1/referrals/", {"page_size": 50})
    assert response.data["count"] == count


@pytest.mark.django_db
def test_list_offers_the_people_pages_filters(api_client, adviser, platform):
    """One selector (`beneficiary_list_filtered`) for the API and the people page."""
    colleague = member(Role.ADVISER, platform)
    mine = BeneficiaryFactory(platform=platform, adviser=adviser, last_name="Müller-Durand",
                              first_name="Élodie", status="reinforced")  # fmt: skip
    theirs = BeneficiaryFactory(platform=platform, adviser=colleague, last_name="Bernard",
                                first_name="Paul", status="diagnosis")  # fmt: skip
    client = as_user(api_client, adviser)

    def ids(**params) -> list[int]:
        response = client.get("/api/v1/beneficiaries/", params)
        assert response.status_code == 200, response.data
        return [p["id"] for p in response.data["results"]]

    assert ids() == [theirs.pk, mine.pk]  # by last name
    assert ids(q="muller ELO") == [mine.pk]  # accents, case and hyphens do not matter
    assert ids(mine="true") == [mine.pk]
    assert ids(status="diagnosis") == [theirs.pk]
    assert ids(q="bernard", mine="true") == []
    response = client.get("/api/v1/beneficiaries/", {"status": "nope"})
    assert response.status_code == 400 and "status" in response.data


@pytest.mark.django_db
def test_referral_lists_follow_the_pages(api_client, adviser, prescriber, prescriber_org):
    """Staff: waiting the oldest first, answered the latest answer first (the inbox page).
    Prescribers: the latest sent first, and a status filter too (their list page)."""
    now = timezone.now()
    first, second, third = (
        ReferralFactory(prescriber_organisation=prescriber_org, prescriber=prescriber,
                        created_at=now - timedelta(days=days))
        for days in (3, 2, 1)
    )  # fmt: skip
    for referral, days in ((first, 0), (second, 1)):  # the first one was answered last
        referral.status, referral.answered_at = "refused", now - timedelta(days=days)
        referral.save(update_fields=["status", "answered_at"])

    def ids(user, **params) -> list[int]:
        response = as_user(api_client, user).get("/api/v1/referrals/", params)
        assert response.status_code == 200, response.data
        return [r["id"] for r in response.data["results"]]

    assert ids(adviser, status="refused") == [first.pk, second.pk]
    assert ids(adviser, status="submitted") == [third.pk]
    assert ids(adviser) == [first.pk, second.pk, third.pk]
    assert ids(prescriber) == [third.pk, second.pk, first.pk]
    assert ids(prescriber, status="refused") == [second.pk, first.pk]
    bad = as_user(api_client, prescriber).get("/api/v1/referrals/", {"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.data
