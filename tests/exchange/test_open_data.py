"""The data·inclusion feed: every object valid for the package's own models, mapped field
by field, never a person; the API (anonymous, paginated, ETag/Last-Modified, cached,
throttled, flat query counts) and the export command."""

import csv
import json
from datetime import time
from time import sleep

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from exchange import opendata
from tests.exchange.conftest import PERSON, SERVICE, STRUCTURE, add_partner, validate
from tests.partners.factories import RuleFactory

STRUCTURES, SERVICES = "/api/v1/open/structures/", "/api/v1/open/services/"


def by_id(items) -> dict:
    return {item["id"]: item for item in items}


def test_every_structure_and_service_is_valid_for_the_schema(open_world):
    structures, services = opendata.all_structures(), opendata.all_services()
    assert validate(STRUCTURE, structures)[0] == []
    assert validate(SERVICE, services)[0] == []
    assert len(structures) == 3  # the platform and its two active partners
    # The platform's diagnosis, micro-credit and grant, then the two partners' services.
    assert len(services) == 5


def test_structures_are_active_partners_and_platforms(open_world):
    structures = by_id(opendata.all_structures())
    garage = structures[f"solimob--{open_world.garage.organisation_id}"]
    assert garage["nom"] == "Garage solidaire du Bourbonnais"
    assert garage["code_postal"] == "03000" and garage["code_insee"] == "03190"
    assert garage["commune"] == "Moulins" and garage["adresse"] == "12 rue des Forges"
    assert isinstance(garage["latitude"], float)
    assert garage["horaires_accueil"] == "Mo-Sa 09:00-12:00"
    assert f"solimob--{open_world.platform.pk}" in structures
    names = {s["nom"] for s in structures.values()}
    assert not names & {"Garage brouillon", "Sans convention"}


def test_a_partner_service_mapped_field_by_field(open_world):
    service = by_id(opendata.all_services())[f"solimob--service-{open_world.service.pk}"]
    assert service["structure_id"] == f"solimob--{open_world.garage.organisation_id}"
    assert service["thematiques"] == ["mobilite--entretenir-reparer-son-vehicule"]
    assert service["type"] == "aide-materielle"
    assert service["frais"] == "payant"
    assert "35,00\xa0€ par heure" in service["frais_precisions"]
    assert "65,00\xa0€" in service["frais_precisions"]
    assert service["publics"] == [
        "beneficiaires-des-minimas-sociaux", "demandeurs-emploi", "jeunes",
    ]  # fmt: skip
    assert "projet professionnel défini" in service["conditions_acces"]
    assert "A2" in service["conditions_acces"]
    # Within 15 km of Moulins: Moulins itself, Yzeure, Avermes…; not Montluçon (60 km).
    assert {"03190", "03321", "03013"} <= set(service["zone_eligibilite"])
    assert "03185" not in service["zone_eligibilite"]
    assert service["horaires_accueil"] == "Mo-Sa 09:00-12:00"
    assert service["modes_mobilisation"] == ["utiliser-lien-mobilisation"]
    assert service["mobilisable_par"] == ["professionnels"]
    assert service["lien_mobilisation"].endswith("/prescripteur/orientations/nouvelle/")
    assert "Plateforme Mobilité Allier" in service["mobilisation_precisions"]
    assert service["modes_accueil"] == ["en-presentiel"]


def test_a_free_service_is_free_and_driving_schools_prepare_a_licence(open_world):
    school = next(s for s in opendata.all_services() if s["nom"].startswith("Auto-école Sociale"))
    assert school["thematiques"] == ["mobilite--preparer-un-permis"]
    assert school["type"] == "formation"
    open_world.service.solidarity_price = 0
    open_world.service.save()
    mapped = by_id(opendata.all_services())[f"solimob--service-{open_world.service.pk}"]
    assert mapped["frais"] == "gratuit"


def test_the_platforms_own_offers(open_world):
    services = by_id(opendata.all_services())
    platform = open_world.platform.pk
    diagnosis = services[f"solimob--{platform}-diagnosis"]
    assert diagnosis["nom"] == "Diagnostic mobilité" and diagnosis["frais"] == "gratuit"
    assert diagnosis["thematiques"] == ["mobilite--etre-accompagne-dans-son-parcours-mobilite"]
    assert diagnosis["zone_eligibilite"] == ["03"]
    credit = services[f"solimob--{platform}-micro_credit"]
    assert credit["thematiques"] == ["mobilite--financer-ma-mobilite"]
    assert "8\xa0000,00\xa0€" in credit["frais_precisions"]
    grant = services[f"solimob--programme-{open_world.programme.pk}"]
    assert grant["nom"] == "Aide départementale à la réparation"
    assert grant["publics"] == ["beneficiaires-des-minimas-sociaux"]
    assert "300,00\xa0€ par personne" in grant["frais_precisions"]
    assert "Garage solidaire" in grant["conditions_acces"]
    assert "Département de l'Allier" in grant["description"]
    assert f"solimob--{platform}-association_loan" not in services  # never used


def test_a_platform_open_to_everyone_says_tous_publics(open_world):
    policy = open_world.platform.eligibility_policy
    policy.situations = ["rsa", "other"]
    policy.save()
    services = by_id(opendata.all_services())
    assert services[f"solimob--{open_world.platform.pk}-diagnosis"]["publics"] == ["tous-publics"]


def test_never_a_person(open_world):
    text = json.dumps([opendata.all_structures(), opendata.all_services()], ensure_ascii=False)
    for value in PERSON:
        assert value not in text
    assert "1200" not in text and "1 200" not in text  # nor the loan's amount


# --- API ----------------------------------------------------------------------------------


def test_anyone_reads_the_feed_paginated(open_world, api_client):
    response = api_client.get(SERVICES, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    pages = [body["results"]]
    for page in (2, 3):
        pages.append(api_client.get(SERVICES, {"page_size": 2, "page": page}).json()["results"])
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids)) == 5
    assert ids == [item["id"] for item in opendata.all_services()]
    structures = api_client.get(STRUCTURES).json()
    assert structures["count"] == 3 and validate(STRUCTURE, structures["results"])[0] == []


def test_bad_pages_are_400(open_world, api_client):
    assert api_client.get(SERVICES, {"page_size": 0}).status_code == 400
    assert api_client.get(STRUCTURES, {"page": 99}).status_code == 404


def test_etag_and_last_modified_answer_304(open_world, api_client):
    first = api_client.get(STRUCTURES)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified
    assert api_client.get(STRUCTURES, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api_client.get(STRUCTURES, HTTP_IF_NONE_MATCH='"autre"').status_code == 200
    assert api_client.get(STRUCTURES, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert api_client.get(STRUCTURES, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_pages_are_cached_then_rebuilt_with_a_new_etag(open_world, api_client, settings):
    settings.OPEN_DATA_CACHE_SECONDS = 2  # real seconds: Redis expires keys itself
    first = api_client.get(STRUCTURES)
    with CaptureQueriesContext(connection) as queries:
        again = api_client.get(STRUCTURES)
    assert len(queries) == 0 and again["ETag"] == first["ETag"]
    open_world.garage.organisation.name = "Garage solidaire de Moulins"
    open_world.garage.organisation.save()
    assert api_client.get(STRUCTURES, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    sleep(2.1)
    later = api_client.get(STRUCTURES, HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 200 and later["ETag"] != first["ETag"]
    assert "Garage solidaire de Moulins" in later.content.decode()


def test_anonymous_clients_are_throttled(open_world, api_client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"open_data": "3/min"})
    statuses = [api_client.get(STRUCTURES).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api_client.get(STRUCTURES).json()["code"] == "throttled"


def test_the_default_rate_is_a_setting():
    assert AnonRateThrottle.THROTTLE_RATES["open_data"] == "60/min"


def _queries(api_client, url) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(url, {"page_size": 100}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [STRUCTURES, SERVICES])
def test_query_counts_do_not_grow_with_the_catalogue(open_world, api_client, url):
    small = _queries(api_client, url)
    for n in range(4):
        partner, services = add_partner(open_world.platform, name=f"Loueur {n}", services=2,
                                        category="rental", service_radius_km=5)  # fmt: skip
        partner.service_area.add(*__import__("core.models").models.Commune.objects.all()[:3])
        RuleFactory(service=services[0], weekdays=[6], start_time=time(10), end_time=time(11))
    assert _queries(api_client, url) == small
    assert small <= 10


# --- Export command -----------------------------------------------------------------------


def test_export_writes_the_same_objects_as_json_and_csv(open_world, tmp_path):
    from django.core.management import call_command

    call_command("export_data_inclusion", "--format", "json", "--output", str(tmp_path))
    structures = json.loads((tmp_path / "structures.json").read_text(encoding="utf-8"))
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    assert structures == opendata.all_structures() and services == opendata.all_services()
    assert validate(SERVICE, services)[0] == []
    call_command("export_data_inclusion", "--format", "csv", "--output", str(tmp_path))
    with (tmp_path / "services.csv").open(encoding="utf-8") as rows:
        read = list(csv.DictReader(rows))
    assert [row["id"] for row in read] == [s["id"] for s in services]
    garage = next(row for row in read if row["id"] == f"solimob--service-{open_world.service.pk}")
    assert garage["publics"] == "beneficiaires-des-minimas-sociaux,demandeurs-emploi,jeunes"


def test_services_score_well_on_data_inclusion_quality_criteria(open_world):
    """The package's own quality score (address, mobilisation, publics, thematiques,
    contact, freshness, fees, description...), printed per service."""
    from data_inclusion.schema.v1 import score_qualite

    scores = {}
    for item in opendata.all_services():
        score, criteria = score_qualite.score(SERVICE.model_validate(item))
        scores[item["id"]] = score
        weak = {name: value for name, value in criteria.items() if value is not None and value < 1}
        print(f"data·inclusion quality {item['id']}: {score} {weak or ''}")  # noqa: T201
    assert min(scores.values()) == 1.0, scores
