from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.models import Beneficiary
from partners.enums import PartnerStatus
from partners.models import Service, Slot
from partners.slots import slots_regenerate_many
from tests.factories import OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, RuleFactory, ServiceFactory


@pytest.fixture
def partner_a(partner_org, platform):
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    return partner


@pytest.fixture
def partner_b(platform):
    partner = PartnerFactory(organisation=OrganisationFactory(partner=True, name="Garage B"))
    AgreementFactory(partner=partner, platform=platform)
    return partner


@pytest.fixture
def manager_b(partner_b):
    return member(Role.PARTNER_MANAGER, partner_b.organisation)


@pytest.fixture
def service_a(partner_a):
    service = ServiceFactory(partner=partner_a, name="Vidange")
    RuleFactory(service=service, weekdays=list(range(7)), start_time=time(9), end_time=time(12),
                valid_from=date(2020, 1, 1))  # fmt: skip
    slots_regenerate_many([service.pk], days=10)
    return service


def auth(api_client, user):
    api_client.force_authenticate(user)
    return api_client


SERVICE_BODY = {
    "name": "Contrôle freins",
    "unit": "hour",
    "market_price": "65.00",
    "solidarity_price": "35.00",
}


@pytest.mark.django_db
def test_service_list_payload_matches_the_contract(api_client, adviser, service_a):
    response = auth(api_client, adviser).get("/api/v1/services/")
    assert response.status_code == 200
    assert response.data["count"] == 1
    item = response.json()["results"][0]
    assert {
        "id", "name", "category", "unit", "market_price", "solidarity_price", "partner",
        "commune", "distance_km", "next_available_at",
    } <= set(item)  # fmt: skip
    assert item["market_price"] == "65.00" and item["solidarity_price"] == "35.00"
    assert item["saving"] == "30.00"
    assert item["partner"] == {"id": service_a.partner_id, "name": "Garage A"}
    assert item["distance_km"] is None
    first = Slot.objects.filter(service=service_a, starts_at__gte=timezone.now()).earliest(
        "starts_at"
    )
    assert (
        item["next_available_at"]
        == first.starts_at.astimezone(timezone.get_current_timezone()).isoformat()
    )


@pytest.mark.django_db
def test_advisers_see_only_published_services_of_agreed_partners(
    api_client, adviser, partner_a, platform
):
    ServiceFactory(partner=partner_a, name="Visible")
    ServiceFactory(partner=partner_a, name="Brouillon", published=False)
    draft_partner = PartnerFactory(status=PartnerStatus.DRAFT)
    AgreementFactory(partner=draft_partner, platform=platform)
    ServiceFactory(partner=draft_partner, name="Partenaire en brouillon")
    no_agreement = PartnerFactory()
    ServiceFactory(partner=no_agreement, name="Sans convention")
    expired = PartnerFactory()
    AgreementFactory(partner=expired, platform=platform, until=date(2021, 1, 1))
    ServiceFactory(partner=expired, name="Convention finie")
    names = [s["name"] for s in auth(api_client, adviser).get("/api/v1/services/").data["results"]]
    assert names == ["Visible"]


@pytest.mark.django_db
def test_partner_sees_own_services_in_any_state_and_never_another_partners(
    api_client, partner_manager, service_a, partner_b
):
    ServiceFactory(partner=service_a.partner, name="Brouillon", published=False)
    other = ServiceFactory(partner=partner_b, name="Chez B")
    client = auth(api_client, partner_manager)
    names = {s["name"] for s in client.get("/api/v1/services/").data["results"]}
    assert names == {"Vidange", "Brouillon"}
    assert client.get(f"/api/v1/services/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/services/{other.pk}/slots/").status_code == 404
    assert client.patch(f"/api/v1/services/{other.pk}/", {"name": "x"}).status_code == 404
    assert client.delete(f"/api/v1/services/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/partners/{partner_b.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.name == "Chez B"


@pytest.mark.django_db
def test_manager_creates_updates_publishes_and_deletes(api_client, partner_manager, partner_a):
    client = auth(api_client, partner_manager)
    response = client.post("/api/v1/services/", SERVICE_BODY, format="json")
    assert response.status_code == 201, response.data
    service_id = response.data["id"]
    assert response.data["published"] is False
    assert response.data["category"] == partner_a.category
    response = client.patch(
        f"/api/v1/services/{service_id}/", {"solidarity_price": "30"}, format="json"
    )
    assert response.status_code == 200 and response.data["solidarity_price"] == "30.00"
    response = client.post(f"/api/v1/services/{service_id}/publish/")
    assert response.status_code == 400
    assert response.data["code"] == "publication_incomplete"
    assert "au moins une règle de disponibilité" in response.data["detail"]
    RuleFactory(service=Service.objects.get(pk=service_id), valid_from=timezone.localdate())
    response = client.post(f"/api/v1/services/{service_id}/publish/")
    assert response.status_code == 200, response.data
    assert response.data["published"] is True
    assert client.delete(f"/api/v1/services/{service_id}/").status_code == 204
    assert not Service.objects.filter(pk=service_id).exists()


@pytest.mark.django_db
def test_a_booked_service_cannot_be_deleted(api_client, partner_manager, service_a):
    slot = Slot.objects.filter(service=service_a).first()
    Slot.objects.filter(pk=slot.pk).update(reserved=1)
    response = auth(api_client, partner_manager).delete(f"/api/v1/services/{service_a.pk}/")
    assert response.status_code == 409
    assert response.data["code"] == "service_has_bookings"


def test_a_service_with_ended_bookings_cannot_be_deleted(
    api_client, partner_manager, service_a, adviser
):
    """A booking that ended (completed, maybe on a partner statement) holds no place but is
    history: the service stays, unpublished rather than deleted."""
    from datetime import UTC, datetime

    from tests.beneficiaries.factories import BeneficiaryFactory
    from tests.bookings.test_documents import make_booking

    person = BeneficiaryFactory(platform=adviser.memberships.get().organisation, adviser=adviser)
    make_booking(service_a, person, datetime(2026, 11, 2, 9, tzinfo=UTC), status="completed")
    response = auth(api_client, partner_manager).delete(f"/api/v1/services/{service_a.pk}/")
    assert response.status_code == 409 and response.data["code"] == "service_has_bookings"
    assert type(service_a).objects.filter(pk=service_a.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"market_price": "-1.00"}, "market_price", None),
        ({"solidarity_price": "-5"}, "solidarity_price", None),
        ({"solidarity_price": "80.00"}, "solidarity_price", "inférieur ou égal au prix du marché"),
        ({"unit": "litre"}, "unit", None),
        ({"name": ""}, "name", None),
        ({"market_price": "abc"}, "market_price", None),
    ],
)
def test_invalid_services_are_refused_with_the_field_named(
    api_client, partner_manager, partner_a, body, field, message
):
    response = auth(api_client, partner_manager).post(
        "/api/v1/services/", {**SERVICE_BODY, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.data
    if message:
        assert message in str(response.data[field])
    assert not Service.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role_fixture", ["prescriber", "partner_staff", "adviser"])
def test_non_managers_cannot_create_or_edit(api_client, request, role_fixture, service_a):
    user = request.getfixturevalue(role_fixture)
    client = auth(api_client, user)
    assert client.post("/api/v1/services/", SERVICE_BODY, format="json").status_code in (400, 403)
    response = client.patch(f"/api/v1/services/{service_a.pk}/", {"name": "Piraté"}, format="json")
    assert response.status_code in (403, 404)
    assert client.delete(f"/api/v1/services/{service_a.pk}/").status_code in (403, 404)
    assert client.post(f"/api/v1/services/{service_a.pk}/unpublish/").status_code in (403, 404)
    service_a.refresh_from_db()
    assert (service_a.name, service_a.published) == ("Vidange", True)
    assert Service.objects.count() == 1


@pytest.mark.django_db
def test_prescribers_and_beneficiaries_have_no_catalogue(
    api_client, prescriber, platform, service_a
):
    assert auth(api_client, prescriber).get("/api/v1/services/").status_code == 403
    person = UserFactory()
    Beneficiary.objects.create(platform=platform, user=person, first_name="A", last_name="B")
    response = auth(api_client, person).get("/api/v1/partners/")
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


@pytest.mark.django_db
def test_slots_with_remaining_and_date_window(api_client, adviser, service_a):
    slot = Slot.objects.filter(service=service_a).order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(reserved=1)
    day = timezone.localdate(slot.starts_at)
    response = auth(api_client, adviser).get(
        f"/api/v1/services/{service_a.pk}/slots/", {"from": day.isoformat(), "to": day.isoformat()}
    )
    assert response.status_code == 200
    data = response.json()
    assert all(timezone.localdate(timezone.datetime.fromisoformat(s["starts_at"])) == day
               for s in data)  # fmt: skip
    assert data[0] == {
        "id": slot.pk,
        "starts_at": slot.starts_at.astimezone(timezone.get_current_timezone()).isoformat(),
        "ends_at": slot.ends_at.astimezone(timezone.get_current_timezone()).isoformat(),
        "capacity": 2,
        "remaining": 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"from": "2026-13-01"}, {"from": "2026-11-30", "to": "2026-11-01"},
               {"from": "2026-01-01", "to": "2026-12-31"}],
)  # fmt: skip
def test_bad_slot_windows_are_400(api_client, adviser, service_a, params):
    response = auth(api_client, adviser).get(f"/api/v1/services/{service_a.pk}/slots/", params)
    assert response.status_code == 400


@pytest.mark.django_db
def test_partner_list_for_adviser(api_client, adviser, partner_a, partner_b):
    response = auth(api_client, adviser).get("/api/v1/partners/")
    assert response.status_code == 200
    assert [p["name"] for p in response.data["results"]] == ["Garage A", "Garage B"]
    assert response.data["results"][0]["latitude"] == "46.565900"


def make_services(partner, count):
    for n in range(count):
        service = ServiceFactory(partner=partner, name=f"S{n}", market_price=Decimal("10"),
                                 solidarity_price=Decimal("5"))  # fmt: skip
        Slot.objects.create(
            service=service,
            starts_at=timezone.now() + timedelta(days=1, hours=n),
            ends_at=timezone.now() + timedelta(days=1, hours=n + 1),
            capacity=1,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_service_list_query_count_is_flat(api_client, adviser, partner_a, count,
                                          django_assert_num_queries):  # fmt: skip
    make_services(partner_a, count)
    client = auth(api_client, adviser)
    with django_assert_num_queries(3):  # memberships, page ids with the count, page rows
        response = client.get("/api/v1/services/", {"page_size": 50})
    assert response.data["count"] == count


@pytest.mark.django_db
@pytest.mark.parametrize("days", [1, 30])
def test_slot_list_query_count_is_flat(api_client, adviser, service_a, days,
                                       django_assert_num_queries):  # fmt: skip
    client = auth(api_client, adviser)
    start = timezone.localdate()
    with django_assert_num_queries(3):  # memberships, service, slots
        response = client.get(
            f"/api/v1/services/{service_a.pk}/slots/",
            {"from": start.isoformat(), "to": (start + timedelta(days=days)).isoformat()},
        )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_partner_list_query_count_is_flat(api_client, adviser, platform, count,
                                          django_assert_num_queries):  # fmt: skip
    for _ in range(count):
        AgreementFactory(platform=platform)
    client = auth(api_client, adviser)
    with django_assert_num_queries(4):  # memberships, count, page, service areas
        response = client.get("/api/v1/partners/", {"page_size": 50})
    assert response.data["count"] == count
