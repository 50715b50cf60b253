"""Catalogue search through GET /api/v1/services/, on a fixture with known distances."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.models import Beneficiary
from core.communes_import import import_communes
from core.demo import COMMUNES_FILE
from core.models import Commune
from core.places import distance_km
from partners.models import Slot
from tests.factories import OrganisationFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

MOULINS = (46.5646, 3.3326)
YZEURE = (46.5656, 3.3547)
MONTLUCON = (46.3408, 2.6036)
VICHY = (46.1278, 3.4258)


def local(day_offset: int, hour: int = 9) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def make_partner(platform, name, at, *, agreed=True, **fields):
    organisation = OrganisationFactory(
        partner=True, name=name, latitude=Decimal(str(at[0])), longitude=Decimal(str(at[1]))
    )
    partner = PartnerFactory(organisation=organisation, **fields)
    if agreed:
        AgreementFactory(partner=partner, platform=platform)
    return partner


def slot(service, day_offset, *, capacity=1, reserved=0):
    return Slot.objects.create(
        service=service, starts_at=local(day_offset), ends_at=local(day_offset, 10),
        capacity=capacity, reserved=reserved,
    )  # fmt: skip


@pytest.fixture
def world(db, platform):
    import_communes(str(COMMUNES_FILE))
    a = make_partner(platform, "Garage Moulins", MOULINS, wheelchair_accessible=True,
                     languages=["fr", "pt"], service_radius_km=10)  # fmt: skip
    b = make_partner(platform, "Garage Yzeure", YZEURE, languages=["fr"])
    c = make_partner(platform, "Location Montluçon", MONTLUCON, category="rental")
    d = make_partner(platform, "Transport Vichy", VICHY, category="transport")
    d.service_area.set([Commune.objects.get(insee_code="03190")])  # serves Moulins
    e = make_partner(platform, "Garage sans convention", MOULINS, agreed=False)
    services = {
        "a": ServiceFactory(partner=a, name="Réparation", solidarity_price=Decimal("35")),
        "b": ServiceFactory(
            partner=b,
            name="Réparation B",
            solidarity_price=Decimal("30"),
            market_price=Decimal("62"),
        ),  # fmt: skip
        "b_tyres": ServiceFactory(
            partner=b, name="Pneus", solidarity_price=Decimal("20"), market_price=Decimal("40")
        ),  # fmt: skip
        "c": ServiceFactory(partner=c, rental=True, name="Voiture"),
        "d": ServiceFactory(
            partner=d,
            name="Trajet",
            unit="km",
            solidarity_price=Decimal("0.35"),
            market_price=Decimal("1.80"),
        ),  # fmt: skip
        "e": ServiceFactory(partner=e, name="Invisible"),
    }
    slot(services["a"], 1)
    slot(services["b"], 3, capacity=2, reserved=2)  # full: never counts
    slot(services["b"], 10)
    slot(services["c"], 2)
    slot(services["e"], 1)
    return services


def search(api_client, user, **params):
    api_client.force_authenticate(user)
    return api_client.get("/api/v1/services/", params)


def names(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [item["name"] for item in response.data["results"]]


@pytest.mark.django_db
def test_place_and_default_radius_sort_by_distance(api_client, adviser, world):
    response = search(api_client, adviser, place="Moulins")
    # Same place for B's two services: the one with a free slot first.
    assert names(response) == ["Réparation", "Réparation B", "Pneus"]
    distances = [item["distance_km"] for item in response.data["results"]]
    assert distances[0] == 0.0
    assert distances[1] == pytest.approx(round(distance_km(*MOULINS, *YZEURE), 1), abs=0.1)


@pytest.mark.django_db
def test_radius_bound(api_client, adviser, world):
    to_vichy = distance_km(*MOULINS, *VICHY)
    to_montlucon = distance_km(*MOULINS, *MONTLUCON)
    assert to_vichy < 55 < to_montlucon < 65
    assert "Trajet" in names(search(api_client, adviser, place="Moulins", radius_km="55"))
    assert "Voiture" not in names(search(api_client, adviser, place="Moulins", radius_km="55"))
    everything = names(search(api_client, adviser, place="Moulins", radius_km="65"))
    assert everything[-2:] == ["Trajet", "Voiture"]  # farthest last
    assert "Invisible" not in everything  # no agreement with the adviser's platform


@pytest.mark.django_db
def test_near_coordinates_equal_the_commune(api_client, adviser, world):
    by_name = names(search(api_client, adviser, place="Moulins"))
    by_point = names(search(api_client, adviser, near=f"{MOULINS[0]},{MOULINS[1]}"))
    by_insee = names(search(api_client, adviser, commune="03190"))
    assert by_name == by_point == by_insee


@pytest.mark.django_db
def test_beneficiary_home(api_client, adviser, platform, world):
    person = Beneficiary.objects.create(
        platform=platform, first_name="Léa", last_name="Martin", postcode="03100",
        commune="Montluçon",
    )  # fmt: skip
    assert names(search(api_client, adviser, beneficiary=person.pk)) == ["Voiture"]
    other = Beneficiary.objects.create(
        platform=OrganisationFactory(), first_name="X", last_name="Y", postcode="03100"
    )
    response = search(api_client, adviser, beneficiary=other.pk)
    assert response.status_code == 400 and "beneficiary" in response.data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "rental"}, ["Voiture"]),
        ({"q": "pneus"}, ["Pneus"]),
        ({"q": "garage yzeure"}, ["Pneus", "Réparation B"]),
        ({"max_price": "20"}, ["Trajet", "Voiture", "Pneus"]),
        ({"max_price": "20,00"}, ["Trajet", "Voiture", "Pneus"]),
        ({"wheelchair": "true"}, ["Réparation"]),
        ({"language": "pt"}, ["Réparation"]),
    ],
)
def test_each_filter_alone(api_client, adviser, world, params, expected):
    assert (
        names(search(api_client, adviser, sort="price", **params))
        == sorted(expected, key=lambda n: {"Trajet": 0, "Voiture": 1, "Pneus": 2}.get(n, 3))
        or names(search(api_client, adviser, **params)) == expected
    )


@pytest.mark.django_db
def test_availability_window_ignores_full_slots(api_client, adviser, world):
    day3 = (timezone.localdate() + timedelta(days=3)).isoformat()
    day10 = (timezone.localdate() + timedelta(days=10)).isoformat()
    in_window = names(search(api_client, adviser, available_from=day3, available_to=day3))
    assert in_window == []  # B's only slot that day is full
    later = search(api_client, adviser, available_from=day10, available_to=day10)
    assert names(later) == ["Réparation B"]
    assert later.data["results"][0]["next_available_at"].startswith(day10)


@pytest.mark.django_db
def test_service_area_covers_the_place(api_client, adviser, world):
    covered = names(search(api_client, adviser, place="Moulins", covers="true"))
    # Moulins garage (within its 10 km) and Vichy transport (Moulins in its list of communes).
    assert covered == ["Réparation", "Trajet"]
    assert names(search(api_client, adviser, place="Montluçon", covers="true")) == []


@pytest.mark.django_db
def test_combined_filters(api_client, adviser, world):
    day1 = (timezone.localdate() + timedelta(days=1)).isoformat()
    day12 = (timezone.localdate() + timedelta(days=12)).isoformat()
    result = names(
        search(
            api_client, adviser, place="Moulins", radius_km="20", category="garage",
            available_from=day1, available_to=day12, max_price="35",
        )
    )  # fmt: skip
    assert result == ["Réparation", "Réparation B"]


@pytest.mark.django_db
def test_sorts(api_client, adviser, world):
    by_price = search(api_client, adviser, sort="price")
    prices = [Decimal(item["solidarity_price"]) for item in by_price.data["results"]]
    assert prices == sorted(prices)
    by_next = search(api_client, adviser, sort="next")
    assert names(by_next)[:3] == ["Réparation", "Voiture", "Réparation B"]
    assert by_next.data["results"][-1]["next_available_at"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "spaceship"}, "category"),
        ({"near": "abc"}, "near"),
        ({"near": "95,3"}, "near"),
        ({"radius_km": "-5", "place": "Moulins"}, "radius_km"),
        ({"radius_km": "0", "place": "Moulins"}, "radius_km"),
        ({"available_from": "2026-02-30"}, "available_from"),
        ({"available_from": "2030-01-10", "available_to": "2030-01-01"}, "available_to"),
        ({"available_from": "2030-01-01", "available_to": "2030-12-31"}, "available_to"),
        ({"max_price": "-1"}, "max_price"),
        ({"available_to": "9999-12-31"}, "available_to"),
        ({"available_from": "9999-12-01"}, "available_from"),
        ({"place": "Atlantide"}, "place"),
        ({"place": "03410"}, "place"),
        ({"commune": "99999"}, "commune"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "random"}, "sort"),
        ({"language": "klingon"}, "language"),
    ],
)
def test_bad_filters_are_400_with_the_field_named(api_client, adviser, world, params, field):
    response = search(api_client, adviser, **params)
    assert response.status_code == 400
    assert field in response.data, response.data


def test_money_and_dates_follow_the_contract(api_client, adviser, world):
    item = search(api_client, adviser, place="Moulins").data["results"][0]
    assert item["market_price"] == "65.00" and item["solidarity_price"] == "35.00"
    assert item["partner"]["name"] == "Garage Moulins"
    assert item["commune"] == "Moulins"
    parsed = datetime.fromisoformat(item["next_available_at"])
    assert parsed.utcoffset() is not None
    assert parsed == local(1)


def build(platform, count):
    import_communes(str(COMMUNES_FILE))
    for n in range(count):
        partner = make_partner(platform, f"P{n}", MOULINS)
        service = ServiceFactory(partner=partner, name=f"S{n}")
        slot(service, 1 + n % 5)


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "page_size"), [(10, 1), (10, 50), (200, 1), (200, 50)])
def test_query_count_is_constant(api_client, adviser, platform, count, page_size,
                                 django_assert_num_queries):  # fmt: skip
    build(platform, count)
    api_client.force_authenticate(adviser)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    params = {"place": "Moulins", "radius_km": "10", "available_from": day,
              "page_size": page_size}  # fmt: skip
    with django_assert_num_queries(4):  # memberships, place, page ids with the count, rows
        response = api_client.get("/api/v1/services/", params)
    assert response.data["count"] == count
    assert len(response.data["results"]) == min(count, page_size)


# --- Keywords, without case or accents ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("reparation", ["Réparation", "Réparation B"]),
        ("RÉPARATION b", ["Réparation B"]),
        ("montlucon", ["Voiture"]),  # the partner's name, « Location Montluçon »
        ("réparation pneus", []),  # every word must match
        ("ation\nB", ["Réparation B"]),  # words are split on any space
    ],
)
def test_keywords_ignore_case_and_accents(api_client, adviser, world, q, expected):
    assert sorted(names(search(api_client, adviser, q=q))) == expected


@pytest.mark.django_db
def test_keywords_do_not_match_across_two_fields(api_client, adviser, world):
    world["b_tyres"].description = "Montage"
    world["b_tyres"].save()
    # « Pneus » + « Montage »: no single field holds « pneusmontage » or « neus mon ».
    assert names(search(api_client, adviser, q="pneusmontage")) == []
    assert names(search(api_client, adviser, q="montage")) == ["Pneus"]


@pytest.mark.django_db
def test_keywords_follow_renames(api_client, adviser, world, admin_user, client):
    from partners.services import service_update

    tyres = world["b_tyres"]
    manager = member(Role.PARTNER_MANAGER, tyres.partner.organisation)
    service_update(actor=manager, service_id=tyres.pk, name="Pneumatiques d'hiver")
    assert names(search(api_client, adviser, q="pneumatiques hiver")) == ["Pneumatiques d'hiver"]
    tyres.published = False
    tyres.save(update_fields=["published"])  # other fields: the search text is left alone
    tyres.refresh_from_db()
    assert "pneumatiques d'hiver" in tyres.search_text

    # The partner's name is part of the search text: renaming the organisation in the admin
    # rewrites it.
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    organisation = world["a"].partner.organisation
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    form = {
        "name": "Garage Bourbonnais", "kind": organisation.kind, "address": organisation.address,
        "commune": organisation.commune, "postcode": organisation.postcode, "siret": "",
        "latitude": str(organisation.latitude), "longitude": str(organisation.longitude),
        "territory": organisation.territory, "is_active": "on", "platform": "",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    assert names(search(api_client, adviser, q="bourbonnais")) == ["Réparation"]


# --- Service area --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_covers_finds_a_partner_at_the_edge_of_a_large_radius(api_client, adviser, platform, world):
    """The box that narrows the candidates is as wide as the largest radius, and encloses the
    whole circle: a partner 299.9 km almost due east with a 300 km radius is found (a box
    of ±300 km / cos(latitude) in longitude would miss it by 20 m), one at 300.5 km is not."""
    from tests.core.test_places import destination

    near = make_partner(platform, "Loin mais dans le rayon", destination(*MOULINS, 87, 299.9),
                        service_radius_km=300)  # fmt: skip
    far = make_partner(platform, "Juste hors du rayon", destination(*MOULINS, 87, 300.5),
                       service_radius_km=300)  # fmt: skip
    ServiceFactory(partner=near, name="Dépannage lointain")
    ServiceFactory(partner=far, name="Dépannage trop loin")
    covered = names(search(api_client, adviser, place="Moulins", covers="true"))
    assert covered == ["Réparation", "Trajet", "Dépannage lointain"]


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"place": "Moulins", "radius_km": "80"}, {"sort": "price"}])
def test_pages_follow_the_order_of_the_whole_list(api_client, adviser, world, params):
    whole = search(api_client, adviser, page_size=100, **params).data
    walked, page = [], 1
    while True:
        data = search(api_client, adviser, page_size=2, page=page, **params).data
        walked += [(item["id"], item["next_available_at"]) for item in data["results"]]
        if not data["next"]:
            break
        page += 1
    assert data["count"] == whole["count"] == len(walked)
    assert walked == [(item["id"], item["next_available_at"]) for item in whole["results"]]


@pytest.mark.django_db
def test_pages_past_the_end_invalid_or_last(api_client, adviser, world):
    third = search(api_client, adviser, page_size=2, page=3).data  # 5 found: the last page
    assert third["count"] == 5 and len(third["results"]) == 1 and third["next"] is None
    assert search(api_client, adviser, page_size=2, page=4).status_code == 404
    # Not a page number at all: a 400, as the schema documents.
    assert search(api_client, adviser, page_size=2, page=0).status_code == 400
    assert search(api_client, adviser, page_size=2, page="deux").status_code == 400
    last = search(api_client, adviser, page_size=2, page="last").data
    assert last["count"] == 5 and len(last["results"]) == 1 and last["next"] is None
    nothing = search(api_client, adviser, q="introuvable").data
    assert nothing["count"] == 0 and nothing["results"] == []
