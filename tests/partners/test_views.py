"""Partner portal pages: who sees what, what the forms accept and refuse, the calendar."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.models import Beneficiary
from partners.enums import BookingMode, PartnerStatus
from partners.models import AvailabilityRule, Closure, Partner, Service, Slot, SlotConflict
from tests.factories import OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, RuleFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


# --- Fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def partner(partner_org):
    return PartnerFactory(organisation=partner_org)


@pytest.fixture
def service(partner):
    return ServiceFactory(partner=partner, name="Vidange", published=False)


@pytest.fixture
def rule(service):
    return RuleFactory(service=service, valid_from=timezone.localdate())


@pytest.fixture
def other_partner(other_platform):
    organisation = OrganisationFactory(partner=True, name="Garage B", platform=other_platform)
    return PartnerFactory(organisation=organisation)


@pytest.fixture
def other_manager(other_partner):
    return member(Role.PARTNER_MANAGER, other_partner.organisation)


@pytest.fixture
def beneficiary_user(platform):
    user = UserFactory()
    Beneficiary.objects.create(platform=platform, user=user, first_name="Léa", last_name="Martin")
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def next_monday() -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def page_urls(partner, service, rule) -> list[str]:
    calendar = reverse("service_calendar", args=[service.pk])
    return [
        reverse("partner_dashboard", args=[partner.pk]),
        reverse("partner_profile_edit", args=[partner.pk]),
        reverse("partner_closures", args=[partner.pk]),
        reverse("service_create", args=[partner.pk]),
        reverse("service_detail", args=[service.pk]),
        reverse("service_edit", args=[service.pk]),
        calendar,
        f"{calendar}?vue=mois",
    ]


def post_urls(partner, service, rule, closure) -> list[tuple[str, dict]]:
    """Every write of the portal, with data that would succeed for a manager."""
    return [
        (reverse("partner_profile_edit", args=[partner.pk]), profile_data(description="Pirate")),
        (reverse("partner_publish", args=[partner.pk]), {}),
        (reverse("service_create", args=[partner.pk]), service_data(name="Pirate")),
        (reverse("service_edit", args=[service.pk]), service_data(name="Pirate")),
        (reverse("service_detail", args=[service.pk]), rule_data(start_time="14:00")),
        (reverse("service_publish", args=[service.pk]), {}),
        (reverse("service_unpublish", args=[service.pk]), {}),
        (reverse("service_delete", args=[service.pk]), {}),
        (reverse("rule_delete", args=[service.pk, rule.pk]), {}),
        (reverse("partner_closures", args=[partner.pk]), closure_data()),
        (reverse("closure_delete", args=[partner.pk, closure.pk]), {}),
    ]


def snapshot(partner) -> dict:
    partner.refresh_from_db()
    return {
        "partner": (partner.description, partner.status),
        "services": sorted(
            Service.objects.filter(partner=partner).values_list("name", "published", "unit")
        ),
        "rules": AvailabilityRule.objects.filter(service__partner=partner).count(),
        "closures": Closure.objects.filter(partner=partner).count(),
    }


def service_data(**overrides) -> dict:
    data = {
        "name": "Vidange et filtres",
        "description": "",
        "unit": "hour",
        "market_price": "65",
        "solidarity_price": "35,50",
        "deposit": "0",
        "eligibility_note": "",
        "booking_mode": BookingMode.SLOT,
        "min_notice_hours": "24",
        "max_advance_days": "90",
        "cancellation_cutoff_hours": "24",
    }
    data.update(overrides)
    return data


def rule_data(**overrides) -> dict:
    data = {
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_time": "09:00",
        "end_time": "12:00",
        "slot_minutes": "60",
        "capacity": "2",
        "valid_from": "",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def closure_data(**overrides) -> dict:
    start = next_monday()
    data = {
        "service": "",
        "start_date": start.isoformat(),
        "start_time": "",
        "end_date": (start + timedelta(days=2)).isoformat(),
        "end_time": "",
        "reason": "holidays",
        "kind": "full",
        "capacity": "",
        "note": "Inventaire",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _communes(communes):
    """Profiles name the communes they serve: the demo list of communes is loaded."""


def profile_data(**overrides) -> dict:
    data = {
        "category": "garage",
        "description": "Garage associatif",
        "opening_hours": "Du lundi au vendredi",
        "wheelchair_accessible": "on",
        "accessibility_notes": "",
        "languages": ["fr", "pt"],
        "service_radius_km": "40",
        "service_area": "Moulins, Yzeure ; Avermes",
        "timezone": "Europe/Paris",
        "address": "12 rue des Forges",
        "postcode": "03000",
        "commune": "Moulins",
        "latitude": "46,5659",
        "longitude": "3.3328",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    """The page as one line of text (tags and repeated spaces removed)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


# --- Who may see what -------------------------------------------------------------------


def test_every_page_renders_for_the_manager(client, partner_manager, partner, service, rule):
    signed_in(client, partner_manager)
    for url in page_urls(partner, service, rule):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_portal_leads_a_one_partner_manager_to_the_dashboard(client, partner_manager, partner):
    response = signed_in(client, partner_manager).get(reverse("partner_portal"))
    assert response.status_code == 302
    assert response.url == reverse("partner_dashboard", args=[partner.pk])


def test_the_portal_lists_the_partners_a_platform_admin_manages(
    client, admin_user, platform, partner, other_partner
):
    onboarded = PartnerFactory(
        organisation=OrganisationFactory(partner=True, name="Auto-école A", platform=platform),
        status=PartnerStatus.DRAFT,
    )
    response = signed_in(client, admin_user).get(reverse("partner_portal"))
    assert response.status_code == 200
    page = text(response)
    assert "Garage A" in page and onboarded.name in page
    assert "Garage B" not in page  # another platform's partner


def test_a_platform_admin_manages_a_partner_with_an_agreement(
    client, admin_user, platform, other_partner
):
    AgreementFactory(partner=other_partner, platform=platform)
    response = signed_in(client, admin_user).get(
        reverse("partner_dashboard", args=[other_partner.pk])
    )
    assert response.status_code == 200
    assert "Ajouter un service" in text(response)


def test_partner_a_cannot_read_or_edit_partner_b(
    client, other_manager, partner, service, rule, partner_manager
):
    closure = Closure.objects.create(
        partner=partner,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=4),
    )
    signed_in(client, other_manager)
    for url in page_urls(partner, service, rule):
        assert client.get(url).status_code == 404, url
    before = snapshot(partner)
    for url, data in post_urls(partner, service, rule, closure):
        assert client.post(url, data).status_code == 404, url
    assert snapshot(partner) == before


@pytest.mark.parametrize("who", ["prescriber", "beneficiary_user", "adviser"])
def test_roles_without_a_partner_portal_get_403(client, request, who, partner, service, rule):
    """The need-to-know table gives them no partner portal (advisers use the catalogue)."""
    AgreementFactory(partner=partner, platform=partner.organisation.platform)
    service.published = True
    service.save()
    user = request.getfixturevalue(who)
    signed_in(client, user)
    assert client.get(reverse("partner_portal")).status_code == 403
    for url in page_urls(partner, service, rule):
        assert client.get(url).status_code == 403, url


def test_anonymous_people_are_sent_to_sign_in(client, partner):
    response = client.get(reverse("partner_dashboard", args=[partner.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_partner_staff_read_but_do_not_write(client, partner_staff, partner, service, rule):
    closure = Closure.objects.create(
        partner=partner,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=4),
    )
    signed_in(client, partner_staff)
    for name, args in [
        ("partner_dashboard", [partner.pk]),
        ("partner_closures", [partner.pk]),
        ("service_detail", [service.pk]),
        ("service_calendar", [service.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        page = text(response)
        assert "lecture seule" in page
        for button in ("Ajouter un service", "Modifier", "Publier", "Supprimer", "Ajouter"):
            assert button not in page, (name, button)
    for name, args in [
        ("partner_profile_edit", [partner.pk]),
        ("service_create", [partner.pk]),
        ("service_edit", [service.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    before = snapshot(partner)
    for url, data in post_urls(partner, service, rule, closure):
        assert client.post(url, data).status_code in (403, 404), url
    assert snapshot(partner) == before


# --- Profile ----------------------------------------------------------------------------


def test_the_manager_edits_the_profile(client, partner_manager, partner):
    response = signed_in(client, partner_manager).post(
        reverse("partner_profile_edit", args=[partner.pk]),
        profile_data(timezone="Indian/Reunion", postcode="03400", latitude="46,601"),
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    partner.organisation.refresh_from_db()
    assert partner.languages == ["fr", "pt"]
    assert [c.name for c in partner.service_area.order_by("name")] == [
        "Avermes",
        "Moulins",
        "Yzeure",
    ]
    assert partner.timezone == "Indian/Reunion"
    assert partner.wheelchair_accessible is True
    assert partner.organisation.postcode == "03400"
    assert partner.organisation.latitude == Decimal("46.601")


def test_unknown_or_ambiguous_communes_are_named_in_the_error(client, partner_manager, partner):
    response = signed_in(client, partner_manager).post(
        reverse("partner_profile_edit", args=[partner.pk]),
        profile_data(service_area="Moulins, Atlantide, 03410"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Commune ou code postal inconnu : « Atlantide »" in page
    assert "Plusieurs communes correspondent" in page
    assert "Moulins, Atlantide, 03410" in page  # the input is kept
    assert not partner.service_area.exists()


def test_a_bad_profile_keeps_the_input(client, partner_manager, partner):
    response = signed_in(client, partner_manager).post(
        reverse("partner_profile_edit", args=[partner.pk]),
        profile_data(postcode="3000", description="Mon nouveau texte"),
    )
    assert response.status_code == 400
    assert "Le code postal compte 5 chiffres." in text(response)
    assert "Mon nouveau texte" in response.content.decode()
    partner.refresh_from_db()
    assert partner.description == ""


def test_publishing_the_profile(client, partner_manager, partner):
    partner.status = PartnerStatus.DRAFT
    partner.save()
    signed_in(client, partner_manager)
    assert "Publier le profil" in text(
        client.get(reverse("partner_profile_edit", args=[partner.pk]))
    )
    response = client.post(reverse("partner_publish", args=[partner.pk]), follow=True)
    assert "Votre profil est publié" in text(response)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.PUBLISHED


def test_publishing_a_profile_without_address_says_so(client, partner_manager, partner):
    partner.status = PartnerStatus.DRAFT
    partner.save()
    partner.organisation.address = ""
    partner.organisation.save()
    response = signed_in(client, partner_manager).post(
        reverse("partner_publish", args=[partner.pk]), follow=True
    )
    assert "Pour publier le profil, il manque : l'adresse complète du partenaire" in text(response)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.DRAFT


# --- Services ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("35", Decimal("35.00")), ("35.00", Decimal("35.00")), ("35,50", Decimal("35.50"))],
)
def test_create_a_service_with_a_french_decimal_comma(
    client, partner_manager, partner, typed, expected
):
    response = signed_in(client, partner_manager).post(
        reverse("service_create", args=[partner.pk]),
        service_data(solidarity_price=typed, market_price="65,00"),
    )
    service = Service.objects.get(partner=partner, name="Vidange et filtres")
    assert response.status_code == 302
    assert response.url == reverse("service_detail", args=[service.pk])
    assert service.solidarity_price == expected
    assert service.market_price == Decimal("65.00")
    assert service.category == partner.category
    assert service.published is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"market_price": "-5"}, "Le prix du marché ne peut pas être négatif."),
        ({"deposit": "-1"}, "La caution ne peut pas être"),
        (
            {"solidarity_price": "70,00"},
            "Le prix solidaire doit être inférieur ou égal au prix du marché.",
        ),
        ({"market_price": "beaucoup"}, "Écrivez un nombre, par exemple 35 ou 35,50."),
        ({"name": ""}, "Indiquez le nom du service."),
    ],
)
def test_a_refused_service_keeps_the_input(client, partner_manager, partner, overrides, message):
    data = service_data(description="Huile comprise", **overrides)
    response = signed_in(client, partner_manager).post(
        reverse("service_create", args=[partner.pk]), data
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in text(response)
    assert "Huile comprise" in html
    for field, value in overrides.items():
        if value:
            assert f'value="{value}"' in html, field
    assert 'aria-invalid="true"' in html
    assert not Service.objects.filter(partner=partner).exists()


def test_the_solidarity_error_sits_next_to_its_field(client, partner_manager, partner):
    response = signed_in(client, partner_manager).post(
        reverse("service_create", args=[partner.pk]), service_data(solidarity_price="70")
    )
    html = response.content.decode()
    assert re.search(
        r'id="id_solidarity_price_error">.*Le prix solidaire doit être inférieur', html, re.S
    )
    assert re.search(
        r'aria-describedby="id_solidarity_price_helptext id_solidarity_price_error"', html
    )


def test_edit_a_service(client, partner_manager, service):
    signed_in(client, partner_manager)
    form = client.get(reverse("service_edit", args=[service.pk]))
    assert 'value="65,00"' in form.content.decode()  # shown the French way
    response = client.post(
        reverse("service_edit", args=[service.pk]),
        service_data(name="Vidange complète", market_price="70", solidarity_price="30"),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.market_price, service.solidarity_price) == (
        "Vidange complète",
        Decimal("70.00"),
        Decimal("30.00"),
    )


def test_the_service_page_describes_rules_in_words(client, partner_manager, service):
    RuleFactory(service=service, weekdays=[0, 1, 2, 3, 4], start_time=time(9), end_time=time(12))
    RuleFactory(
        service=service, weekdays=[1, 3], start_time=time(13, 30), end_time=time(17, 30),
        valid_from=date(2026, 1, 1), valid_until=date(2099, 3, 3),
    )  # fmt: skip
    page = text(
        signed_in(client, partner_manager).get(reverse("service_detail", args=[service.pk]))
    )
    assert "du lundi au vendredi" in page
    assert "9 h – 12 h" in page
    assert "mardi et jeudi" in page
    assert "13 h 30 – 17 h 30" in page
    assert "60 minutes" in page
    assert "35,00 € par heure" in page
    assert "30,00 € par heure" in page  # the saving


def test_add_a_rule_creates_slots(
    client, partner_manager, service, django_capture_on_commit_callbacks
):
    signed_in(client, partner_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("service_detail", args=[service.pk]), rule_data())
    assert response.status_code == 302
    rule = AvailabilityRule.objects.get(service=service)
    assert rule.weekdays == [0, 1, 2, 3, 4]
    assert rule.valid_from == timezone.localdate()
    assert Slot.objects.filter(service=service).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "08:00"}, "L'heure de fin doit être après l'heure de début."),
        ({"weekdays": []}, "Choisissez au moins un jour de la semaine."),
        ({"valid_from": "2030-05-01", "valid_until": "2030-04-01"}, "La date de fin doit être"),
        ({"capacity": "0"}, "Assurez-vous que cette valeur est supérieure ou égale à 1."),
    ],
)
def test_a_refused_rule_keeps_the_input(client, partner_manager, service, overrides, message):
    response = signed_in(client, partner_manager).post(
        reverse("service_detail", args=[service.pk]), rule_data(**overrides)
    )
    assert response.status_code == 400
    assert message in text(response)
    html = response.content.decode()
    assert 'value="09:00"' in html
    if overrides.get("weekdays") != []:
        assert re.search(r'value="0"[^>]*checked|checked[^>]*value="0"', html)
    assert not AvailabilityRule.objects.filter(service=service).exists()


def test_overlapping_rules_are_refused(client, partner_manager, service, rule):
    response = signed_in(client, partner_manager).post(
        reverse("service_detail", args=[service.pk]),
        rule_data(weekdays=["2"], start_time="11:00", end_time="13:00"),
    )
    assert response.status_code == 400
    assert "Ces horaires chevauchent une autre règle du même service (09:00–12:00)" in text(
        response
    )
    assert 'value="11:00"' in response.content.decode()
    assert AvailabilityRule.objects.filter(service=service).count() == 1


def test_a_rental_rule_has_no_slot_length(client, partner_manager, partner):
    rental = ServiceFactory(partner=partner, rental=True)
    signed_in(client, partner_manager)
    page = client.get(reverse("service_detail", args=[rental.pk]))
    assert 'name="slot_minutes"' not in page.content.decode()
    assert "il n'y a pas de durée de créneau à choisir" in text(page)
    response = client.post(
        reverse("service_detail", args=[rental.pk]),
        rule_data(start_time="09:00", end_time="18:00", slot_minutes="5"),
    )
    assert response.status_code == 302
    assert AvailabilityRule.objects.get(service=rental).slot_minutes == 60


def test_delete_a_rule(client, partner_manager, service, rule, django_capture_on_commit_callbacks):
    signed_in(client, partner_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rule_delete", args=[service.pk, rule.pk]))
    assert response.status_code == 302
    assert not AvailabilityRule.objects.filter(pk=rule.pk).exists()


def test_a_rule_of_another_service_cannot_be_deleted(client, partner_manager, service, partner):
    foreign = RuleFactory()
    response = signed_in(client, partner_manager).post(
        reverse("rule_delete", args=[service.pk, foreign.pk])
    )
    assert response.status_code == 404
    assert AvailabilityRule.objects.filter(pk=foreign.pk).exists()


def test_publishing_with_something_missing_lists_it(client, partner_manager, service):
    signed_in(client, partner_manager)
    detail = text(client.get(reverse("service_detail", args=[service.pk])))
    assert "Pour publier ce service, il manque :" in detail
    response = client.post(reverse("service_publish", args=[service.pk]), follow=True)
    page = text(response)
    assert (
        "Pour publier ce service, il manque : au moins une règle de disponibilité en cours ou "
        "à venir." in page
    )
    service.refresh_from_db()
    assert service.published is False


def test_publish_then_unpublish(client, partner_manager, service, rule):
    signed_in(client, partner_manager)
    response = client.post(reverse("service_publish", args=[service.pk]), follow=True)
    assert "Service publié" in text(response)
    service.refresh_from_db()
    assert service.published is True
    client.post(reverse("service_unpublish", args=[service.pk]))
    service.refresh_from_db()
    assert service.published is False


def test_delete_a_service(client, partner_manager, partner, service):
    response = signed_in(client, partner_manager).post(
        reverse("service_delete", args=[service.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("partner_dashboard", args=[partner.pk])
    assert "Service « Vidange » supprimé." in text(response)
    assert not Service.objects.filter(pk=service.pk).exists()


def test_a_booked_service_cannot_be_deleted(client, partner_manager, service):
    start = timezone.now() + timedelta(days=2)
    Slot.objects.create(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1), capacity=2, reserved=1
    )
    response = signed_in(client, partner_manager).post(
        reverse("service_delete", args=[service.pk]), follow=True
    )
    assert "Ce service a des réservations" in text(response)
    assert Service.objects.filter(pk=service.pk).exists()


# --- Dashboard --------------------------------------------------------------------------


def test_the_dashboard_summarises_services_and_conflicts(client, partner_manager, partner):
    service = ServiceFactory(partner=partner, name="Vidange", published=True)
    ServiceFactory(partner=partner, name="Diagnostic", published=False)
    start = datetime.combine(next_monday(), time(9)).replace(tzinfo=PARIS)
    slot = Slot.objects.create(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1), capacity=3,
        reserved=3,
    )  # fmt: skip
    Slot.objects.create(
        service=service, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2),
        capacity=2,
    )  # fmt: skip
    SlotConflict.objects.create(slot=slot, service=service, wanted_capacity=1, reserved=3)
    response = signed_in(client, partner_manager).get(
        reverse("partner_dashboard", args=[partner.pk])
    )
    page, html = text(response), response.content.decode()
    assert "Garage solidaire" in page  # category
    assert "03000 Moulins" in page
    assert "Votre profil est visible des conseillers" in page
    assert "35,00 € / heure" in page and "65,00 € / heure" in page and "30,00 €" in page
    assert "10 h 00" in page  # next free slot, local time
    assert (
        "3 places réservées mais la règle n'en prévoit plus que 1 : contactez le conseiller "
        "ou rouvrez des places" in page
    )
    for name in ("partner_profile_edit", "partner_closures", "service_create"):
        assert reverse(name, args=[partner.pk]) in html
    for name in ("service_detail", "service_edit", "service_calendar"):
        assert reverse(name, args=[service.pk]) in html


# --- Closures ---------------------------------------------------------------------------


def test_add_a_closure_in_local_time(client, partner_manager, partner, service):
    start = next_monday()
    response = signed_in(client, partner_manager).post(
        reverse("partner_closures", args=[partner.pk]),
        closure_data(service=str(service.pk), kind="reduced", capacity="1"),
    )
    assert response.status_code == 302
    closure = Closure.objects.get(partner=partner)
    assert closure.service == service
    assert closure.capacity == 1
    assert closure.starts_at == datetime.combine(start, time(0)).replace(tzinfo=PARIS)
    # An end date means the end of that day.
    assert closure.ends_at == datetime.combine(start + timedelta(days=3), time(0)).replace(
        tzinfo=PARIS
    )
    page = text(client.get(reverse("partner_closures", args=[partner.pk])))
    assert "Capacité réduite à 1" in page and "inclus" in page


def test_a_closure_with_times(client, partner_manager, partner):
    start = next_monday()
    signed_in(client, partner_manager).post(
        reverse("partner_closures", args=[partner.pk]),
        closure_data(end_date=start.isoformat(), start_time="12:00", end_time="14:30"),
    )
    closure = Closure.objects.get(partner=partner)
    assert closure.starts_at.astimezone(UTC) == datetime.combine(start, time(12)).replace(
        tzinfo=PARIS
    ).astimezone(UTC)
    assert closure.ends_at == datetime.combine(start, time(14, 30)).replace(tzinfo=PARIS)
    assert closure.capacity is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"start_date": "2030-05-10", "end_date": "2030-05-08"},
            "La fin doit être après le début.",
        ),
        (
            {"start_date": "2030-05-10", "end_date": "2030-05-10", "start_time": "14:00",
             "end_time": "10:00"},
            "La fin doit être après le début.",
        ),
        ({"kind": "reduced", "capacity": ""}, "Indiquez combien de places restent ouvertes."),
        ({"start_date": ""}, "Indiquez le premier jour."),
    ],
)  # fmt: skip
def test_a_refused_closure_keeps_the_input(client, partner_manager, partner, overrides, message):
    response = signed_in(client, partner_manager).post(
        reverse("partner_closures", args=[partner.pk]), closure_data(**overrides)
    )
    assert response.status_code == 400
    assert message in text(response)
    assert 'value="Inventaire"' in response.content.decode()
    assert not Closure.objects.filter(partner=partner).exists()


def test_delete_a_closure(client, partner_manager, partner):
    closure = Closure.objects.create(
        partner=partner,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=4),
    )
    response = signed_in(client, partner_manager).post(
        reverse("closure_delete", args=[partner.pk, closure.pk])
    )
    assert response.status_code == 302
    assert not Closure.objects.filter(pk=closure.pk).exists()


# --- Calendar ---------------------------------------------------------------------------


def test_the_calendar_shows_the_slots_of_a_new_rule(
    client, partner_manager, service, django_capture_on_commit_callbacks
):
    signed_in(client, partner_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("service_detail", args=[service.pk]), rule_data())
    monday = next_monday()
    url = reverse("service_calendar", args=[service.pk])

    week = client.get(url, {"vue": "semaine", "date": (monday + timedelta(days=2)).isoformat()})
    page = text(week)
    assert week.status_code == 200
    assert page.count("9 h 00 – 10 h 00 · 0 / 2 réservées") == 5
    assert page.count("· 0 / 2 réservées") == 15
    assert f"lundi {monday.day} " in page
    assert "samedi" in page and "Aucun créneau" in page  # the weekend

    month = client.get(url, {"vue": "mois", "date": monday.isoformat()})
    page = text(month)
    assert month.status_code == 200
    assert "3 créneaux 0 / 6 places réservées" in page


def test_a_full_slot_is_marked_in_words(client, partner_manager, service):
    start = datetime.combine(next_monday(), time(9)).replace(tzinfo=PARIS)
    Slot.objects.create(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1), capacity=2, reserved=2
    )
    signed_in(client, partner_manager)
    url = reverse("service_calendar", args=[service.pk])
    page = text(client.get(url, {"date": next_monday().isoformat()}))
    assert "9 h 00 – 10 h 00 · 2 / 2 réservées Complet" in page
    month = text(client.get(url, {"vue": "mois", "date": next_monday().isoformat()}))
    assert "2 / 2 places réservées Complet" in month


def test_the_calendar_uses_the_partner_time_zone(client, partner_manager, partner):
    partner.timezone = "Indian/Reunion"  # UTC+4 all year
    partner.save()
    service = ServiceFactory(partner=partner)
    monday = next_monday()
    start = datetime.combine(monday, time(5)).replace(tzinfo=UTC)  # 9:00 in La Réunion
    Slot.objects.create(service=service, starts_at=start, ends_at=start + timedelta(hours=1),
                        capacity=1)  # fmt: skip
    page = text(
        signed_in(client, partner_manager).get(
            reverse("service_calendar", args=[service.pk]), {"date": monday.isoformat()}
        )
    )
    assert "9 h 00 – 10 h 00 · 0 / 1 réservées" in page
    assert "Indian/Reunion" in page


@pytest.mark.parametrize(
    "params",
    [
        {"vue": "annee"},
        {"date": "2026-13-45"},
        {"date": "demain", "vue": ""},
        {"date": "99999-01-01"},
        {"date": "9999-12-31", "vue": "mois"},
        {"date": "0001-01-01"},
    ],
)
def test_bad_calendar_parameters_fall_back(client, partner_manager, service, params):
    response = signed_in(client, partner_manager).get(
        reverse("service_calendar", args=[service.pk]), params
    )
    assert response.status_code == 200
    today = timezone.now().astimezone(PARIS).date()
    page = text(response)
    if params.get("vue") == "mois":
        assert "Vue mois" in page
    else:
        assert "Semaine du" in page
    assert f"{today.day} " in page


def test_calendar_navigation_links(client, partner_manager, service):
    url = reverse("service_calendar", args=[service.pk])
    html = signed_in(client, partner_manager).get(url, {"date": "2026-11-25"}).content.decode()
    assert f"{url}?vue=semaine&amp;date=2026-11-16" in html  # previous Monday
    assert f"{url}?vue=semaine&amp;date=2026-11-30" in html  # next Monday
    assert "Semaine du lundi 23 novembre au dimanche 29 novembre 2026" in text_of(html)
    html = client.get(url, {"vue": "mois", "date": "2026-11-25"}).content.decode()
    assert f"{url}?vue=mois&amp;date=2026-10-01" in html
    assert f"{url}?vue=mois&amp;date=2026-12-01" in html
    assert "Novembre 2026" in text_of(html)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# Session, user, memberships, service, partner, slots (one query whatever the window), and
# the navigation (organisations the user manages, partners of the "Espace partenaire" link).
CALENDAR_QUERIES = 8


def test_the_calendar_costs_the_same_queries_for_a_week_and_a_month(
    client, partner_manager, service, django_assert_num_queries
):
    monday = next_monday()
    RuleFactory(service=service, valid_from=monday - timedelta(days=40), capacity=2)
    from partners.slots import slots_regenerate_many

    slots_regenerate_many([service.pk], now=datetime.combine(monday, time(0)).replace(tzinfo=PARIS))
    signed_in(client, partner_manager)
    url = reverse("service_calendar", args=[service.pk])
    with django_assert_num_queries(CALENDAR_QUERIES):
        week = client.get(url, {"vue": "semaine", "date": monday.isoformat()})
    with django_assert_num_queries(CALENDAR_QUERIES):
        month = client.get(url, {"vue": "mois", "date": (monday + timedelta(days=35)).isoformat()})
    assert text(week).count("· 0 / 2 réservées") == 15
    assert text(month).count("3 créneaux 0 / 6 places réservées") >= 20  # ~22 weekdays


# --- Navigation -------------------------------------------------------------------------


def test_the_navigation_offers_the_partner_space(client, partner_manager, partner):
    html = signed_in(client, partner_manager).get(reverse("home")).content.decode()
    dashboard = reverse("partner_dashboard", args=[partner.pk])
    assert re.search(rf'<a href="{dashboard}"[^>]*>Espace partenaire</a>', html)
    assert "Ouvrir l&#x27;espace partenaire" in html


def test_the_navigation_hides_the_partner_space_from_others(client, prescriber):
    html = signed_in(client, prescriber).get(reverse("home")).content.decode()
    assert "Espace partenaire" not in html
    assert reverse("partner_portal") not in html


def test_admins_find_the_partners_from_home(client, admin_user, partner, platform):
    PartnerFactory(organisation=OrganisationFactory(partner=True, platform=platform))
    html = signed_in(client, admin_user).get(reverse("home")).content.decode()
    assert f'<a href="{reverse("partner_portal")}">Partenaires</a>' in html


def test_a_partner_member_without_a_profile_sees_a_plain_message(client, partner_org):
    manager = member(Role.PARTNER_MANAGER, partner_org)
    assert not Partner.objects.filter(organisation=partner_org).exists()
    response = signed_in(client, manager).get(reverse("partner_portal"))
    assert response.status_code == 200
    assert "Aucun profil partenaire" in text(response)


# --- Agreements -------------------------------------------------------------------------

AGREEMENT_DAY = datetime(2026, 11, 22, 10, tzinfo=PARIS)


def agreement_data(**overrides) -> dict:
    data = {"since": "2026-11-01", "until": "", "active": "on"}
    data.update(overrides)
    return data


def agreements_of(partner) -> list[tuple]:
    return sorted(partner.agreements.values_list("platform_id", "since", "until", "active"))


def test_the_dashboard_lists_the_agreements_in_words(
    client, partner_manager, partner, platform, other_platform, time_machine
):
    time_machine.move_to(AGREEMENT_DAY, tick=False)
    platform.name = "Plateforme Mobilité Allier"
    platform.save()
    AgreementFactory(partner=partner, platform=platform, since=date(2026, 11, 1))
    AgreementFactory(
        partner=partner, platform=other_platform, since=date(2025, 1, 15), until=date(2026, 3, 31)
    )
    AgreementFactory(
        partner=partner, platform=OrganisationFactory(name="Plateforme C"),
        since=date(2027, 1, 4), until=date(2027, 12, 31), active=False,
    )  # fmt: skip
    signed_in(client, partner_manager)
    response = client.get(reverse("partner_dashboard", args=[partner.pk]))
    page = text(response)
    current = "en vigueur Convention avec Plateforme Mobilité Allier depuis le 1 novembre 2026"
    ended = "terminée Convention avec Plateforme B du 15 janvier 2025, terminée le 31 mars 2026"
    inactive = (
        "désactivée Convention avec Plateforme C à partir du 4 janvier 2027, jusqu'au "
        "31 décembre 2027. Les conseillers de cette plateforme ne voient plus le partenaire."
    )
    assert page.index(ended) < page.index(inactive) < page.index(current)  # by platform name
    # Read-only for the partner: no way to change an agreement, here or on its page.
    agreement_url = reverse("partner_agreement", args=[partner.pk])
    assert "Créer ou changer la convention" not in page
    response = client.get(agreement_url)
    assert response.status_code == 200
    assert current in text(response)
    assert "Seule la plateforme de mobilité crée ou change une convention." in text(response)
    assert 'name="since"' not in response.content.decode()


def test_a_partner_without_agreement_is_told_so(client, partner_staff, partner):
    page = text(
        signed_in(client, partner_staff).get(reverse("partner_dashboard", args=[partner.pk]))
    )
    assert "Aucune convention avec une plateforme pour l'instant" in page


# Session, user, memberships, partner, services, conflicts, agreements, and the navigation.
DASHBOARD_QUERIES = 9


def test_the_dashboard_reads_the_agreements_in_one_query(
    client, partner_manager, partner, django_assert_num_queries
):
    url = reverse("partner_dashboard", args=[partner.pk])
    signed_in(client, partner_manager)
    AgreementFactory(partner=partner, platform=OrganisationFactory())
    client.get(url)  # warm up (session, content types)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        one = client.get(url)
    for _i in range(3):
        AgreementFactory(partner=partner, platform=OrganisationFactory())
    with django_assert_num_queries(DASHBOARD_QUERIES):
        four = client.get(url)
    assert text(one).count("Convention avec") == 1
    assert text(four).count("Convention avec") == 4


def test_a_platform_admin_sets_the_agreement(
    client, admin_user, adviser, partner, platform, time_machine
):
    from partners.selectors import partner_list_for

    time_machine.move_to(AGREEMENT_DAY, tick=False)
    assert partner not in partner_list_for(user=adviser)
    signed_in(client, admin_user)
    dashboard = text(client.get(reverse("partner_dashboard", args=[partner.pk])))
    assert "Créer ou changer la convention avec votre plateforme" in dashboard
    url = reverse("partner_agreement", args=[partner.pk])
    assert 'name="since"' in client.get(url).content.decode()

    response = client.post(url, agreement_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("partner_dashboard", args=[partner.pk])
    page = text(response)
    assert "Convention enregistrée." in page
    assert "Convention avec Plateforme A depuis le 1 novembre 2026" in page
    assert agreements_of(partner) == [(platform.pk, date(2026, 11, 1), None, True)]
    assert partner in partner_list_for(user=adviser)

    # The same form changes it: the form starts from it, and a suspended agreement hides the
    # partner from the platform's advisers again.
    html = client.get(url).content.decode()
    assert 'value="2026-11-01"' in html
    assert re.search(r'name="active"[^>]*checked|checked[^>]*name="active"', html)
    response = client.post(url, agreement_data(until="2027-06-30", active=""))
    assert response.status_code == 302
    assert agreements_of(partner) == [(platform.pk, date(2026, 11, 1), date(2027, 6, 30), False)]
    assert partner not in partner_list_for(user=adviser)


def test_an_agreement_ending_before_it_starts_is_refused(client, admin_user, partner):
    response = signed_in(client, admin_user).post(
        reverse("partner_agreement", args=[partner.pk]),
        agreement_data(since="2026-11-01", until="2026-10-01"),
    )
    assert response.status_code == 400
    assert "La fin de la convention doit suivre son début." in text(response)
    html = response.content.decode()
    assert re.search(r'id="id_until_error">.*La fin de la convention doit suivre', html, re.S)
    assert 'value="2026-10-01"' in html
    assert agreements_of(partner) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("partner_manager", 403), ("partner_staff", 403), ("other_manager", 403), ("adviser", 403)],
)
def test_only_a_platform_admin_changes_an_agreement(
    client, request, who, status, partner, platform
):
    AgreementFactory(partner=partner, platform=platform, since=date(2026, 1, 1))
    before = agreements_of(partner)
    response = signed_in(client, request.getfixturevalue(who)).post(
        reverse("partner_agreement", args=[partner.pk]),
        agreement_data(since="2026-11-01", active=""),
    )
    assert response.status_code == status
    assert agreements_of(partner) == before


def test_an_admin_of_two_platforms_chooses_which_one_signs(
    client, admin_user, partner, other_platform, time_machine
):
    from tests.factories import MembershipFactory

    time_machine.move_to(AGREEMENT_DAY, tick=False)
    MembershipFactory(role=Role.ADMIN, organisation=other_platform, user=admin_user)
    url = reverse("partner_agreement", args=[partner.pk])
    html = signed_in(client, admin_user).get(url).content.decode()
    assert 'name="platform"' in html and "Plateforme B" in html
    response = client.post(url, agreement_data(platform=str(other_platform.pk)))
    assert response.status_code == 302
    assert agreements_of(partner) == [(other_platform.pk, date(2026, 11, 1), None, True)]


def test_an_admin_who_suspends_their_only_link_is_sent_back_to_the_list(
    client, admin_user, platform, other_partner, time_machine
):
    time_machine.move_to(AGREEMENT_DAY, tick=False)
    AgreementFactory(partner=other_partner, platform=platform)
    response = signed_in(client, admin_user).post(
        reverse("partner_agreement", args=[other_partner.pk]), agreement_data(active="")
    )
    assert response.status_code == 302
    assert response.url == reverse("partner_portal")
    assert agreements_of(other_partner) == [(platform.pk, date(2026, 11, 1), None, False)]


def test_dashboard_shows_the_private_calendar_feed(client, partner_manager, partner):
    from bookings.feeds import partner_from_feed_token

    page = signed_in(client, partner_manager).get(reverse("partner_dashboard", args=[partner.pk]))
    html = page.content.decode()
    token = html.split("/agenda/partenaire/")[1].split(".ics")[0]
    assert partner_from_feed_token(token) == partner.pk
