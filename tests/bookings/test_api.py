from decimal import Decimal

import pytest

from beneficiaries.enums import BeneficiaryStatus
from bookings.models import Booking, IdempotencyRecord
from exchange.selectors import subscribers_by_event
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.conftest import make_slot
from tests.factories import UserFactory


def body(person, service, slots, **extra):
    return {
        "beneficiary": person.pk,
        "service": service.pk,
        "slots": [s.pk for s in slots],
        **extra,
    }


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.mark.django_db
def test_create_returns_the_contract(api_client, adviser, person, service, slot):
    response = as_user(api_client, adviser).post(
        "/api/v1/bookings/", body(person, service, [slot]), format="json"
    )
    assert response.status_code == 201, response.data
    data = response.json()
    assert {
        "id",
        "reference",
        "status",
        "service",
        "beneficiary",
        "slots",
        "starts_at",
        "ends_at",
        "quantity",
        "units",
        "unit_price",
        "total_price",
        "market_total",
    } <= set(data)
    assert data["status"] == "requested"
    assert (data["unit_price"], data["total_price"], data["market_total"]) == (
        "35.00",
        "35.00",
        "65.00",
    )
    assert data["slots"] == [slot.pk]
    assert data["starts_at"].endswith("+01:00") or data["starts_at"].endswith("+02:00")


@pytest.mark.django_db
def test_full_slot_is_409_slot_full(api_client, adviser, person, service, slot):
    Slot.objects.filter(pk=slot.pk).update(reserved=2)
    response = as_user(api_client, adviser).post(
        "/api/v1/bookings/", body(person, service, [slot]), format="json"
    )
    assert response.status_code == 409
    assert response.data["code"] == "slot_full"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"slots": []}, {"quantity": 0}, {"service": "abc"}, {"units": "-3"}]
)
def test_bad_input_is_400(api_client, adviser, person, service, slot, change):
    response = as_user(api_client, adviser).post(
        "/api/v1/bookings/", {**body(person, service, [slot]), **change}, format="json"
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("notice", "min_notice", "au moins 100 heures à l'avance"),
        ("advance", "max_advance", "au plus 10 jours à l'avance"),
        ("closed", "beneficiary_closed", "L'accompagnement de cette personne est terminé."),
        ("hole", "period_incomplete", "tous les jours d'ouverture"),
    ],
)
def test_each_booking_refusal_has_its_own_code(
    api_client, adviser, person, service, rental, case, code, words
):
    service.min_notice_hours, service.max_advance_days = 100, 10
    service.save()
    slots = {
        "notice": lambda: [make_slot(service, 2)],
        "advance": lambda: [make_slot(service, 20)],
        "closed": lambda: [make_slot(service, 5)],
        "hole": lambda: [make_slot(rental, day, 9, hours=9) for day in (2, 3, 4)][::2],
    }[case]()
    if case == "closed":
        type(person).objects.filter(pk=person.pk).update(status=BeneficiaryStatus.CLOSED)

    response = as_user(api_client, adviser).post(
        "/api/v1/bookings/",
        body(person, rental if case == "hole" else service, slots),
        format="json",
    )

    assert (response.status_code, response.data["code"]) == (400, code)
    assert words in response.data["detail"]
    assert not Booking.objects.exists()
    assert not Slot.objects.filter(reserved__gt=0).exists()


@pytest.mark.django_db
def test_idempotency_key_gives_one_booking_and_the_same_answer(
    api_client, adviser, person, service, slot
):
    client = as_user(api_client, adviser)
    payload = body(person, service, [slot])
    first = client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Booking.objects.count() == 1
    slot.refresh_from_db()
    assert slot.reserved == 1
    other = client.post(
        "/api/v1/bookings/", {**payload, "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409 and other.data["code"] == "idempotency_key_reused"
    # Another user's identical key is another request (for someone else: one person holds
    # one active booking of a slot).
    colleague = type(adviser).objects.get(pk=adviser.pk)
    IdempotencyRecord.objects.filter(user=adviser).update(user=UserFactory())
    neighbour = BeneficiaryFactory(platform=person.platform, adviser=adviser)
    assert (
        as_user(api_client, colleague)
        .post("/api/v1/bookings/", body(neighbour, service, [make_slot(service, 5, 15)]),
              format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        .status_code
        == 201
    )  # fmt: skip


@pytest.mark.django_db
def test_transitions_per_role(
    api_client,
    adviser,
    person,
    service,
    slot,
    partner_manager,
    finance_officer,
    prescriber,
    other_partner_manager,
):
    booking_id = (
        as_user(api_client, adviser)
        .post("/api/v1/bookings/", body(person, service, [slot]), format="json")
        .data["id"]
    )
    url = f"/api/v1/bookings/{booking_id}"
    assert as_user(api_client, adviser).post(f"{url}/confirm/").status_code == 403
    assert as_user(api_client, finance_officer).post(f"{url}/confirm/").status_code == 403
    assert as_user(api_client, prescriber).post(f"{url}/confirm/").status_code == 403
    assert as_user(api_client, other_partner_manager).get(f"{url}/").status_code == 404
    response = as_user(api_client, partner_manager).post(f"{url}/confirm/")
    assert response.status_code == 200 and response.data["status"] == "confirmed"
    again = as_user(api_client, partner_manager).post(f"{url}/confirm/")
    assert again.status_code == 409 and again.data["code"] == "invalid_transition"
    no_reason = as_user(api_client, adviser).post(f"{url}/cancel/", {"reason": ""})
    assert no_reason.status_code == 400
    cancelled = as_user(api_client, adviser).post(f"{url}/cancel/", {"reason": "Malade"})
    assert cancelled.data["status"] == "cancelled"


@pytest.mark.django_db
def test_partner_payload_has_no_social_data(
    api_client, adviser, person, service, slot, partner_manager
):
    person.situation = "rsa"
    person.income_notes = "Dettes"
    person.save()
    as_user(api_client, adviser).post(
        "/api/v1/bookings/", body(person, service, [slot]), format="json"
    )
    data = as_user(api_client, partner_manager).get("/api/v1/bookings/").json()
    assert data["count"] == 1
    assert data["results"][0]["beneficiary"] == {
        "id": person.pk,
        "first_name": "Léa",
        "last_name": "Martin",
        "phone": "+33600000001",
    }
    assert "rsa" not in str(data) and "Dettes" not in str(data)


@pytest.mark.django_db
def test_list_filters_and_scoping(api_client, adviser, person, service, platform):
    first = make_slot(service, 2)
    later = make_slot(service, 9)
    client = as_user(api_client, adviser)
    for s in (first, later):
        client.post("/api/v1/bookings/", body(person, service, [s]), format="json")
    assert client.get("/api/v1/bookings/", {"upcoming": "true"}).data["count"] == 2
    day = later.starts_at.date().isoformat()
    assert client.get("/api/v1/bookings/", {"from": day, "to": day}).data["count"] == 1
    assert client.get("/api/v1/bookings/", {"status": "confirmed"}).data["count"] == 0
    assert client.get("/api/v1/bookings/", {"status": "nope"}).status_code == 400


@pytest.mark.django_db
def test_my_bookings_upcoming_first(api_client, adviser, person, service, partner_manager):
    person.user = UserFactory()
    person.save()
    client = as_user(api_client, adviser)
    for offset in (9, 2):
        client.post(
            "/api/v1/bookings/", body(person, service, [make_slot(service, offset)]), format="json"
        )
    mine = as_user(api_client, person.user).get("/api/v1/me/bookings/")
    assert mine.status_code == 200
    starts = [b["starts_at"] for b in mine.json()]
    assert starts == sorted(starts)
    stranger = UserFactory()
    BeneficiaryFactory(platform=person.platform, user=stranger)
    assert as_user(api_client, stranger).get("/api/v1/me/bookings/").json() == []
    assert as_user(api_client, adviser).get("/api/v1/me/bookings/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 25])
def test_booking_list_query_count_is_flat(
    api_client, adviser, person, service, count, django_assert_num_queries
):
    for n in range(count):
        s = make_slot(service, 2 + n % 20, 8 + n // 20)
        Booking.objects.create(
            platform=person.platform,
            beneficiary=person,
            service=service,
            units=Decimal(1),
            unit_price=Decimal(35),
            market_unit_price=Decimal(65),
            total_price=Decimal(35),
            market_total=Decimal(65),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
        )
    client = as_user(api_client, type(adviser).objects.get(pk=adviser.pk))
    with django_assert_num_queries(4):  # memberships, count, page, booking slots
        response = client.get("/api/v1/bookings/", {"page_size": 50})
    assert response.data["count"] == count


@pytest.mark.django_db
def test_voucher_and_calendar_through_the_api(
    api_client, adviser, person, service, slot, partner_manager, other_partner_manager
):
    booking_id = (
        as_user(api_client, adviser)
        .post("/api/v1/bookings/", body(person, service, [slot]), format="json")
        .data["id"]
    )
    pdf = as_user(api_client, partner_manager).get(f"/api/v1/bookings/{booking_id}/voucher.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    ics = as_user(api_client, adviser).get(f"/api/v1/bookings/{booking_id}/calendar.ics")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    stranger = as_user(api_client, other_partner_manager).get(
        f"/api/v1/bookings/{booking_id}/voucher.pdf"
    )
    assert stranger.status_code == 404


@pytest.mark.django_db
def test_create_reads_and_writes_only_what_it_needs(
    api_client, adviser, person, service, django_assert_num_queries
):
    """The booking's hot path: memberships, the person, the service (with its partner and
    organisation) under the person's platform's agreement, the conditional update (which
    returns the slot), then the four inserts — no read of the slots before or after (the
    answer is handed the slots), no notification rendered in the request."""
    slot = make_slot(service, 3, 9)
    client = as_user(api_client, adviser)
    subscribers_by_event()  # who hears webhooks (exchange): read once, then cached
    with django_assert_num_queries(10) as captured:  # + SAVEPOINT / RELEASE in tests
        response = client.post("/api/v1/bookings/", body(person, service, [slot]), format="json")
    assert response.status_code == 201 and response.data["slots"] == [slot.pk]
    sql = [query["sql"] for query in captured.captured_queries]
    assert [statement.split()[0] for statement in sql[2:9]] == [
        "SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "INSERT", "INSERT",
    ]  # fmt: skip
    assert 'FROM "beneficiaries_beneficiary"' in sql[2] and 'FROM "partners_service"' in sql[3]
    assert "partners_slot" in sql[4]
    assert not any("core_notification" in statement for statement in sql)


@pytest.mark.django_db
def test_the_answer_lists_the_slots_the_booking_holds(api_client, adviser, person, rental):
    """Handed over rather than read back: the same slots as a later read, each once."""
    days = [make_slot(rental, n, 8, hours=10) for n in (3, 4, 5)]
    client = as_user(api_client, adviser)

    asked = [days[2], days[0], days[1], days[0]]  # any order, one twice

    made = client.post("/api/v1/bookings/", body(person, rental, asked), format="json")

    assert made.status_code == 201, made.data
    read = client.get(f"/api/v1/bookings/{made.data['id']}/")
    assert made.data["slots"] == [day.pk for day in days]
    assert sorted(read.data["slots"]) == sorted(made.data["slots"])
