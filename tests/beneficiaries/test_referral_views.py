"""Referral pages: the prescriber's fiche, list and status page, the signed link, the adviser's
inbox (accept, duplicates, refuse), who may open what, and what never shows."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.enums import Role
from beneficiaries import journey, services
from beneficiaries.enums import BeneficiaryStatus, ReferralStatus
from beneficiaries.models import Beneficiary, Diagnosis, Referral
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

NEED = "Pas de bus le matin pour aller à la formation à Yzeure"
PROJECT = "Devenir aide-soignante à l'hôpital de Moulins"
STEPS = "Inscrite à la formation, CV fait avec sa conseillère"
SUMMARY = "Synthèse : le permis est la priorité, budget serré"
FOLLOW_UP_NOTE = "Note privée du rendez-vous"
INCOME = "RSA et allocation logement"
BARRIER = "Pas d'argent pour le carburant"

FORM = {
    "first_name": "Élodie",
    "last_name": "Müller-Durand",
    "birth_date": "01/02/1990",
    "phone": "06 12 34 56 78",
    "email": "",
    "commune": "Moulins",
    "postcode": "03000",
    "situation": "jobseeker",
    "professional_project": PROJECT,
    "steps_taken": STEPS,
    "french_level": "B1",
    "need": NEED,
    "consent_to_share": "on",
}
FICHE = {
    "first_name": "Élodie",
    "last_name": "Müller-Durand",
    "birth_date": date(1990, 2, 1),
    "phone": "+33612345678",
    "commune": "Moulins",
    "postcode": "03000",
    "situation": "jobseeker",
    "professional_project": PROJECT,
    "steps_taken": STEPS,
    "french_level": "B1",
    "need": NEED,
}


# --- Fixtures and helpers -------------------------------------------------------------------


def submit(prescriber, organisation, **fields) -> Referral:
    return services.referral_submit(
        actor=prescriber, prescriber_organisation=organisation, **{**FICHE, **fields}
    )


@pytest.fixture
def referral(prescriber, prescriber_org):
    return submit(prescriber, prescriber_org, consent_to_share=True)


@pytest.fixture
def beneficiary_user(platform):
    user = UserFactory()
    BeneficiaryFactory(platform=platform, user=user, first_name="Léa", last_name="Martin")
    return user


@pytest.fixture
def other_adviser(other_platform):
    return member(Role.ADVISER, other_platform)


def signed_in(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's visible text, tags removed and spaces squeezed."""
    body = re.sub(r"<[^>]+>", " ", html(response))
    return " ".join(body.replace("&#x27;", "'").replace("&nbsp;", " ").split())


def accept(client, referral, **data):
    return client.post(reverse("referral_accept", args=[referral.pk]), data)


def status_link_path(referral) -> str:
    return services.referral_status_url(referral).removeprefix(settings.SITE_URL)


def record_url(beneficiary) -> str:
    try:
        return reverse("beneficiary_detail", kwargs={"beneficiary_id": beneficiary.pk})
    except NoReverseMatch:
        return reverse("referral_inbox")


def accepted_with_diagnosis(referral, adviser, *, share: bool) -> Beneficiary:
    services.referral_accept(actor=adviser, referral_id=referral.pk)
    referral.refresh_from_db()
    beneficiary = referral.beneficiary
    Beneficiary.objects.filter(pk=beneficiary.pk).update(income_notes=INCOME)
    journey.diagnosis_record(
        actor=adviser,
        beneficiary_id=beneficiary.pk,
        held_on=timezone.localdate(),
        duration_minutes=90,
        summary=SUMMARY,
        decision="reinforced",
        barriers=[{"category": "financial", "code": BARRIER}],
        share_with_prescriber=share,
    )
    journey.follow_up_record(
        actor=adviser,
        beneficiary_id=beneficiary.pk,
        held_on=timezone.localdate(),
        channel="phone",
        notes=FOLLOW_UP_NOTE,
    )
    return beneficiary


# --- The fiche de repérage ------------------------------------------------------------------


def test_the_form_speaks_plain_french(client, prescriber):
    response = signed_in(client, prescriber).get(reverse("referral_new"))
    assert response.status_code == 200
    page = text(response)
    assert "Ses difficultés pour se déplacer" in page
    assert "La personne est d'accord pour que la plateforme me tienne informé·e" in page
    assert "Se débrouille au quotidien (A2)" in page
    assert "La personne touche le RSA (revenu de solidarité active)." in page
    assert 'type="tel"' in html(response)
    assert "prescriber_organisation" not in html(response)  # one organisation: no choice


def test_a_prescriber_submits_a_referral(
    client, prescriber, prescriber_org, adviser, other_adviser, django_capture_on_commit_callbacks
):
    signed_in(client, prescriber)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referral_new"), FORM)

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referral_detail_prescriber", args=[referral.pk])
    assert referral.prescriber_organisation == prescriber_org
    assert referral.platform_id == prescriber_org.platform_id
    assert referral.phone == "+33612345678"  # French numbers are accepted
    assert referral.birth_date == date(1990, 2, 1)
    assert referral.consent_to_share and referral.consent_at is not None
    assert referral.status == ReferralStatus.SUBMITTED
    # The platform's advisers get the « nouvelle orientation » e-mail; no other platform does.
    assert [m.to for m in mail.outbox] == [[adviser.email]]
    assert mail.outbox[0].subject == "Nouvelle orientation de Mission Locale A"
    assert reverse("referral_inbox") in mail.outbox[0].body

    page = text(client.get(response.url))
    assert "Orientation envoyée à la plateforme" in page
    assert "Envoyée" in page
    assert "Retirer l'orientation" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "Indiquez le nom de la personne."),
        ({"first_name": "  "}, "first_name", "Indiquez le prénom de la personne."),
        ({"phone": "12 34"}, "phone", "Numéro de téléphone invalide"),
        ({"need": ""}, "need", "Décrivez ses difficultés pour se déplacer."),
        ({"phone": "", "email": ""}, "phone", "Indiquez un téléphone ou une adresse e-mail"),
        ({"birth_date": "31/02/1990"}, "birth_date", "Écrivez la date ainsi : 12/04/1998."),
        ({"postcode": "3000"}, "postcode", "Le code postal compte 5 chiffres"),
        ({"situation": ""}, "situation", "Choisissez la situation de la personne."),
    ],
)
def test_form_errors_are_french_next_to_the_field_and_keep_the_input(
    client, prescriber, adviser, change, field, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, prescriber).post(reverse("referral_new"), {**FORM, **change})

    assert response.status_code == 400
    assert not Referral.objects.exists()
    assert mail.outbox == []
    page = html(response)
    error = re.search(rf'id="id_{field}_error">(.*?)</div>', page, re.S)
    assert error and message in error.group(1).replace("&#x27;", "'")
    assert "Le formulaire n'a pas été enregistré" in text(response)  # the error summary
    assert f'href="#id_{field}' in page
    kept = {k: v for k, v in FORM.items() if k not in change and k in ("commune", "need")}
    for value in kept.values():
        assert value.replace("'", "&#x27;") in page
    assert 'value="Moulins"' in page


def test_a_prescriber_of_several_organisations_picks_one(client, prescriber, platform):
    second = OrganisationFactory(prescriber=True, name="CCAS de Vichy", platform=platform)
    from accounts.models import Membership

    Membership.objects.create(user=prescriber, organisation=second, role=Role.PRESCRIBER)
    signed_in(client, prescriber)

    response = client.post(reverse("referral_new"), FORM)
    assert response.status_code == 400
    assert "Choisissez la structure qui oriente la personne." in text(response)

    response = client.post(reverse("referral_new"), {**FORM, "prescriber_organisation": second.pk})
    assert response.status_code == 302
    assert Referral.objects.get().prescriber_organisation == second


def test_an_organisation_without_platform_is_told_so(client, prescriber, prescriber_org):
    prescriber_org.platform = None
    prescriber_org.save()
    response = signed_in(client, prescriber).post(reverse("referral_new"), FORM)
    assert response.status_code == 400
    assert "Votre organisation n'est rattachée à aucune plateforme." in text(response)
    assert NEED in html(response)
    assert not Referral.objects.exists()


def test_the_list_shows_status_in_words_and_filters(client, prescriber, prescriber_org, adviser):
    waiting = submit(prescriber, prescriber_org, first_name="Ana", last_name="Diaz")
    refused = submit(prescriber, prescriber_org, first_name="Bruno", last_name="Roy")
    services.referral_refuse(actor=adviser, referral_id=refused.pk, reason="not_eligible")
    other_org = OrganisationFactory(prescriber=True, name="Autre", platform=prescriber_org.platform)
    submit(member(Role.PRESCRIBER, other_org), other_org, first_name="Zoé", last_name="Caché")
    signed_in(client, prescriber)

    page = text(client.get(reverse("referral_list_prescriber")))
    assert "Ana Diaz" in page and "Bruno Roy" in page and "Zoé" not in page
    assert "Refusée" in page and "Envoyée" in page
    assert waiting.created_at.strftime("%Y") in page

    page = text(client.get(reverse("referral_list_prescriber") + "?statut=refusees"))
    assert "Bruno Roy" in page and "Ana Diaz" not in page


def test_list_queries_do_not_grow_with_referrals(
    client, prescriber, prescriber_org, django_assert_num_queries
):
    signed_in(client, prescriber)
    submit(prescriber, prescriber_org)
    client.get(reverse("referral_list_prescriber"))  # warm the session
    with django_assert_num_queries(7) as small:
        client.get(reverse("referral_list_prescriber"))
    for n in range(5):
        submit(prescriber, prescriber_org, last_name=f"Nom{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("referral_list_prescriber"))


# --- The adviser's inbox --------------------------------------------------------------------


def test_the_inbox_lists_waiting_referrals_oldest_first_and_flags_late_ones(
    client, adviser, prescriber, prescriber_org, time_machine
):
    time_machine.move_to(timezone.now() - timedelta(days=12))
    old = submit(prescriber, prescriber_org, first_name="Ancienne", last_name="Orientation")
    time_machine.move_to(timezone.now() + timedelta(days=10))
    submit(prescriber, prescriber_org, first_name="Récente", last_name="Orientation")
    time_machine.move_to(timezone.now() + timedelta(days=2))

    response = signed_in(client, adviser).get(reverse("referral_inbox"))
    assert response.status_code == 200
    page = text(response)
    assert page.index("Ancienne") < page.index("Récente")
    assert "12 jours" in page and "2 jours" in page
    assert page.count("en retard") == 1
    assert 'class="referral-late"' in html(response)
    assert "En attente de réponse (2)" in page

    services.referral_refuse(actor=adviser, referral_id=old.pk, reason="other")
    page = text(client.get(reverse("referral_inbox") + "?statut=refusees"))
    assert "Ancienne" in page and "Récente" not in page


def test_inbox_queries_do_not_grow_with_referrals(
    client, adviser, prescriber, prescriber_org, django_assert_num_queries
):
    signed_in(client, adviser)
    submit(prescriber, prescriber_org)
    client.get(reverse("referral_inbox"))
    with django_assert_num_queries(7) as small:
        client.get(reverse("referral_inbox"))
    for n in range(5):
        submit(prescriber, prescriber_org, last_name=f"Nom{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("referral_inbox"))


@pytest.mark.parametrize(
    ("fields", "verdict", "unmet"),
    [
        ({"situation": "rsa", "french_level": "B1"}, "remplit toutes les conditions", 0),
        (
            {"situation": "other", "professional_project": "", "french_level": "A1"},
            "une condition au moins n'est pas remplie",
            3,
        ),
    ],
)
def test_the_fiche_shows_an_eligibility_preview(
    client, adviser, prescriber, prescriber_org, fields, verdict, unmet
):
    referral = submit(prescriber, prescriber_org, **fields)
    response = signed_in(client, adviser).get(reverse("referral_detail_staff", args=[referral.pk]))
    assert response.status_code == 200
    page = text(response)
    assert NEED in page and STEPS in page
    assert verdict in page
    assert html(response).count('class="rule rule-unmet"') == unmet
    assert "Niveau de français : " in page
    assert "Accepter l'orientation" in page and "Refuser l'orientation" in page


def test_accepting_opens_the_persons_record_and_tells_the_prescriber(
    client, adviser, prescriber, referral, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = accept(signed_in(client, adviser), referral)

    referral.refresh_from_db()
    person = referral.beneficiary
    assert referral.status == ReferralStatus.ACCEPTED
    assert person.last_name == "Müller-Durand" and person.status == BeneficiaryStatus.REFERRED
    assert person.adviser == adviser
    assert response.status_code == 302 and response.url == record_url(person)
    assert [m.to for m in mail.outbox] == [[prescriber.email]]
    assert "Acceptée" in mail.outbox[0].subject
    assert "dossier de Élodie Müller-Durand est ouvert" in text(
        client.get(reverse("referral_detail_staff", args=[referral.pk]))
    )


@pytest.fixture
def followed(platform):
    return BeneficiaryFactory(
        platform=platform, first_name="ELODIE", last_name="muller durand",
        birth_date=date(1990, 2, 1), commune="Yzeure",
    )  # fmt: skip


def test_a_possible_duplicate_offers_two_choices(client, adviser, referral, followed):
    response = accept(signed_in(client, adviser), referral)

    assert response.status_code == 409
    page = text(response)
    assert "Cette personne est peut-être déjà suivie" in page
    assert "ELODIE muller durand" in page and "Yzeure" in page
    assert "C'est la même personne" in page and "Ce n'est pas la même personne" in page
    assert f'name="beneficiary_id" value="{followed.pk}"' in html(response)
    assert Beneficiary.objects.count() == 1
    assert Referral.objects.get().status == ReferralStatus.SUBMITTED


def test_same_person_links_the_referral_to_the_record(client, adviser, referral, followed):
    response = accept(signed_in(client, adviser), referral, beneficiary_id=followed.pk)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.beneficiary == followed
    assert Beneficiary.objects.count() == 1
    assert response.url == record_url(followed)
    assert followed.consents.filter(prescriber_organisation=referral.prescriber_organisation)


def test_not_the_same_person_opens_a_new_record(client, adviser, referral, followed):
    response = accept(signed_in(client, adviser), referral, create_anyway="1")

    referral.refresh_from_db()
    assert response.status_code == 302
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.beneficiary != followed
    assert Beneficiary.objects.count() == 2


def test_refusing_with_a_reason_tells_the_prescriber(
    client, adviser, prescriber, referral, django_capture_on_commit_callbacks
):
    signed_in(client, adviser)
    url = reverse("referral_refuse", args=[referral.pk])
    response = client.post(url, {"suggestion": "fle"})
    assert response.status_code == 400
    assert "Choisissez le motif du refus." in text(response)
    response = client.post(url, {"reason": "other"})
    assert response.status_code == 400
    assert "Expliquez la raison du refus au prescripteur." in text(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"reason": "language_level", "suggestion": "fle", "details": "Centre social Moulins"},
        )

    assert response.status_code == 302 and response.url == reverse("referral_inbox")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED
    assert referral.refusal_reason == "language_level"
    assert referral.reorientation == "Cours de français (FLE) — Centre social Moulins"
    assert [m.to for m in mail.outbox] == [[prescriber.email]]
    assert "Niveau de français insuffisant" in mail.outbox[0].body
    assert "Cours de français (FLE)" in mail.outbox[0].body

    page = text(
        signed_in(client, prescriber).get(reverse("referral_detail_prescriber", args=[referral.pk]))
    )
    assert "Refusée" in page and "Niveau de français insuffisant" in page
    assert "Cours de français (FLE) — Centre social Moulins" in page
    assert "Retirer l'orientation" not in page


def test_answering_twice_says_why_instead_of_failing(client, adviser, referral):
    services.referral_refuse(actor=adviser, referral_id=referral.pk, reason="not_eligible")
    response = accept(signed_in(client, adviser), referral)
    assert response.status_code == 302
    page = text(client.get(response.url))
    assert "Impossible : l'orientation est « Refusée »." in page
    assert Referral.objects.get().status == ReferralStatus.REFUSED


def test_a_prescriber_withdraws_a_waiting_referral(client, prescriber, adviser, referral):
    signed_in(client, prescriber)
    url = reverse("referral_withdraw", args=[referral.pk])

    response = client.post(url)

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    page = text(client.get(response.url))
    assert "Orientation retirée" in page and "Retirée" in page
    assert "Retirer l'orientation" not in page
    again = client.post(url, follow=True)
    assert "Impossible : l'orientation est « Retirée »." in text(again)
    assert "Aucune orientation n'attend de réponse." in text(
        signed_in(client, adviser).get(reverse("referral_inbox"))
    )


# --- Follow-up only with consent ------------------------------------------------------------


def test_the_prescriber_sees_the_follow_up_with_consent(client, prescriber, adviser, referral):
    accepted_with_diagnosis(referral, adviser, share=True)

    response = signed_in(client, prescriber).get(
        reverse("referral_detail_prescriber", args=[referral.pk])
    )

    page = text(response)
    assert "Suivi de l'accompagnement" in page
    assert "Accompagnement renforcé" in page
    assert SUMMARY in page
    assert timezone.localdate().strftime("%Y") in page
    for secret in (FOLLOW_UP_NOTE, INCOME, BARRIER):
        assert secret not in page


@pytest.mark.parametrize("how", ["never_given", "withdrawn"])
def test_without_consent_the_follow_up_block_is_absent(
    client, prescriber, prescriber_org, adviser, how
):
    if how == "never_given":
        referral = submit(prescriber, prescriber_org, consent_to_share=False)
        beneficiary = accepted_with_diagnosis(referral, adviser, share=False)
        # Even a diagnosis marked shared stays hidden: the gate is the person's agreement.
        Diagnosis.objects.update(shared_with_prescriber_at=timezone.now())
    else:
        referral = submit(prescriber, prescriber_org, consent_to_share=True)
        beneficiary = accepted_with_diagnosis(referral, adviser, share=True)
        journey.consent_withdraw(actor=adviser, consent_id=beneficiary.consents.get().pk)

    response = signed_in(client, prescriber).get(
        reverse("referral_detail_prescriber", args=[referral.pk])
    )

    assert response.status_code == 200
    page = text(response)
    assert "Acceptée" in page
    assert SUMMARY not in page
    assert "Suivi de l'accompagnement" not in page
    assert "Accompagnement renforcé" not in page
    assert "n'a pas donné son accord" in page
    for secret in (FOLLOW_UP_NOTE, INCOME, BARRIER):
        assert secret not in page


# --- The signed link ------------------------------------------------------------------------


def test_the_signed_link_shows_the_answer_and_only_the_sender_sees_the_follow_up(
    client, prescriber, prescriber_org, adviser, referral
):
    accepted_with_diagnosis(referral, adviser, share=True)
    path = status_link_path(referral)

    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert anonymous["Cache-Control"].startswith("max-age=0")
    page = text(anonymous)
    assert "Orientation pour Élodie M." in page and "Acceptée" in page
    assert "Müller-Durand" not in page
    for private in (SUMMARY, NEED, PROJECT, STEPS, "Demandeur"):
        assert private not in page
    assert "Se connecter" in page

    colleague = member(Role.PRESCRIBER, prescriber_org)
    page = text(signed_in(client, colleague).get(path))
    assert "Acceptée" in page and SUMMARY not in page

    page = text(signed_in(client, prescriber).get(path))
    assert SUMMARY in page and "Voir toute l'orientation" in page
    assert FOLLOW_UP_NOTE not in page and INCOME not in page


def test_a_forged_link_is_refused_in_french(client, referral):
    path = status_link_path(referral)
    response = client.get(path[:-3] + "xyz/")
    assert response.status_code == 404
    assert "Ce lien n'est pas valide." in text(response)
    assert NEED not in html(response)


def test_an_expired_link_is_refused_in_french(client, referral):
    path = status_link_path(referral)
    assert client.get(path).status_code == 200
    later = timezone.now() + timedelta(days=settings.REFERRAL_LINK_MAX_AGE_DAYS + 1)
    with time_machine.travel(later):
        response = client.get(path)
    assert response.status_code == 400
    assert "Ce lien a expiré" in text(response)
    assert "Élodie" not in text(response)


# --- Who may open what ----------------------------------------------------------------------


def every_page(referral) -> list[tuple[str, str, set[int]]]:
    """(method, url, statuses an outsider may get)."""
    return [
        ("get", reverse("referral_new"), {403}),
        ("post", reverse("referral_new"), {403}),
        ("get", reverse("referral_list_prescriber"), {403}),
        ("get", reverse("referral_detail_prescriber", args=[referral.pk]), {403}),
        ("post", reverse("referral_withdraw", args=[referral.pk]), {403}),
        ("get", reverse("referral_inbox"), {403}),
        ("get", reverse("referral_detail_staff", args=[referral.pk]), {403}),
        ("post", reverse("referral_accept", args=[referral.pk]), {403}),
        ("post", reverse("referral_refuse", args=[referral.pk]), {403}),
    ]


@pytest.mark.parametrize("who", ["partner_manager", "partner_staff", "beneficiary_user"])
def test_partners_and_beneficiaries_are_kept_out(client, request, referral, who):
    user = request.getfixturevalue(who)
    signed_in(client, user)
    for method, url, statuses in every_page(referral):
        response = getattr(client, method)(url, FORM if method == "post" else None)
        assert response.status_code in statuses, (method, url, response.status_code)
        for private in (NEED, PROJECT, STEPS, "Müller"):
            assert private not in html(response), url
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert Referral.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, referral):
    for method, url, _statuses in every_page(referral):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/comptes/login/" in response.url, url


def test_an_adviser_of_another_platform_gets_404(client, other_adviser, referral):
    signed_in(client, other_adviser)
    assert NEED not in html(client.get(reverse("referral_inbox")))
    assert "Müller" not in html(client.get(reverse("referral_inbox") + "?statut=toutes"))
    for name in ("referral_detail_staff", "referral_accept", "referral_refuse"):
        method = client.get if name == "referral_detail_staff" else client.post
        data = {"reason": "other", "details": "x"} if name == "referral_refuse" else None
        assert method(reverse(name, args=[referral.pk]), data).status_code == 404, name
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_a_prescriber_of_another_organisation_gets_404(client, platform, referral):
    elsewhere = OrganisationFactory(prescriber=True, name="CCAS B", platform=platform)
    signed_in(client, member(Role.PRESCRIBER, elsewhere))
    assert client.get(reverse("referral_list_prescriber")).status_code == 200
    assert "Müller" not in html(client.get(reverse("referral_list_prescriber")))
    url = reverse("referral_detail_prescriber", args=[referral.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("referral_withdraw", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referral_inbox")).status_code == 403


def test_nothing_social_reaches_a_partner(client, partner_manager, adviser, referral):
    """Whatever a partner can open — home, navigation, even the signed link — carries none of
    the social data of the fiche."""
    accepted_with_diagnosis(referral, adviser, share=True)
    signed_in(client, partner_manager)
    home = client.get("/")
    urls = {href for href in re.findall(r'href="(/[^"#]*)"', html(home))}
    urls -= {u for u in urls if u.startswith("/static/") or u.startswith("/comptes/logout")}
    urls |= {url for _m, url, _s in every_page(referral)} | {status_link_path(referral)}
    situation_label = "Demandeur·euse d&#x27;emploi"
    for url in sorted(urls):
        body = html(client.get(url))
        for private in (NEED, PROJECT, STEPS, situation_label, SUMMARY, BARRIER, INCOME):
            assert private not in body, (url, private)


# --- Navigation and home --------------------------------------------------------------------


def nav(response) -> str:
    return re.search(r'<nav class="main-nav".*?</nav>', html(response), re.S).group(0)


def test_navigation_and_home_lead_each_role_to_its_referral_pages(
    client, adviser, admin_user, prescriber, partner_manager, referral
):
    page = signed_in(client, adviser).get("/")
    assert f'href="{reverse("referral_inbox")}">Orientations<' in nav(page)
    assert "Orientations reçues (1 en attente)" in text(page)

    page = signed_in(client, admin_user).get("/")
    assert "Orientations reçues (1 en attente)" in text(page)

    page = signed_in(client, prescriber).get("/")
    assert f'href="{reverse("referral_list_prescriber")}">Mes orientations<' in nav(page)
    assert f'href="{reverse("referral_new")}">Orienter une personne<' in html(page)
    assert "Orientations reçues" not in text(page)

    page = signed_in(client, partner_manager).get("/")
    assert "orientations" not in nav(page).lower()
    assert "Orienter une personne" not in text(page)


def test_refusing_an_answered_referral_says_why(client, adviser, referral):
    services.referral_refuse(actor=adviser, referral_id=referral.pk, reason="not_eligible")
    url = reverse("referral_refuse", args=[referral.pk])

    response = signed_in(client, adviser).post(url, {"reason": "language_level"}, follow=True)

    assert response.redirect_chain == [(reverse("referral_detail_staff", args=[referral.pk]), 302)]
    assert "Orientation refusée. Le prescripteur est prévenu." not in text(response)
    assert "Impossible : l'orientation est « Refusée »." in text(response)
    referral.refresh_from_db()
    assert referral.refusal_reason == "not_eligible"
