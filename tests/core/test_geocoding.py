from decimal import Decimal

import pytest
from django.http import HttpResponse, JsonResponse
from django.urls import path

from core.geocoding import geocode
from partners import services
from tests.partners.factories import PartnerFactory

CALLS = []


def address_api(request):
    CALLS.append(request.GET.dict())
    if "panne" in request.GET["q"]:
        return HttpResponse("oops", status=500)
    score = 0.2 if "introuvable" in request.GET["q"] else 0.93
    return JsonResponse(
        {
            "features": [
                {"geometry": {"coordinates": [2.6051, 46.3402]}, "properties": {"score": score}}
            ]
        }
    )


urlpatterns = [path("search/", address_api)]


@pytest.fixture
def address_service(live_server, settings):
    CALLS.clear()
    settings.ROOT_URLCONF = __name__
    settings.ADDRESS_GEOCODER_URL = f"{live_server.url}/search/"
    return CALLS


@pytest.mark.django_db
def test_without_the_service_the_commune_centre_is_used(communes, settings):
    settings.ADDRESS_GEOCODER_URL = ""
    assert geocode(address="14 rue des Faucheroux", postcode="03100", commune="Montluçon") == (
        Decimal("46.340800"), Decimal("2.603600"),
    )  # fmt: skip
    assert geocode(postcode="99999") is None


@pytest.mark.django_db(transaction=True)
def test_the_address_service_is_used_when_configured(communes, address_service):
    point = geocode(address="14 rue des Faucheroux", postcode="03100", commune="Montluçon")
    assert point == (Decimal("46.340200"), Decimal("2.605100"))
    assert address_service[0]["postcode"] == "03100"
    assert "14 rue des Faucheroux" in address_service[0]["q"]


@pytest.mark.django_db(transaction=True)
def test_unsure_or_failing_service_falls_back_to_the_commune(communes, address_service):
    centre = (Decimal("46.340800"), Decimal("2.603600"))
    assert geocode(address="rue introuvable", postcode="03100", commune="Montluçon") == centre
    assert geocode(address="en panne", postcode="03100", commune="Montluçon") == centre


@pytest.mark.django_db
def test_a_partner_without_coordinates_is_placed_at_its_commune(
    communes, partner_manager, partner_org, settings
):
    settings.ADDRESS_GEOCODER_URL = ""
    partner_org.latitude = partner_org.longitude = None
    partner_org.save()
    partner = PartnerFactory(organisation=partner_org)
    services.partner_update_profile(
        actor=partner_manager, partner_id=partner.pk, postcode="03200", commune="Vichy"
    )
    partner_org.refresh_from_db()
    assert (partner_org.latitude, partner_org.longitude) == (Decimal("46.127800"),
                                                             Decimal("3.425800"))  # fmt: skip
    # Coordinates typed by the partner win over the commune centre.
    services.partner_update_profile(
        actor=partner_manager, partner_id=partner.pk, commune="Cusset", postcode="03300",
        latitude=Decimal("46.140000"), longitude=Decimal("3.460000"),
    )  # fmt: skip
    partner_org.refresh_from_db()
    assert partner_org.latitude == Decimal("46.140000")
