"""Statements API: every role, partner A never sees B's statements, transfer files that
validate against pain.001.001.03, flat query counts, bank details refused in French."""

from datetime import date
from decimal import Decimal

import pytest
import xmlschema
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from settlements import services
from settlements.enums import SettlementStatus
from tests.factories import member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory
from tests.settlements.conftest import approve_bank, paris

pytestmark = pytest.mark.django_db
D = Decimal
NOV = {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 30)}
DEBTOR = {"SETTLEMENT_DEBTOR_NAME": "Plateforme Mobilité Allier",
          "SETTLEMENT_DEBTOR_IBAN": "FR7630004000031234567890143",
          "SETTLEMENT_DEBTOR_BIC": "BNPAFRPP"}  # fmt: skip


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def issued(world, partner=None, hours=10, day=5):
    partner = partner or world.partner
    service = world.service if partner == world.partner else ServiceFactory(partner=partner)
    world.done(
        hours,
        paris(2026, 11, day, 10),
        service=service,
        lines=[{"kind": "platform", "amount": str(service.solidarity_price * hours)}],
    )
    settlement = services.settlement_build(actor=world.finance, platform_id=world.platform.pk,
                                           partner_id=partner.pk, **NOV)  # fmt: skip
    return services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)


@pytest.fixture
def roles(world, admin_user, prescriber, partner_staff):
    return {
        "admin": admin_user, "adviser": world.adviser, "finance_officer": world.finance,
        "partner_manager": member("partner_manager", world.partner.organisation),
        "partner_staff": partner_staff, "prescriber": prescriber, "anonymous": None,
    }  # fmt: skip


def test_every_role_reads_what_it_may(world, roles):
    statement = issued(world)
    expected = {"admin": 200, "finance_officer": 200, "partner_manager": 200, "adviser": 403,
                "partner_staff": 403, "prescriber": 403, "anonymous": 401}  # fmt: skip
    for role, user in roles.items():
        api = client_for(user)
        listed = api.get("/api/v1/settlements/")
        detail = api.get(f"/api/v1/settlements/{statement.pk}/")
        pdf = api.get(f"/api/v1/settlements/{statement.pk}/statement.pdf")
        assert (listed.status_code, detail.status_code, pdf.status_code) == (expected[role],) * 3, (
            role
        )
        if expected[role] == 200:
            assert listed.json()["count"] == 1
            assert detail.json()["total"] == "100.00"
            assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_only_the_finance_team_writes(world, roles):
    world.done(2, paris(2026, 11, 5, 10))
    body = {"partner": world.partner.pk, **{k: str(v) for k, v in NOV.items()}}
    for role in sorted(roles, key=lambda r: r != "finance_officer"):  # finance first
        response = client_for(roles[role]).post("/api/v1/settlements/", body, format="json")
        # The admin may build too: here the booking is on the finance officer's draft.
        want = {"finance_officer": 201, "admin": 409, "anonymous": 401}.get(role, 403)
        assert response.status_code == want, (role, response.content)
    created = client_for(roles["finance_officer"]).get("/api/v1/settlements/").json()
    assert created["results"][0]["status"] == "draft"
    draft = created["results"][0]["id"]
    assert (
        client_for(roles["partner_manager"]).get(f"/api/v1/settlements/{draft}/").status_code == 404
    )  # a draft is the platform's alone
    manager = client_for(roles["partner_manager"])
    assert manager.post(f"/api/v1/settlements/{draft}/issue/").status_code == 403


def test_partner_a_never_sees_partner_b(world, roles):
    other = approve_bank(PartnerFactory())
    AgreementFactory(partner=other, platform=world.platform)
    b_statement = issued(world, partner=other)
    mine = issued(world)
    manager = client_for(roles["partner_manager"])
    assert [s["id"] for s in manager.get("/api/v1/settlements/").json()["results"]] == [mine.pk]
    for path in ("/", "/statement.pdf", "/statement.xlsx"):
        assert manager.get(f"/api/v1/settlements/{b_statement.pk}{path}").status_code == 404


def test_the_lines_never_name_the_person(world, roles):
    statement = issued(world)
    payload = (
        client_for(roles["partner_manager"])
        .get(f"/api/v1/settlements/{statement.pk}/")
        .content.decode()
    )
    assert world.person.last_name not in payload and world.person.first_name not in payload
    line = (
        client_for(roles["partner_manager"])
        .get(f"/api/v1/settlements/{statement.pk}/")
        .json()["lines"][0]
    )
    assert line["reference"].startswith("SM-")


def test_transitions_over_the_api(world, roles):
    world.done(2, paris(2026, 11, 5, 10), lines=[{"kind": "platform", "amount": "20.00"}])
    api = client_for(roles["finance_officer"])
    created = api.post(
        "/api/v1/settlements/",
        {"partner": world.partner.pk, "period_start": "2026-11-01", "period_end": "2026-11-30"},
        format="json",
    ).json()
    again = api.post(
        "/api/v1/settlements/",
        {"partner": world.partner.pk, "period_start": "2026-11-01", "period_end": "2026-12-31"},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_settled")
    paid_early = api.post(
        f"/api/v1/settlements/{created['id']}/mark-paid/", {"paid_on": "2026-12-01"}, format="json"
    )
    assert (paid_early.status_code, paid_early.json()["code"]) == (409, "invalid_transition")
    assert api.post(f"/api/v1/settlements/{created['id']}/issue/").json()["status"] == "issued"
    today = timezone.localdate().isoformat()
    paid = api.post(
        f"/api/v1/settlements/{created['id']}/mark-paid/", {"paid_on": today}, format="json"
    )
    assert paid.json()["status"] == "paid" and paid.json()["paid_on"] == today
    twice = api.post(
        f"/api/v1/settlements/{created['id']}/mark-paid/", {"paid_on": today}, format="json"
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "already_settled")


def test_the_transfer_file_validates_against_pain_001(world, roles, settings):
    for name, value in DEBTOR.items():
        setattr(settings, name, value)
    other = approve_bank(PartnerFactory(), iban="FR1420041010050500013M02606", bic="PSSTFRPP")
    AgreementFactory(partner=other, platform=world.platform)
    first, second = issued(world), issued(world, partner=other, hours=7)
    # A new account since the statement was issued, approved: the file pays it.
    approve_bank(other, iban="FR7630002005500000015784164", bic="CRLYFRPP")
    api = client_for(roles["finance_officer"])

    response = api.post(
        "/api/v1/settlements/transfer-file/", {"settlements": [first.pk, second.pk]}, format="json"
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    import sepaxml

    xsd = xmlschema.XMLSchema(f"{sepaxml.__path__[0]}/schemas/pain.001.001.03.xsd")
    xsd.validate(response.content.decode())  # raises on any departure from the schema
    document = xsd.to_dict(response.content.decode())
    header = document["CstmrCdtTrfInitn"]["GrpHdr"]
    assert (header["NbOfTxs"], Decimal(str(header["CtrlSum"]))) == (
        "2",
        D("345.00"),
    )  # 10 h × 10 € + 7 h × 35 €
    text = response.content.decode()
    assert "FR7630006000011234567890189" in text and "FR7630002005500000015784164" in text
    assert "FR7630004000031234567890143" in text and first.reference in text
    assert "FR1420041010050500013M02606" not in text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.exported_at is not None and first.status == SettlementStatus.ISSUED
    assert (first.iban, second.iban, second.bic) == (
        "FR7630006000011234567890189",
        "FR7630002005500000015784164",
        "CRLYFRPP",
    )  # the accounts the file pays
    assert first.transfer_message_id and first.transfer_message_id in text


def test_the_transfer_file_refuses_what_cannot_be_paid(world, roles, settings):
    api = client_for(roles["finance_officer"])
    statement = issued(world)
    no_debtor = api.post(
        "/api/v1/settlements/transfer-file/", {"settlements": [statement.pk]}, format="json"
    )
    assert (no_debtor.status_code, no_debtor.json()["code"]) == (409, "bank_details_missing")
    for name, value in DEBTOR.items():
        setattr(settings, name, value)
    manager = roles["partner_manager"]
    from partners.services_bank import partner_bank_details_set

    partner_bank_details_set(
        actor=manager,
        partner_id=world.partner.pk,
        iban="FR14 2004 1010 0505 0001 3M02 606",
        bic="PSSTFRPP",
    )
    unapproved = api.post(
        "/api/v1/settlements/transfer-file/", {"settlements": [statement.pk]}, format="json"
    )
    assert (unapproved.status_code, unapproved.json()["code"]) == (409, "bank_details_unapproved")
    draft_partner = approve_bank(PartnerFactory())
    AgreementFactory(partner=draft_partner, platform=world.platform)
    world.done(2, paris(2026, 11, 5, 10), service=ServiceFactory(partner=draft_partner))
    draft = services.settlement_build(actor=world.finance, platform_id=world.platform.pk,
                                      partner_id=draft_partner.pk, **NOV)  # fmt: skip
    not_issued = api.post(
        "/api/v1/settlements/transfer-file/", {"settlements": [draft.pk]}, format="json"
    )
    assert (not_issued.status_code, not_issued.json()["code"]) == (409, "invalid_transition")
    manager_api = client_for(manager)
    assert (
        manager_api.post(
            "/api/v1/settlements/transfer-file/", {"settlements": [statement.pk]}, format="json"
        ).status_code
        == 403
    )


def test_the_list_costs_the_same_queries_for_one_or_many_statements(world, roles):
    api = client_for(roles["finance_officer"])
    issued(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/settlements/").status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        other = approve_bank(PartnerFactory())
        AgreementFactory(partner=other, platform=world.platform)
        issued(world, partner=other)
    assert api.get("/api/v1/settlements/").json()["count"] == 5
    assert count() == few


def test_a_wrong_iban_checksum_is_a_400_in_french(world, roles):
    api = client_for(roles["partner_manager"])
    url = f"/api/v1/partners/{world.partner.pk}/bank-details/"
    wrong = api.put(url, {"iban": "FR7630006000011234567890188"}, format="json")
    assert wrong.status_code == 400
    assert "clé de contrôle" in str(wrong.json())
    right = api.put(url, {"iban": "FR14 2004 1010 0505 0001 3M02 606"}, format="json")
    assert right.status_code == 200
    assert (right.json()["iban"], right.json()["bic"], right.json()["approved"]) == (
        "FR1420041010050500013M02606",
        "PSSTFRPP",
        False,
    )
    finance = client_for(roles["finance_officer"])
    assert finance.get(url).status_code == 200
    approved = finance.post(f"{url}approve/")
    assert approved.status_code == 200 and approved.json()["approved"] is True
    assert client_for(roles["adviser"]).get(url).status_code == 403
    assert client_for(roles["partner_staff"]).get(url).status_code == 403
