"""The catalogue pages: search (plain and HTMX), errors, access, a service's free slots."""

import html
import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.enums import Role
from beneficiaries.models import Beneficiary
from core.communes_import import import_communes
from core.demo import COMMUNES_FILE
from partners.enums import PartnerCategory, PartnerStatus
from partners.models import Slot
from partners.slots import slots_regenerate_many
from tests.factories import OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, RuleFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Sunday 22 November 2026, 10:00 in Paris: the next slots are on Monday the 23rd.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=PARIS)
MONDAY = date(2026, 11, 23)
# Centres of the communes, as in core/data/communes_allier.csv.
PLACES = {
    "Moulins": ("03000", "46.5646", "3.3326"),
    "Yzeure": ("03400", "46.5656", "3.3547"),
    "Montluçon": ("03100", "46.3408", "2.6036"),
    "Vichy": ("03200", "46.1278", "3.4258"),
}
SEARCH = reverse("catalogue_search")


# --- Fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def communes(db):
    import_communes(str(COMMUNES_FILE))


def make_partner(platform, name, commune, *, category=PartnerCategory.GARAGE, **fields):
    postcode, latitude, longitude = PLACES[commune]
    organisation = OrganisationFactory(
        partner=True,
        name=name,
        platform=platform,
        address="12 rue des Forges",
        commune=commune,
        postcode=postcode,
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
    )
    partner = PartnerFactory(organisation=organisation, category=category, **fields)
    AgreementFactory(partner=partner, platform=platform)
    return partner


def make_service(partner, name, **fields):
    """A published service open Monday to Friday, 9 h – 12 h, two places an hour."""
    service = ServiceFactory(partner=partner, name=name, **fields)
    RuleFactory(service=service, valid_from=NOW.date())
    return service


@pytest.fixture
def world(communes, platform):
    moulins = make_partner(
        platform, "Garage de Moulins", "Moulins", wheelchair_accessible=True, languages=["fr", "pt"]
    )
    yzeure = make_partner(platform, "Garage d'Yzeure", "Yzeure", languages=["fr"])
    montlucon = make_partner(
        platform,
        "Location Montluçon",
        "Montluçon",
        category=PartnerCategory.RENTAL,
        languages=["fr"],
    )
    vichy = make_partner(platform, "Garage de Vichy", "Vichy")
    services = {
        "moulins": make_service(moulins, "Mécanique à Moulins"),
        "yzeure": make_service(
            yzeure, "Pneus à Yzeure", solidarity_price=Decimal("20"), market_price=Decimal("40")
        ),
        "montlucon": make_service(montlucon, "Voiture à Montluçon", rental=True),
        "vichy": make_service(vichy, "Mécanique à Vichy"),
    }
    slots_regenerate_many([s.pk for s in services.values()], days=30)
    return services


@pytest.fixture
def other_platform_service(communes, other_platform):
    partner = make_partner(other_platform, "Garage d'ailleurs", "Moulins")
    service = make_service(partner, "Mécanique ailleurs")
    slots_regenerate_many([service.pk], days=30)
    return service


def signed_in(client, user):
    client.force_login(user)
    return client


def markup(response) -> str:
    """The HTML, entities decoded and no-break spaces as spaces."""
    body = html.unescape(response.content.decode())
    return body.replace("\xa0", " ").replace("\u202f", " ")


def text(response) -> str:
    """The page as a person reads it: no tags, one space between words."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup(response))).replace(" ,", ",")


def result_names(response) -> list[str]:
    return re.findall(r'<h3 class="result-title"><a href="[^"]+">([^<]+)</a>', markup(response))


def free_day(response, day: date) -> str:
    """The free times listed for one day of a service page (HTML)."""
    match = re.search(rf'id="jour-{day.isoformat()}">.*?</ul>', markup(response), re.S)
    assert match, f"no free slot listed on {day}"
    return match.group(0)


# --- Search -----------------------------------------------------------------------------------


def test_search_lists_the_nearest_services_with_distances(client, adviser, world):
    response = signed_in(client, adviser).get(SEARCH, {"place": "Moulins"})

    assert response.status_code == 200
    assert result_names(response) == ["Mécanique à Moulins", "Pneus à Yzeure"]  # 30 km
    assert "Garage de Moulins, Moulins à 0,0 km" in text(response)
    assert "Garage d'Yzeure, Yzeure à 1,7 km" in text(response)
    page = markup(response)
    assert "2 services trouvés" in page
    assert "35,00 € au lieu de 65,00 € de l'heure — 30,00 € d'économie" in page
    assert "20,00 € au lieu de 40,00 € de l'heure — 20,00 € d'économie" in page
    assert "prochaine place : lundi 23 novembre à 9 h 00" in page
    assert "Accessible en fauteuil roulant · langues parlées : français, portugais" in page
    assert "Pas accessible en fauteuil roulant · langues parlées : français" in page


def test_a_wider_radius_reaches_the_other_towns(client, adviser, world):
    response = signed_in(client, adviser).get(SEARCH, {"place": "Moulins", "radius_km": "65"})

    assert result_names(response) == [
        "Mécanique à Moulins",
        "Pneus à Yzeure",
        "Mécanique à Vichy",
        "Voiture à Montluçon",
    ]
    assert re.search(r"Garage de Vichy, Vichy à 4\d,\d km", text(response))


def test_without_filters_every_published_service_is_listed_without_distance(client, adviser, world):
    world["vichy"].published = False
    world["vichy"].save()
    response = signed_in(client, adviser).get(SEARCH)

    assert response.status_code == 200
    assert sorted(result_names(response)) == [
        "Mécanique à Moulins",
        "Pneus à Yzeure",
        "Voiture à Montluçon",
    ]
    assert " km" not in markup(response).split('id="resultats"')[1]


def test_a_suspended_partner_is_not_in_the_catalogue(client, adviser, world):
    partner = world["yzeure"].partner
    partner.status = PartnerStatus.SUSPENDED
    partner.save()
    response = signed_in(client, adviser).get(SEARCH, {"place": "Moulins"})

    assert result_names(response) == ["Mécanique à Moulins"]


def test_filters_are_kept_in_the_url_and_shown_again(client, adviser, world):
    params = {
        "q": "voiture",
        "category": "rental",
        "place": "Montluçon",
        "radius_km": "20",
        "available_from": "2026-11-30",
        "available_to": "2026-12-06",
        "max_price": "10",
        "wheelchair": "",
        "language": "fr",
        "sort": "price",
    }
    response = signed_in(client, adviser).get(SEARCH, params)

    assert response.status_code == 200
    assert result_names(response) == ["Voiture à Montluçon"]
    page = markup(response)
    assert 'method="get"' in page
    assert f'hx-get="{SEARCH}"' in page and 'hx-push-url="true"' in page
    assert 'name="q" value="voiture"' in page
    assert '<option value="rental" selected>' in page
    assert 'name="place" value="Montluçon"' in page
    assert 'name="radius_km" value="20"' in page
    assert 'name="available_from" value="2026-11-30"' in page
    assert 'name="available_to" value="2026-12-06"' in page
    assert 'name="max_price" value="10"' in page
    assert '<option value="fr" selected>' in page
    assert '<option value="price" selected>' in page
    # Each filter in use is listed with a link that removes it (and keeps the others).
    assert "Type de service : Location solidaire" in page
    assert "Autour de : Montluçon" in page
    assert "Distance maximale : 20 km" in page
    assert "Disponible à partir du : 30 novembre 2026" in page
    assert "Disponible jusqu'au : 6 décembre 2026" in page
    assert "Prix solidaire maximum : 10,00 €" in page
    chip = re.search(r'<a class="chip" href="\?([^"#]*)#resultats">Type de service', page)
    assert chip and "category=" not in chip.group(1) and "place=Montlu" in chip.group(1)


def test_checkboxes_filter_and_stay_checked(client, adviser, world):
    response = signed_in(client, adviser).get(SEARCH, {"place": "Moulins", "wheelchair": "on"})

    assert result_names(response) == ["Mécanique à Moulins"]
    assert re.search(r'<input type="checkbox" name="wheelchair"[^>]* checked', markup(response))


def test_dates_keep_only_services_free_in_the_window(client, adviser, world):
    monday = Slot.objects.filter(service=world["yzeure"], starts_at__date=MONDAY)
    monday.update(reserved=2)  # capacity 2: Yzeure is full on Monday
    response = signed_in(client, adviser).get(
        SEARCH, {"place": "Moulins", "available_from": MONDAY, "available_to": MONDAY}
    )

    assert result_names(response) == ["Mécanique à Moulins"]


def test_no_result_explains_what_to_try(client, adviser, world):
    response = signed_in(client, adviser).get(
        SEARCH, {"place": "Montluçon", "radius_km": "20", "category": "garage"}
    )

    assert response.status_code == 200
    assert result_names(response) == []
    page = markup(response)
    assert "Aucun service trouvé" in page
    assert "Aucun service ne correspond à cette recherche." in page
    assert "Cherchez plus loin, jusqu'à 30 km" in page
    assert "radius_km=30" in page
    assert "Retirez un filtre" in page


def test_a_place_received_in_the_url_stays_in_a_hidden_input(client, adviser, world):
    response = signed_in(client, adviser).get(SEARCH, {"commune": "03190"})

    assert result_names(response) == ["Mécanique à Moulins", "Pneus à Yzeure"]
    page = markup(response)
    assert '<input type="hidden" name="commune" value="03190"' in page
    assert "Recherche autour de : Moulins" in page
    assert 'name="near"' not in page  # empty hidden places are left out


def test_a_beneficiary_home_is_a_place(client, adviser, platform, world):
    person = Beneficiary.objects.create(
        platform=platform, first_name="Léa", last_name="Martin", postcode="03400", commune="Yzeure"
    )
    response = signed_in(client, adviser).get(SEARCH, {"beneficiary": person.pk})

    assert response.status_code == 200
    assert result_names(response) == ["Pneus à Yzeure", "Mécanique à Moulins"]
    assert f'<input type="hidden" name="beneficiary" value="{person.pk}"' in markup(response)


# --- HTMX -------------------------------------------------------------------------------------


def test_htmx_gets_only_the_results(client, adviser, world):
    response = signed_in(client, adviser).get(
        SEARCH, {"place": "Moulins"}, headers={"HX-Request": "true", "HX-Target": "resultats-liste"}
    )

    assert response.status_code == 200
    page = markup(response)
    assert "<html" not in page and "<form" not in page and "<header" not in page
    assert result_names(response) == ["Mécanique à Moulins", "Pneus à Yzeure"]
    # The live region of the page announces the new count.
    assert re.search(r'<span id="resultats-annonce" hx-swap-oob="innerHTML">2 services', page)
    assert "HX-Request" in response["Vary"]


def test_htmx_without_target_also_gets_only_the_results(client, adviser, world):
    response = signed_in(client, adviser).get(
        SEARCH, {"place": "Moulins"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<form" not in markup(response)
    assert len(result_names(response)) == 2


def test_htmx_history_restore_gets_the_whole_page(client, adviser, world):
    response = signed_in(client, adviser).get(
        SEARCH,
        {"place": "Moulins"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in markup(response) and "<form" in markup(response)


def test_htmx_invalid_search_redraws_the_form_with_its_errors(client, adviser, world):
    response = signed_in(client, adviser).get(
        SEARCH,
        {"place": "Moulins", "radius_km": "0"},
        headers={"HX-Request": "true", "HX-Target": "resultats-liste"},
    )

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#catalogue"
    assert response["HX-Reswap"] == "outerHTML"
    page = markup(response)
    assert "<html" not in page
    assert '<div id="catalogue"' in page and "<form" in page
    assert "supérieure ou égale à 1" in page
    assert 'hx-target="#catalogue"' in page  # the next search redraws the form again
    assert result_names(response) == []


def test_htmx_search_after_an_error_redraws_the_form_without_errors(client, adviser, world):
    response = signed_in(client, adviser).get(
        SEARCH, {"place": "Moulins"}, headers={"HX-Request": "true", "HX-Target": "catalogue"}
    )

    assert response.status_code == 200
    page = markup(response)
    assert "<form" in page and "form-errors" not in page
    assert 'hx-target="#resultats-liste"' in page
    assert len(result_names(response)) == 2


# --- Invalid filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "bateau"}, "Sélectionnez un choix valide"),
        ({"near": "abc"}, "Écrivez deux nombres séparés par une virgule."),
        (
            {"available_from": "2026-12-10", "available_to": "2026-12-01"},
            "La date de fin doit être après la date de début.",
        ),
        ({"place": "Moulins", "radius_km": "-5"}, "supérieure ou égale à 1"),
        ({"place": "Moulins", "radius_km": "0"}, "supérieure ou égale à 1"),
        ({"place": "Atlantide"}, "Commune ou code postal inconnu : « Atlantide »."),
        (
            {"place": "03410"},
            "Plusieurs communes correspondent : Domérat (03), Prémilhat (03), Saint-Victor (03). "
            "Précisez laquelle.",
        ),
        ({"commune": "99999"}, "Code INSEE inconnu."),
        ({"sort": "distance"}, "Pour trier par distance, indiquez un lieu."),
    ],
)
def test_bad_filters_show_the_form_with_a_french_error(client, adviser, world, params, message):
    response = signed_in(client, adviser).get(SEARCH, {"q": "réparation", **params})

    assert response.status_code == 400
    page = markup(response)
    assert message in page
    assert "La recherche n'a pas pu être faite. Corrigez ce qui est signalé" in page
    assert 'role="alert"' in page
    assert result_names(response) == [] and "results-list" not in page
    assert 'name="q" value="réparation"' in page  # nothing typed is lost
    assert "<title>Erreur — " in page


def test_an_error_sits_next_to_its_field_and_in_the_summary(client, adviser, world):
    response = signed_in(client, adviser).get(SEARCH, {"place": "Atlantide"})

    page = markup(response)
    assert '<a href="#id_place">Commune ou code postal</a> : Commune ou code postal inconnu' in page
    assert '<div class="error" id="id_place_error">' in page
    assert re.search(r'<input[^>]*name="place"[^>]*aria-invalid="true"', page)
    assert re.search(r'<input[^>]*name="place"[^>]*aria-describedby="[^"]*id_place_error', page)


def test_a_bad_place_from_the_url_is_dropped_after_the_error(client, adviser, world):
    response = signed_in(client, adviser).get(SEARCH, {"near": "abc", "q": "x"})

    assert response.status_code == 400
    page = markup(response)
    assert 'name="near"' not in page  # the next search does not carry it again
    assert "Ce lieu venait du lien suivi : il est retiré." in page


# --- Pagination and queries -------------------------------------------------------------------


def many_services(platform, count: int) -> None:
    partner = make_partner(platform, "Garage de Moulins", "Moulins")
    for number in range(count):
        service = ServiceFactory(partner=partner, name=f"Service {number:02d}")
        Slot.objects.create(
            service=service,
            starts_at=datetime.combine(MONDAY, time(9 + number % 8), tzinfo=PARIS),
            ends_at=datetime.combine(MONDAY, time(10 + number % 8), tzinfo=PARIS),
            capacity=1,
        )


def test_pagination_keeps_the_filters(client, adviser, platform, communes):
    many_services(platform, 25)
    signed_in(client, adviser)
    params = {"category": "garage", "place": "Moulins", "radius_km": "10", "sort": "price"}

    first = client.get(SEARCH, params)
    assert len(result_names(first)) == 20
    assert "Services 1 à 20 sur 25" in markup(first)
    link = re.search(r'<a href="(\?[^"#]*page=2)#resultats">Page suivante', markup(first))
    assert link, "no link to the second page"
    query = link.group(1)
    for key, value in params.items():
        assert f"{key}={value}" in query

    second = client.get(SEARCH + query)
    assert second.status_code == 200
    assert len(result_names(second)) == 5
    assert 'name="radius_km" value="10"' in markup(second)
    assert '<option value="price" selected>' in markup(second)
    assert re.search(r'href="\?[^"]*page=1#resultats"[^>]*>← Page précédente', markup(second))


def test_a_page_out_of_range_shows_the_last_one_and_a_bad_one_the_first(
    client, adviser, platform, communes
):
    many_services(platform, 25)
    signed_in(client, adviser)

    past = client.get(SEARCH, {"page": "9"})
    assert past.status_code == 200 and len(result_names(past)) == 5
    assert "Services 21 à 25 sur 25" in markup(past)
    bad = client.get(SEARCH, {"page": "neuf"})
    assert bad.status_code == 200 and len(result_names(bad)) == 20
    assert "Services 1 à 20 sur 25" in markup(bad)


@pytest.mark.parametrize("count", [10, 60])
def test_search_queries_do_not_grow_with_the_results(
    client, adviser, platform, communes, django_assert_num_queries, count
):
    many_services(platform, count)
    signed_in(client, adviser)
    params = {"category": "garage", "place": "Moulins", "available_from": MONDAY}

    # Session, user, memberships, the commune, the page's ids with the count, its rows, the
    # next places past the partners' notice (one query for the page's rows), the
    # navigation's teams.
    with django_assert_num_queries(8):
        response = client.get(SEARCH, params)

    assert response.status_code == 200
    assert len(result_names(response)) == min(count, 20)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["adviser", "admin_user", "finance_officer", "partner_manager"])
def test_staff_and_partner_members_open_the_catalogue(client, request, who, world):
    user = request.getfixturevalue(who)
    assert signed_in(client, user).get(SEARCH).status_code == 200
    assert signed_in(client, user).get(SEARCH, headers={"HX-Request": "true"}).status_code == 200


def test_a_partner_member_sees_only_their_own_services(client, partner_org, world):
    partner = PartnerFactory(organisation=partner_org)
    ServiceFactory(partner=partner, name="Notre vidange")
    manager = member(Role.PARTNER_MANAGER, partner_org)

    response = signed_in(client, manager).get(SEARCH)

    assert result_names(response) == ["Notre vidange"]


def test_prescribers_and_beneficiaries_are_refused(client, prescriber, platform, world):
    person = UserFactory()
    Beneficiary.objects.create(platform=platform, user=person, first_name="Léa", last_name="M")
    service_url = reverse("catalogue_service", args=[world["moulins"].pk])
    for user in (prescriber, person):
        for url in (SEARCH, service_url):
            response = signed_in(client, user).get(url)
            assert response.status_code == 403, url
            assert "Accès refusé" in markup(response)
            assert "réservé aux équipes des plateformes et des partenaires" in markup(response)


def test_anonymous_people_are_sent_to_the_login_page(client, world):
    for url in (SEARCH, reverse("catalogue_service", args=[world["moulins"].pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_an_htmx_search_after_the_session_expired_goes_to_the_login_page(client, world):
    response = client.get(SEARCH, {"place": "Moulins"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("account_login") + "?next=")
    assert "place%3DMoulins" in response["HX-Redirect"]


def test_navigation_and_home_lead_to_the_catalogue(client, adviser, admin_user, prescriber):
    for user in (adviser, admin_user):
        page = markup(signed_in(client, user).get(reverse("home")))
        assert f'<a href="{SEARCH}">Chercher un service partenaire</a>' in page
        assert f'<a href="{SEARCH}">Catalogue</a>' in page
    page = markup(signed_in(client, prescriber).get(reverse("home")))
    assert SEARCH not in page


# --- Service page -----------------------------------------------------------------------------


def test_service_page_shows_prices_partner_and_free_slots(client, adviser, world):
    service = world["moulins"]
    service.description = "Réparations courantes."
    service.eligibility_note = "Quotient familial inférieur à 750 €."
    service.deposit = Decimal("50")
    service.save()
    slots = Slot.objects.filter(service=service, starts_at__date=MONDAY).order_by("starts_at")
    nine, ten = slots[0], slots[1]
    nine.reserved = nine.capacity  # full: hidden
    nine.save()
    ten.reserved = 1  # one place left of two
    ten.save()

    response = signed_in(client, adviser).get(reverse("catalogue_service", args=[service.pk]))

    assert response.status_code == 200
    page = markup(response)
    assert "<h1>Mécanique à Moulins</h1>" in page
    assert "35,00 € au lieu de 65,00 € de l'heure — 30,00 € d'économie" in page
    assert "50,00 €" in page  # deposit
    assert "Réparations courantes." in page and "Quotient familial inférieur à 750 €." in page
    assert "12 rue des Forges" in page and "03000 Moulins" in page
    assert "Accessible en fauteuil roulant" in page and "français, portugais" in page
    monday = free_day(response, MONDAY)
    assert "lundi 23 novembre" in monday
    assert "9 h 00" not in monday
    assert '<li>10 h 00 <span class="free-note">(1 place)</span></li>' in monday
    assert "<li>11 h 00</li>" in monday
    assert "<li>9 h 00</li>" in free_day(response, date(2026, 11, 24))
    assert "Du dimanche 22 novembre au samedi 12 décembre." in page
    assert "?debut=2026-12-13" in page
    assert "précédentes" not in page
    # Advisers book the next free place from here (10 h 00 on Monday: 9 h 00 is full), or
    # choose another one.
    assert "Réserver le lun. 23 nov. à 10 h 00" in page
    assert f"?service={service.pk}&place=2026-11-23T09%3A00%3A00%2B00%3A00" in page
    assert "Choisir une autre place" in page


def test_service_page_slots_can_be_paged(client, adviser, world):
    url = reverse("catalogue_service", args=[world["moulins"].pk])
    signed_in(client, adviser)

    later = client.get(url, {"debut": "2026-11-30"})
    assert "Du lundi 30 novembre au dimanche 20 décembre." in markup(later)
    assert "jour-2026-11-27" not in markup(later)
    assert "?debut=2026-11-22" in markup(later)  # back to today, never before

    for bad in ("hier", "2026-02-30", "2025-01-01", "9999-12-31", "99999-01-01"):
        response = client.get(url, {"debut": bad})
        assert response.status_code == 200, bad
        assert "Du dimanche 22 novembre au samedi 12 décembre." in markup(response), bad


def test_rentals_by_the_day_show_the_places_of_each_day(client, adviser, world):
    response = signed_in(client, adviser).get(
        reverse("catalogue_service", args=[world["montlucon"].pk])
    )

    assert '<li>de 9 h 00 à 12 h 00 <span class="free-note">(2 places)</span></li>' in (
        free_day(response, MONDAY)
    )


@pytest.mark.parametrize("case", ["other_platform", "unpublished", "draft_partner", "unknown"])
def test_invisible_services_are_not_found(client, admin_user, world, other_platform_service, case):
    service = world["moulins"]
    if case == "other_platform":
        service = other_platform_service
    elif case == "unpublished":
        service.published = False
        service.save()
    elif case == "draft_partner":
        service.partner.status = PartnerStatus.DRAFT
        service.partner.save()
    service_id = 999999 if case == "unknown" else service.pk

    response = signed_in(client, admin_user).get(reverse("catalogue_service", args=[service_id]))

    assert response.status_code == 404
    assert "Page introuvable" in markup(response)
    assert "Garage d'ailleurs" not in markup(response)


def test_another_platform_partner_is_never_in_the_search(
    client, adviser, world, other_platform_service
):
    response = signed_in(client, adviser).get(SEARCH, {"place": "Moulins"})

    assert "Mécanique ailleurs" not in markup(response)
    assert "Garage d'ailleurs" not in markup(response)


# --- Known problem (see the report) -----------------------------------------------------------


def test_a_date_at_the_end_of_the_calendar_is_an_error_not_a_crash(client, adviser, world):
    client.raise_request_exception = False
    response = signed_in(client, adviser).get(
        SEARCH, {"available_from": "9999-12-01", "available_to": "9999-12-31"}
    )

    assert response.status_code == 400
