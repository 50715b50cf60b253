"""A prescriber refers a person; the adviser accepts, records the diagnosis and starts
reinforced support; the prescriber sees it (the person agreed). In a real browser."""

import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from beneficiaries.enums import BeneficiaryStatus, ReferralStatus
from beneficiaries.models import Referral
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.e2e.page_checks import main_nav as open_main_nav
from tests.e2e.test_sign_in import field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PRESCRIBER = "prescriber@demo.test"
ADVISER = "adviser@demo.test"
PERSON = "Samia Benhamou"
NEED = "Pas de bus le matin pour aller à sa formation d'aide à domicile à Yzeure"
SUMMARY = "Permis à financer en priorité ; location solidaire en attendant"


def url_exists(name: str) -> bool:
    try:
        reverse(name, kwargs={"beneficiary_id": 1})
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def second_page(browser):
    """A second browser (its own cookies), so two people can be signed in at once."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def main_nav(page):
    return open_main_nav(page)


def test_a_referral_goes_from_the_prescriber_to_reinforced_support(
    page, second_page, live_server, demo_data
):
    # The prescriber fills in the fiche de repérage.
    sign_in(page, live_server, PRESCRIBER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Thomas")
    page.get_by_role("link", name="Orienter une personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orienter une personne")
    field(page, "Prénom").fill("Samia")
    field(page, "Nom").fill("Benhamou")
    field(page, "Date de naissance").fill("1994-03-08")
    field(page, "Téléphone").fill("06 45 12 78 90")
    field(page, "Commune").fill("Moulins")
    field(page, "Code postal").fill("03000")
    page.get_by_label("Allocataire du RSA").check()
    field(page, "Projet professionnel").fill("Aide à domicile")
    field(page, "Démarches déjà faites").fill("Inscrite à la formation qui commence en mai")
    page.get_by_label("Se débrouille au quotidien (A2)").check()
    field(page, "Ses difficultés pour se déplacer").fill(NEED)
    page.get_by_label(re.compile("La personne est d'accord pour que la plateforme")).check()
    page.get_by_role("button", name="Envoyer l'orientation").click()

    expect(page.get_by_role("status")).to_contain_text("Orientation envoyée à la plateforme")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Orientation de {PERSON}")
    expect(page.get_by_role("main")).to_contain_text("Envoyée")
    prescriber_page_url = page.url

    # The adviser finds it in « Orientations » and accepts it.
    adviser = second_page
    sign_in(adviser, live_server, ADVISER)
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    main_nav(adviser).get_by_role("link", name="Orientations").click()
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Orientations reçues")
    adviser.get_by_role("link", name=PERSON, exact=True).click()
    expect(adviser.get_by_role("heading", level=1)).to_have_text(f"Orientation de {PERSON}")
    expect(adviser.get_by_role("main")).to_contain_text(NEED)
    expect(adviser.get_by_role("main")).to_contain_text("remplit toutes les conditions")
    adviser.get_by_role("button", name="Accepter l'orientation").click()
    expect(adviser.get_by_role("status")).to_contain_text("Orientation acceptée")

    referral = Referral.objects.get(first_name="Samia", last_name="Benhamou")
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.beneficiary.phone == "+33645127890"

    if not url_exists("diagnosis_new"):
        # The diagnosis pages are not there yet: the prescriber sees the answer.
        page.goto(prescriber_page_url)
        expect(page.get_by_role("main")).to_contain_text("Acceptée")
        return

    # The adviser is on the person's record: diagnosis with two barriers, reinforced support.
    expect(adviser.get_by_role("heading", level=1)).to_have_text(PERSON)
    adviser.get_by_role("main").get_by_role("link", name="Enregistrer le diagnostic").click()
    expect(adviser.get_by_role("heading", level=1)).to_have_text(f"Diagnostic mobilité de {PERSON}")
    field(adviser, "Synthèse").fill(SUMMARY)
    first = adviser.get_by_role("group", name="Difficulté 1")
    field(first, "Type de difficulté").select_option(label="Argent")
    field(first, "En quelques mots").fill("Pas de quoi payer le permis")
    second = adviser.get_by_role("group", name="Difficulté 2")
    field(second, "Type de difficulté").select_option(label="Matériel (véhicule, équipement)")
    field(second, "En quelques mots").fill("Pas de véhicule")
    adviser.get_by_label("Accompagnement renforcé").check()
    adviser.get_by_label("Partager le résultat avec le prescripteur").check()
    adviser.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect(adviser.get_by_role("status")).to_contain_text("Le diagnostic est enregistré")

    referral.refresh_from_db()
    person = referral.beneficiary
    assert person.status == BeneficiaryStatus.REINFORCED
    assert person.barriers.count() == 2

    # The prescriber's status page shows the update (the person agreed), not the barriers.
    page.goto(prescriber_page_url)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Acceptée")
    follow_up = page.locator("section").filter(
        has=page.get_by_role("heading", name="Suivi de l'accompagnement")
    )
    expect(follow_up).to_contain_text("Accompagnement renforcé")
    expect(follow_up).to_contain_text("Fait le")
    expect(follow_up).to_contain_text(SUMMARY)
    expect(main).not_to_contain_text("Pas de quoi payer le permis")
