"""The adviser's pages about the people they support: who sees what, the access log, the
forms and what they refuse, the duplicate path, the journey, the active files."""

import html
import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from beneficiaries import journey, services
from beneficiaries.enums import BeneficiaryStatus, ConsentPurpose
from beneficiaries.models import Beneficiary, Consent, FollowUp, Outcome
from core.models import AuditLog
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

SUMMARY = "Pas de voiture, bus trop rares le matin pour l'atelier de Moulins."


# --- Fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(
        platform=platform,
        adviser=adviser,
        first_name="Élodie",
        last_name="Müller-Durand",
        birth_date=date(1990, 2, 1),
        situation="jobseeker",
        professional_project="Aide-soignante",
        project_defined=True,
        french_level="B1",
        household="Seule avec deux enfants",
        income_notes="Allocation de retour à l'emploi",
    )


@pytest.fixture
def referred(person, prescriber_org, prescriber):
    """The person came through a referral of the Mission Locale, with consent to share."""
    referral = ReferralFactory(
        prescriber_organisation=prescriber_org, prescriber=prescriber, beneficiary=person
    )
    Consent.objects.create(
        beneficiary=person,
        purpose=ConsentPurpose.SHARE_WITH_PRESCRIBER,
        prescriber_organisation=prescriber_org,
        given_at=timezone.now(),
    )
    return referral


@pytest.fixture
def other_adviser(other_platform):
    return member(Role.ADVISER, other_platform)


@pytest.fixture
def beneficiary_user(platform):
    user = UserFactory()
    BeneficiaryFactory(platform=platform, user=user)
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def reads(person) -> int:
    return AuditLog.objects.filter(
        action="beneficiary.read",
        target_type="beneficiaries.beneficiary",
        target_id=str(person.pk),
    ).count()


def person_pages(person) -> list[str]:
    kwargs = {"beneficiary_id": person.pk}
    return [
        reverse("beneficiary_detail", kwargs=kwargs),
        reverse("beneficiary_edit", kwargs=kwargs),
        reverse("diagnosis_new", kwargs=kwargs),
        reverse("beneficiary_timeline", kwargs=kwargs),
        reverse("beneficiary_export", kwargs=kwargs),
    ]


def all_pages(person) -> list[str]:
    return [
        reverse("beneficiary_list"),
        reverse("beneficiary_new"),
        reverse("caseload"),
        *person_pages(person),
    ]


def post_urls(person, barrier_id=1, item_id=1, consent_id=1) -> list[str]:
    kwargs = {"beneficiary_id": person.pk}
    return [
        reverse("record_eligibility", kwargs=kwargs),
        reverse("record_barrier_lift", kwargs={**kwargs, "barrier_id": barrier_id}),
        reverse("record_action_add", kwargs=kwargs),
        reverse("record_action_done", kwargs={**kwargs, "item_id": item_id}),
        reverse("record_follow_up", kwargs=kwargs),
        reverse("record_consent_give", kwargs=kwargs),
        reverse("record_consent_withdraw", kwargs={**kwargs, "consent_id": consent_id}),
        reverse("record_outcome", kwargs=kwargs),
        reverse("beneficiary_edit", kwargs=kwargs),
        reverse("diagnosis_new", kwargs=kwargs),
    ]


def record_diagnosis(person, adviser, **overrides):
    fields = {
        "actor": adviser,
        "beneficiary_id": person.pk,
        "held_on": timezone.localdate(),
        "duration_minutes": 90,
        "summary": SUMMARY,
        "decision": "reinforced",
        "barriers": [{"category": "material", "code": "Pas de voiture", "priority": 1}],
    }
    return journey.diagnosis_record(**{**fields, **overrides})


def diagnosis_post(**overrides) -> dict:
    data = {
        "held_on": timezone.localdate().isoformat(),
        "duration_minutes": "90",
        "summary": SUMMARY,
        "decision": "reinforced",
        "freins-TOTAL_FORMS": "5",
        "freins-INITIAL_FORMS": "0",
        "freins-MIN_NUM_FORMS": "0",
        "freins-MAX_NUM_FORMS": "5",
    }
    for i in range(5):
        data.update(
            {f"freins-{i}-category": "", f"freins-{i}-code": "", f"freins-{i}-priority": "2"}
        )
    data.update(overrides)
    return data


def text(response) -> str:
    """The page as people read it (entities decoded)."""
    return html.unescape(response.content.decode())


# --- Who may open what ------------------------------------------------------------------


def test_every_page_opens_for_the_adviser(client, adviser, person, referred):
    record_diagnosis(person, adviser)
    signed_in(client, adviser)
    for url in all_pages(person):
        response = client.get(url)
        assert response.status_code == 200, url


def test_another_platforms_adviser_gets_404_everywhere(client, other_adviser, person):
    signed_in(client, other_adviser)
    for url in person_pages(person):
        assert client.get(url).status_code == 404, url
    for url in post_urls(person):
        assert client.post(url, {}).status_code == 404, url
    assert "Müller" not in text(client.get(reverse("beneficiary_list")))
    assert reads(person) == 0


@pytest.mark.parametrize("role", ["partner_manager", "prescriber", "beneficiary_user"])
def test_partners_prescribers_and_beneficiaries_get_403(client, request, person, role):
    user = request.getfixturevalue(role)
    signed_in(client, user)
    for url in all_pages(person):
        assert client.get(url).status_code == 403, url
    for url in post_urls(person):
        assert client.post(url, {}).status_code == 403, url
    assert reads(person) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, person):
    response = client.get(reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk}))
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]


def test_a_partner_manager_sees_none_of_the_social_data(client, adviser, partner_manager, person):
    record_diagnosis(person, adviser)
    journey.follow_up_record(
        actor=adviser, beneficiary_id=person.pk, held_on=timezone.localdate(), channel="phone",
        notes="Parle de son budget serré",
    )  # fmt: skip
    signed_in(client, partner_manager)
    urls = ["/", reverse("catalogue_search"), *all_pages(person), *post_urls(person)]
    secrets = [SUMMARY, "Pas de voiture", "Aide-soignante", "Demandeur", "Seule avec deux",
               "retour à l'emploi", "budget serré", "Müller", "1990"]  # fmt: skip
    for url in urls:
        body = text(client.get(url))
        for secret in secrets:
            assert secret not in body, (url, secret)
    home = text(client.get("/"))
    assert reverse("beneficiary_list") not in home
    assert reverse("caseload") not in home


# --- Navigation -------------------------------------------------------------------------


def test_home_and_navigation_links(client, adviser, admin_user, finance_officer):
    home = text(signed_in(client, adviser).get("/"))
    assert "Mes personnes accompagnées" in home
    assert f'href="{reverse("beneficiary_list")}?mine=on"' in home
    assert f'href="{reverse("beneficiary_list")}"' in home  # "Personnes" in the navigation
    home = text(signed_in(client, admin_user).get("/"))
    assert f'href="{reverse("caseload")}"' in home
    assert "File active des conseillers" in home
    home = text(signed_in(client, finance_officer).get("/"))
    assert f'href="{reverse("beneficiary_list")}"' in home


# --- Access log and export --------------------------------------------------------------


def test_each_view_of_the_record_writes_one_access_log_row(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})
    assert client.get(url).status_code == 200
    assert reads(person) == 1
    client.get(url)
    assert reads(person) == 2
    row = AuditLog.objects.filter(action="beneficiary.read").first()
    assert row.actor == adviser
    assert row.data == {"as": "view"}
    client.get(reverse("beneficiary_list"))  # the list is not a read of a record
    assert reads(person) == 2


def test_export_downloads_everything_and_is_logged(client, adviser, person, referred):
    record_diagnosis(
        person,
        adviser,
        barriers=[
            {"category": "material", "code": "Pas de voiture", "priority": 1},
            {"category": "financial", "code": "Budget carburant", "priority": 2},
        ],
    )
    journey.follow_up_record(
        actor=adviser, beneficiary_id=person.pk, held_on=timezone.localdate(),
        channel="in_person", notes="Point sur le permis",
    )  # fmt: skip
    signed_in(client, adviser)
    before = reads(person)
    response = client.get(reverse("beneficiary_export", kwargs={"beneficiary_id": person.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"personne-{person.pk}-" in response["Content-Disposition"]
    assert reads(person) == before + 1
    data = json.loads(response.content)
    assert data["person"]["last_name"] == "Müller-Durand"
    assert data["diagnoses"][0]["summary"] == SUMMARY
    assert {b["code"] for b in data["barriers"]} == {"Pas de voiture", "Budget carburant"}
    assert data["follow_ups"][0]["notes"] == "Point sur le permis"
    assert data["consents"][0]["purpose"] == "share_with_prescriber"


# --- The list ---------------------------------------------------------------------------


def test_list_searches_filters_and_flags_overdue_support(client, adviser, platform, person):
    colleague = member(Role.ADVISER, platform)
    quiet = BeneficiaryFactory(platform=platform, adviser=colleague, last_name="Bernard",
                               first_name="Paul", status=BeneficiaryStatus.REINFORCED)  # fmt: skip
    long_ago = timezone.localdate() - timedelta(days=50)
    FollowUp.objects.create(beneficiary=quiet, held_on=long_ago, channel="phone")
    seen = BeneficiaryFactory(platform=platform, adviser=adviser, last_name="Petit",
                              first_name="Zoé", status=BeneficiaryStatus.REINFORCED)  # fmt: skip
    FollowUp.objects.create(
        beneficiary=seen, held_on=timezone.localdate() - timedelta(days=10), channel="phone"
    )
    signed_in(client, adviser)
    url = reverse("beneficiary_list")

    body = text(client.get(url))
    assert "3 personnes" in body
    rows = {m[0]: m[1] for m in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>",
                                           body, re.S)}  # fmt: skip
    flagged = [name for name, cells in rows.items() if "pas de suivi depuis 6 semaines" in cells]
    assert len(flagged) == 1 and "BERNARD" in flagged[0]

    body = text(client.get(url, {"q": "muller"}))  # accents, case and hyphens do not matter
    assert "Müller-Durand".upper() in body.upper() and "BERNARD" not in body
    body = text(client.get(url, {"q": "durand elo"}))
    assert "1 personne" in body
    body = text(client.get(url, {"mine": "on"}))
    assert "2 personnes" in body and "BERNARD" not in body
    body = text(client.get(url, {"status": "reinforced"}))
    assert "2 personnes" in body and "MÜLLER" not in body


def test_other_platforms_people_are_not_listed(client, adviser, other_platform, person):
    BeneficiaryFactory(platform=other_platform, last_name="Ailleurs")
    body = text(signed_in(client, adviser).get(reverse("beneficiary_list")))
    assert "1 personne" in body
    assert "AILLEURS" not in body


@pytest.mark.parametrize("count", [5, 40])
def test_list_query_count_does_not_grow(client, adviser, platform, count,
                                        django_assert_num_queries):  # fmt: skip
    for i in range(count):
        BeneficiaryFactory(platform=platform, adviser=adviser, last_name=f"Nom{i:02d}",
                           status=BeneficiaryStatus.REINFORCED)  # fmt: skip
    signed_in(client, adviser)
    # session, user, memberships, managed organisations (navigation), count, page, overdue
    with django_assert_num_queries(7):
        response = client.get(reverse("beneficiary_list"))
    assert response.status_code == 200
    assert len(re.findall(r'<th scope="row">', text(response))) == min(count, 25)


def test_list_pages_by_25(client, adviser, platform):
    for i in range(30):
        BeneficiaryFactory(platform=platform, last_name=f"Nom{i:02d}")
    signed_in(client, adviser)
    body = text(client.get(reverse("beneficiary_list"), {"page": 2}))
    assert len(re.findall(r'<th scope="row">', body)) == 5
    assert "NOM29" in body and "NOM00" not in body


# --- A new record and the duplicate path ------------------------------------------------


NEW = {
    "first_name": "Élodie",
    "last_name": "Müller-Durand",
    "birth_date": "1990-02-01",
    "phone": "06 11 22 33 44",
    "situation": "jobseeker",
    "french_level": "B1",
}


def test_create_a_record(client, adviser, platform):
    signed_in(client, adviser)
    response = client.post(reverse("beneficiary_new"), NEW)
    created = Beneficiary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "beneficiary_detail", kwargs={"beneficiary_id": created.pk}
    )
    assert created.platform == platform
    assert created.adviser == adviser
    assert created.phone == "+33611223344"


def test_missing_last_name_is_refused_in_french_and_input_kept(client, adviser):
    signed_in(client, adviser)
    response = client.post(reverse("beneficiary_new"), {**NEW, "last_name": ""})
    assert response.status_code == 400
    body = text(response)
    assert "Écrivez son nom de famille." in body
    assert "Le formulaire n'a pas été enregistré" in body
    assert 'value="Élodie"' in body
    assert 'value="06 11 22 33 44"' in body
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(
    ("last_name", "first_name"),
    [("MULLER DURAND", "elodie"), ("muller-durand", "ÉLODIE"), ("Müller Durand", "Elodie")],
)
def test_duplicate_path(client, adviser, person, last_name, first_name):
    signed_in(client, adviser)
    data = {**NEW, "last_name": last_name, "first_name": first_name}
    response = client.post(reverse("beneficiary_new"), data)
    assert response.status_code == 409
    body = text(response)
    assert "Cette personne est peut-être déjà suivie" in body
    same = reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})
    assert f'href="{same}"' in body  # "c'est la même personne" goes to that record
    assert "C'est la même personne" in body
    assert f'value="{last_name}"' in body  # what was typed stays
    assert Beneficiary.objects.count() == 1
    assert client.get(same).status_code == 200

    response = client.post(reverse("beneficiary_new"), {**data, "create_anyway": "on"})
    assert response.status_code == 302
    assert Beneficiary.objects.count() == 2


def test_a_namesake_on_another_platform_is_no_duplicate(client, other_adviser, person):
    signed_in(client, other_adviser)
    response = client.post(reverse("beneficiary_new"), NEW)
    assert response.status_code == 302
    assert Beneficiary.objects.count() == 2


def test_edit_a_record(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("beneficiary_edit", kwargs={"beneficiary_id": person.pk})
    body = text(client.get(url))
    assert 'value="Müller-Durand"' in body
    assert "santé" in body  # household and income notes say: nothing about health
    response = client.post(url, {**NEW, "commune": "Yzeure", "vehicle": "broken"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.commune, person.vehicle) == ("Yzeure", "broken")
    assert AuditLog.objects.filter(action="beneficiary.updated").count() == 1


def test_no_health_field_and_nationality_in_three_groups(client, adviser):
    body = text(signed_in(client, adviser).get(reverse("beneficiary_new")))
    options = re.findall(r'<select name="nationality_group".*?</select>', body, re.S)[0]
    assert re.findall(r'<option value="([^"]*)"', options) == ["", "FR", "EU", "non_EU"]
    names = set(re.findall(r'name="([a-z_]+)"', body))
    assert not {n for n in names if "health" in n or "sante" in n or "handicap" in n}


# --- The record page --------------------------------------------------------------------


def test_record_shows_the_person_and_the_latest_eligibility(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})
    body = text(client.get(url))
    for expected in ["Müller-Durand", "1 février 1990", "Demandeur·euse d'emploi",
                     "Aide-soignante", "B1", "Seule avec deux enfants"]:  # fmt: skip
        assert expected in body, expected
    assert "pas encore été vérifiée" in body

    response = client.post(reverse("record_eligibility", kwargs={"beneficiary_id": person.pk}))
    assert response.status_code == 302
    body = text(client.get(response["Location"]))
    assert "Éligible" in body
    assert body.count("condition remplie") == 3
    check = person.eligibility_checks.get()
    assert f"Valable jusqu'au {check.valid_until.day}" in body


def test_an_expired_eligibility_check_says_so(client, adviser, person):
    check = services.eligibility_check(actor=adviser, beneficiary_id=person.pk)
    check.valid_until = timezone.localdate() - timedelta(days=1)
    check.save()
    person.french_level = "A1"
    person.save()
    signed_in(client, adviser)
    body = text(client.get(reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})))
    assert "n'est plus valable depuis" in body


def test_unmet_rules_are_listed(client, adviser, person):
    person.french_level = "A1"
    person.project_defined = False
    person.save()
    services.eligibility_check(actor=adviser, beneficiary_id=person.pk)
    body = text(
        signed_in(client, adviser).get(
            reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})
        )
    )
    assert "Pas éligible" in body
    assert body.count("condition non remplie") == 2


def test_diagnosis_with_two_barriers_sets_reinforced_support(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("diagnosis_new", kwargs={"beneficiary_id": person.pk})
    response = client.post(url, diagnosis_post(**{
        "freins-0-category": "material", "freins-0-code": "Pas de voiture",
        "freins-0-priority": "1",
        "freins-2-category": "cognitive", "freins-2-code": "Peur de se perdre en ville",
    }))  # fmt: skip
    assert response.status_code == 302, text(response)
    person.refresh_from_db()
    assert person.status == BeneficiaryStatus.REINFORCED
    assert person.barriers.count() == 2
    body = text(client.get(response["Location"].split("#")[0]))
    assert "Pas de voiture" in body and "Peur de se perdre en ville" in body
    assert "Accompagnement renforcé" in body
    assert SUMMARY in body


def test_a_half_filled_barrier_row_is_refused(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("diagnosis_new", kwargs={"beneficiary_id": person.pk})
    response = client.post(url, diagnosis_post(**{"freins-1-code": "Trop loin"}))
    assert response.status_code == 400
    assert "Choisissez le type de cette difficulté." in text(response)
    assert not person.diagnoses.exists()


def test_diagnosis_without_summary_is_refused_and_input_kept(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("diagnosis_new", kwargs={"beneficiary_id": person.pk})
    before = reads(person)
    response = client.post(url, diagnosis_post(summary="", **{
        "freins-0-category": "material", "freins-0-code": "Voiture en panne",
    }))  # fmt: skip
    assert response.status_code == 400
    body = text(response)
    assert "Ce champ est obligatoire." in body
    assert 'value="Voiture en panne"' in body
    assert 'value="reinforced" required checked' in body or (
        re.search(r'value="reinforced"[^>]*checked', body) is not None
    )
    assert not person.diagnoses.exists()
    assert reads(person) == before + 1  # the page shown again is a view of the record


def test_share_checkbox_follows_consent(client, adviser, person, referred):
    signed_in(client, adviser)
    url = reverse("diagnosis_new", kwargs={"beneficiary_id": person.pk})
    checkbox = re.compile(r'<input type="checkbox" name="share_with_prescriber"[^>]*>')
    assert "disabled" not in checkbox.search(text(client.get(url))).group(0)

    consent = person.consents.get()
    response = client.post(
        reverse(
            "record_consent_withdraw",
            kwargs={"beneficiary_id": person.pk, "consent_id": consent.pk},
        )
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    body = text(client.get(url))
    assert "disabled" in checkbox.search(body).group(0)
    assert "pas donné son accord" in body
    # Even a forged tick does not share: the field is disabled.
    response = client.post(url, diagnosis_post(share_with_prescriber="on"))
    assert response.status_code == 302
    assert person.diagnoses.get().shared_with_prescriber_at is None


def test_sharing_the_diagnosis_with_consent(client, adviser, person, referred):
    signed_in(client, adviser)
    url = reverse("diagnosis_new", kwargs={"beneficiary_id": person.pk})
    response = client.post(url, diagnosis_post(share_with_prescriber="on"))
    assert response.status_code == 302
    assert person.diagnoses.get().shared_with_prescriber_at is not None


def test_give_consent_to_share_with_a_referring_prescriber(
    client, adviser, person, prescriber_org, prescriber
):
    ReferralFactory(prescriber_organisation=prescriber_org, prescriber=prescriber,
                    beneficiary=person)  # fmt: skip
    stranger = OrganisationFactory(prescriber=True, name="CCAS lointain")
    signed_in(client, adviser)
    url = reverse("record_consent_give", kwargs={"beneficiary_id": person.pk})
    page = text(client.get(reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})))
    assert "Mission Locale A" in page and "CCAS lointain" not in page

    data = {"purpose": "share_with_prescriber", "prescriber_organisation_id": stranger.pk}
    assert client.post(url, data).status_code == 400  # only the person's prescribers
    response = client.post(url, {**data, "prescriber_organisation_id": prescriber_org.pk})
    assert response.status_code == 302
    consent = person.consents.get()
    assert consent.prescriber_organisation == prescriber_org
    assert consent.recorded_by == adviser

    response = client.post(url, {"purpose": "share_with_prescriber"})
    assert response.status_code == 400
    assert "ne se partage qu'avec un prescripteur qui a orienté la personne" in text(response)


def test_barriers_lift_and_action_plan(client, adviser, person):
    record_diagnosis(person, adviser)
    barrier = person.barriers.get()
    signed_in(client, adviser)
    kwargs = {"beneficiary_id": person.pk}
    response = client.post(
        reverse("record_action_add", kwargs=kwargs),
        {"action": "Demander l'aide au permis", "barrier_id": barrier.pk,
         "due_on": (timezone.localdate() + timedelta(days=14)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    item = person.action_items.get()
    assert item.barrier == barrier
    body = text(client.get(reverse("beneficiary_detail", kwargs=kwargs)))
    assert "Demander l'aide au permis" in body

    client.post(reverse("record_action_done", kwargs={**kwargs, "item_id": item.pk}))
    item.refresh_from_db()
    assert item.done_at is not None
    client.post(reverse("record_barrier_lift", kwargs={**kwargs, "barrier_id": barrier.pk}))
    barrier.refresh_from_db()
    assert barrier.lifted_at is not None
    body = text(client.get(reverse("beneficiary_detail", kwargs=kwargs)))
    assert "Levée le" in body and "Faite le" in body

    response = client.post(reverse("record_action_add", kwargs=kwargs), {"action": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)


def test_an_item_of_another_person_is_404(client, adviser, person, platform):
    other = BeneficiaryFactory(platform=platform)
    record_diagnosis(other, adviser)
    barrier = other.barriers.get()
    signed_in(client, adviser)
    url = reverse(
        "record_barrier_lift", kwargs={"beneficiary_id": person.pk, "barrier_id": barrier.pk}
    )
    assert client.post(url).status_code == 404
    barrier.refresh_from_db()
    assert barrier.lifted_at is None


def test_record_a_follow_up(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("record_follow_up", kwargs={"beneficiary_id": person.pk})
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(url, {"held_on": day.isoformat(), "channel": "phone",
                                 "notes": "Il a trouvé un covoiturage"})  # fmt: skip
    assert response.status_code == 302
    assert person.follow_ups.get().held_on == day


def test_a_follow_up_in_the_future_is_refused_and_input_kept(client, adviser, person):
    signed_in(client, adviser)
    url = reverse("record_follow_up", kwargs={"beneficiary_id": person.pk})
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = reads(person)
    response = client.post(url, {"held_on": tomorrow.isoformat(), "channel": "video",
                                 "notes": "Prévu demain"})  # fmt: skip
    assert response.status_code == 400
    body = text(response)
    assert "Un rendez-vous de suivi se note une fois qu'il a eu lieu." in body
    assert 'id="suivi_held_on_error"' in body  # next to the date, and linked from the summary
    assert 'href="#suivi_held_on"' in body
    assert f'value="{tomorrow.isoformat()}"' in body
    assert "Prévu demain</textarea>" in body
    assert re.search(r'<option value="video" selected>', body)
    assert not person.follow_ups.exists()
    assert reads(person) == before + 1


def test_outcome_closes_the_support(client, adviser, person):
    record_diagnosis(person, adviser)
    signed_in(client, adviser)
    url = reverse("record_outcome", kwargs={"beneficiary_id": person.pk})
    response = client.post(url, {"code": "durable_employment",
                                 "exited_on": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == BeneficiaryStatus.CLOSED
    assert Outcome.objects.get(beneficiary=person).code == "durable_employment"
    body = text(client.get(reverse("beneficiary_detail", kwargs={"beneficiary_id": person.pk})))
    assert "Emploi durable" in body and "L'accompagnement est terminé." in body
    assert reverse("record_outcome", kwargs={"beneficiary_id": person.pk}) not in body
    # No new diagnosis once the support is over: the service's conflict is the page's status
    # (core.web.run_service), and the page says why.
    response = client.post(
        reverse("diagnosis_new", kwargs={"beneficiary_id": person.pk}), diagnosis_post()
    )
    assert response.status_code == 409
    assert "on ne peut plus enregistrer de diagnostic" in text(response)
    assert person.diagnoses.count() == 1


def test_timeline_lists_what_happened(client, adviser, person, referred):
    record_diagnosis(person, adviser)
    journey.follow_up_record(actor=adviser, beneficiary_id=person.pk,
                             held_on=timezone.localdate(), channel="phone")  # fmt: skip
    signed_in(client, adviser)
    before = reads(person)
    body = text(client.get(reverse("beneficiary_timeline", kwargs={"beneficiary_id": person.pk})))
    for title in ["Orientation reçue", "Diagnostic mobilité", "Rendez-vous de suivi",
                  "Accord donné"]:  # fmt: skip
        assert title in body, title
    assert reads(person) == before + 1


# --- Active files -----------------------------------------------------------------------


def test_caseload_counts_each_advisers_active_file(client, adviser, admin_user, platform):
    adviser.first_name, adviser.last_name = "Marie", "Curie"
    adviser.save()
    colleague = member(Role.ADVISER, platform, first_name="Jean", last_name="Moulin")
    for status in ["referred", "diagnosis", "reinforced", "reinforced", "light_advice"]:
        BeneficiaryFactory(platform=platform, adviser=adviser, status=status)
    BeneficiaryFactory(platform=platform, adviser=adviser, status="closed")
    BeneficiaryFactory(platform=platform, adviser=colleague, status="reinforced")
    BeneficiaryFactory(
        platform=OrganisationFactory(), adviser=colleague, status="reinforced"
    )  # another platform's file does not count here
    response = signed_in(client, admin_user).get(reverse("caseload"))
    assert response.status_code == 200
    body = text(response)
    rows = re.findall(r'<li class="caseload-row.*?</li>', body, re.S)
    curie = next(r for r in rows if "Marie Curie" in r)
    moulin = next(r for r in rows if "Jean Moulin" in r)
    assert "5 personnes suivies sur une norme de 100, soit 5 %." in curie
    assert "Dont 2 en accompagnement renforcé" in curie
    assert 'value="5"' in curie
    assert "Il reste de la place pour 95 personnes." in curie
    assert "1 personne suivie sur une norme de 100, soit 1 %." in moulin


def test_caseload_over_the_norm(client, adviser, platform, settings):
    settings.CASELOAD_NORM = 4
    for _ in range(5):
        BeneficiaryFactory(platform=platform, adviser=adviser, status="reinforced")
    body = text(signed_in(client, adviser).get(reverse("caseload")))
    assert "5 personnes suivies sur une norme de 4, soit 125 %." in body
    assert "Au-dessus de la norme" in body
    assert 'value="4"' in body  # the bar stops at full
