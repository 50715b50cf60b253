"""Phones of the people supported: typed the French way in the forms and the API (overseas
numbers included), refused in French, shown the French way; the migration that mends the
overseas numbers once stored as +33."""

import html
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from beneficiaries.models import Beneficiary, Referral
from core.models import AuditLog
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.beneficiaries.test_referral_views import FORM
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVALID = "Numéro de téléphone invalide : écrivez par exemple 06 12 34 56 78."
NEW = {
    "first_name": "Mélissa",
    "last_name": "Payet",
    "birth_date": "1994-05-12",
    "situation": "jobseeker",
    "french_level": "B1",
}


def page(response) -> str:
    return html.unescape(response.content.decode())


def field_error(response, name: str) -> str:
    found = re.search(rf'id="id_{name}_error">(.*?)</div>', page(response), re.S)
    return found.group(1) if found else ""


# --- The adviser's record form --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 11 22 33 44", "+33611223344"),
        ("0692 12 34 56", "+262692123456"),
        ("0639 01 23 45", "+262639012345"),
        ("0696 12 34 56", "+596696123456"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_the_record_form_stores_e164(client, adviser, typed, stored):
    client.force_login(adviser)
    response = client.post(reverse("beneficiary_new"), {**NEW, "phone": typed})
    assert response.status_code == 302
    assert Beneficiary.objects.get().phone == stored


@pytest.mark.parametrize("typed", ["06 12 34", "0639 12 34 56", "mon portable"])
def test_the_record_form_refuses_a_wrong_number_in_french(client, adviser, typed):
    client.force_login(adviser)
    response = client.post(reverse("beneficiary_new"), {**NEW, "phone": typed})
    assert response.status_code == 400
    assert INVALID in field_error(response, "phone")
    assert f'value="{typed}"' in page(response)  # the input is kept
    assert not Beneficiary.objects.exists()


def test_the_record_shows_the_number_as_people_write_it(client, adviser, platform):
    person = BeneficiaryFactory(platform=platform, adviser=adviser, phone="+262692123456")
    client.force_login(adviser)
    detail = page(client.get(reverse("beneficiary_detail", args=[person.pk])))
    assert '<a href="tel:+262692123456">0692 12 34 56</a>' in detail

    edit = reverse("beneficiary_edit", args=[person.pk])
    assert 'value="0692 12 34 56"' in page(client.get(edit))
    # The same number sent back as shown is no change to the phone.
    data = {**NEW, "first_name": person.first_name, "last_name": person.last_name,
            "birth_date": person.birth_date.isoformat(), "phone": "0692 12 34 56",
            "commune": "Saint-Denis"}  # fmt: skip
    assert client.post(edit, data).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.commune) == ("+262692123456", "Saint-Denis")
    changed = AuditLog.objects.get(action="beneficiary.updated").data["fields"]
    assert "commune" in changed and "phone" not in changed


# --- The prescriber's referral form and the referral pages -----------------------------------


def test_the_referral_form_stores_an_overseas_number_and_both_sides_read_it(
    client, prescriber, adviser
):
    client.force_login(prescriber)
    response = client.post(reverse("referral_new"), {**FORM, "phone": "0590 12 34 56"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.phone == "+590590123456"
    mine = page(client.get(reverse("referral_detail_prescriber", args=[referral.pk])))
    assert "0590 12 34 56" in mine and "+590590123456" not in mine
    client.force_login(adviser)
    inbox = page(client.get(reverse("referral_detail_staff", args=[referral.pk])))
    assert '<a href="tel:+590590123456">0590 12 34 56</a>' in inbox


def test_the_referral_form_refuses_a_wrong_number_in_french(client, prescriber):
    client.force_login(prescriber)
    response = client.post(reverse("referral_new"), {**FORM, "phone": "0639 12 34 56"})
    assert response.status_code == 400
    assert INVALID in field_error(response, "phone")
    assert not Referral.objects.exists()


# --- The API ---------------------------------------------------------------------------------


def test_the_api_stores_e164_and_refuses_a_wrong_number_in_french(api_client, adviser):
    api_client.force_authenticate(adviser)
    created = api_client.post("/api/v1/beneficiaries/", {**NEW, "phone": "0694 12 34 56"})
    assert created.status_code == 201, created.data
    assert created.data["phone"] == "+594694123456"
    refused = api_client.post(
        "/api/v1/beneficiaries/", {**NEW, "last_name": "Hoarau", "phone": "0692 12"}
    )
    assert refused.status_code == 400
    assert [str(message) for message in refused.data["phone"]] == [INVALID]
    assert Beneficiary.objects.count() == 1


def test_the_referral_api_refuses_a_wrong_number_in_french(api_client, prescriber):
    api_client.force_authenticate(prescriber)
    fiche = {"first_name": "Élodie", "last_name": "Martin", "situation": "rsa",
             "need": "Aller au travail à 6 h", "phone": "0800"}  # fmt: skip
    refused = api_client.post("/api/v1/referrals/", fiche, format="json")
    assert refused.status_code == 400
    assert [str(message) for message in refused.data["phone"]] == [INVALID]
    accepted = api_client.post("/api/v1/referrals/", {**fiche, "phone": "+33 6 93 01 23 45"})
    assert accepted.status_code == 201, accepted.data
    assert accepted.data["phone"] == "+262693012345"


# --- The numbers stored as +33 before ---------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "module"),
    [("accounts", "0003_overseas_phones"), ("beneficiaries", "0004_overseas_phones")],
)
def test_the_migration_gives_overseas_numbers_their_country_code(app, module, prescriber_org):
    # What the old normaliser stored; update() writes it as it was, past save().
    user = UserFactory(phone="+33612345678")
    person = BeneficiaryFactory(platform=prescriber_org.platform, phone="+33612345678")
    referral = ReferralFactory(prescriber_organisation=prescriber_org, phone="+33612345678")
    rows = [(type(row), row.pk) for row in (user, person, referral)]
    for model, pk in rows:
        model.objects.filter(pk=pk).update(phone="+33692123456")
    kept = BeneficiaryFactory(platform=prescriber_org.platform, phone="+33470123456")

    importlib.import_module(f"{app}.migrations.{module}").renormalise(apps, None)

    mended = {model: model.objects.get(pk=pk).phone for model, pk in rows}
    touched = {
        "accounts": {type(user)},
        "beneficiaries": {Beneficiary, Referral},
    }[app]
    assert mended == {
        model: "+262692123456" if model in touched else "+33692123456" for model, _pk in rows
    }
    kept.refresh_from_db()
    assert kept.phone == "+33470123456"
