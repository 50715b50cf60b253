"""The public « Être rappelé·e » page (issue 16): a valid request reaches the platform's
inbox; robots and floods are refused; no account is needed; nothing of anyone is shown."""

import pytest
from django.urls import reverse

from accounts.models import User
from beneficiaries.enums import ReferralSource
from beneficiaries.forms_self_referral import new_stamp
from beneficiaries.models import Referral
from core.models import Notification
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
URL = "/etre-rappele/"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SELF_REFERRAL_MIN_SECONDS = 0


def answers(**changes) -> dict:
    data = {
        "first_name": "Samia", "last_name": "Bensaïd", "phone": "07 81 23 45 67",
        "commune": "Montluçon", "help_wanted": ["repair", "licence"],
        "need": "Ma voiture ne démarre plus.", "contact_preference": "call", "email": "",
        "consent": "on", "website": "", "started": new_stamp(),
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_valid_request_lands_in_the_inbox_without_an_account(client, platform, adviser, communes):
    users = User.objects.count()
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html and "img/help/repair" in html
    assert 'alt="dessin : une voiture et une clé"' in html
    response = client.post(URL, answers())
    assert response.status_code == 302 and response["Location"] == reverse("self_referral_thanks")
    referral = Referral.objects.get()
    assert referral.platform == platform and referral.source == ReferralSource.SELF
    assert referral.prescriber_organisation is None and referral.phone == "+33781234567"
    assert referral.help_wanted == ["repair", "licence"] and referral.postcode == "03100"
    assert "Passer le permis" in referral.need and "ne démarre plus" in referral.need
    assert User.objects.count() == users  # no account made
    assert Notification.objects.filter(recipient=adviser.email).exists()
    thanks = client.get(response["Location"]).content.decode()
    assert "Samia" not in thanks and "Bensa" not in thanks


def test_the_inbox_and_the_api_show_it_as_a_self_referral(
    client, api_client, platform, adviser, communes
):
    client.post(URL, answers())
    client.force_login(adviser)
    inbox = client.get(reverse("referral_inbox")).content.decode()
    assert "Demande directe" in inbox and "BENSAÏD" in inbox.upper()
    referral = Referral.objects.get()
    detail = client.get(reverse("referral_detail_staff", args=[referral.pk])).content.decode()
    assert "Un appel" in detail
    api_client.force_authenticate(adviser)
    data = api_client.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert data["source"] == "self" and data["prescriber_organisation"] is None


def test_the_honeypot_turns_robots_away_quietly(client, platform, communes):
    response = client.post(URL, answers(website="http://spam.example"))
    assert response.status_code == 302  # as if it worked
    assert not Referral.objects.exists()


@pytest.mark.parametrize("stamp", ["forged", None])
def test_too_fast_or_forged_stamps_are_refused(client, platform, communes, settings, stamp):
    settings.SELF_REFERRAL_MIN_SECONDS = 30
    response = client.post(URL, answers(**({"started": stamp} if stamp else {})))
    assert response.status_code == 400
    assert "Relisez vos réponses" in response.content.decode()
    assert not Referral.objects.exists()


def test_floods_from_one_address_are_refused(client, platform, communes, settings):
    settings.SELF_REFERRAL_PER_IP_PER_HOUR = 3
    for n in range(3):
        assert client.post(URL, answers(first_name=f"P{n}")).status_code == 302
    flooded = client.post(URL, answers(first_name="P4"))
    assert flooded.status_code == 429
    assert "Trop de demandes" in flooded.content.decode()
    other = client.post(URL, answers(first_name="P5"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    assert Referral.objects.count() == 4


def test_french_errors_for_bad_answers(client, platform, communes):
    response = client.post(
        URL, answers(phone="12", consent="", contact_preference="email", email="")
    )
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "Numéro de téléphone invalide" in html
    assert "Cochez cette case pour être rappelé·e." in html
    assert "Écrivez votre adresse e-mail" in html
    assert not Referral.objects.exists()


def test_a_commune_no_platform_serves(client, platform, communes):
    response = client.post(URL, answers(commune="Clermont-Ferrand"))
    assert response.status_code == 400
    assert "pas encore de plateforme" in response.content.decode()


def test_the_nearest_platform_of_the_departement(client, platform, communes):
    vichy = OrganisationFactory(name="Plateforme Vichy", latitude="46.1277", longitude="3.4262")
    client.post(URL, answers(commune="Vichy"))
    assert Referral.objects.get().platform == vichy


def test_the_platform_named_in_the_address(client, platform, other_platform):
    url = reverse("self_referral_platform", args=["autre-plateforme"])
    other_platform.name = "Autre plateforme"
    other_platform.save()
    response = client.post(url, answers(commune="Un hameau inconnu"))  # no communes loaded
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.platform == other_platform and referral.commune == "Un hameau inconnu"
    assert client.get(reverse("self_referral_platform", args=["nulle-part"])).status_code == 404


def test_nothing_of_another_person_is_shown(client, platform, communes):
    client.post(URL, answers())
    for path in (URL, reverse("self_referral_thanks")):
        html = client.get(path).content.decode()
        assert "Samia" not in html and "07 81 23 45 67" not in html and "+33781234567" not in html


def test_an_adviser_accepts_a_self_referral_into_a_record(client, platform, adviser, communes):
    from beneficiaries.services import referral_accept

    client.post(URL, answers())
    referral = Referral.objects.get()
    accepted = referral_accept(actor=adviser, referral_id=referral.pk)
    person = accepted.beneficiary
    assert (person.first_name, person.phone, person.platform) == (
        "Samia", "+33781234567", platform,
    )  # fmt: skip
    assert not person.consents.exists()  # no prescriber to share anything with
