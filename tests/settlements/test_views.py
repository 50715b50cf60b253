"""Statements pages: the finance officer closes a month from the pages; the partner reads
« Mes relevés »; bank details are typed by the partner and approved by another person."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from financing.models import FundingProgramme
from partners.models import Partner
from settlements.models import Settlement
from tests.factories import member
from tests.settlements.conftest import paris

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_finance_officer_closes_november_from_the_pages(client, world):
    booking = world.done(10, paris(2026, 11, 30, 23, 30), lines=[
        {"kind": "grant", "programme": world.programme.pk, "amount": "60.00"},
        {"kind": "platform", "amount": "40.00"}])  # fmt: skip
    client.force_login(world.finance)

    month = client.get(reverse("settlement_month"), {"month": "2026-11"})
    html = month.content.decode()
    assert month.status_code == 200 and world.partner.name in html and "100,00" in html
    built = client.post(reverse("settlement_build_all"), {"month": "2026-11"})
    assert built.status_code == 302
    assert built["Location"].endswith(f"?month=2026-11&platform={world.platform.pk}")
    settlement = Settlement.objects.get()
    assert settlement.status == "draft" and settlement.total == D("100.00")

    detail = client.get(reverse("settlement_detail", args=[settlement.pk])).content.decode()
    assert booking.reference in detail and world.person.last_name not in detail
    client.post(reverse("settlement_issue", args=[settlement.pk]))
    today = timezone.localdate().strftime("%Y-%m-%d")
    client.post(reverse("settlement_mark_paid", args=[settlement.pk]), {"paid_on": today})
    settlement.refresh_from_db()
    assert settlement.status == "paid"
    assert FundingProgramme.objects.get(pk=world.programme.pk).paid == D("60.00")
    pdf = client.get(reverse("settlement_pdf", args=[settlement.pk]))
    xlsx = client.get(reverse("settlement_xlsx", args=[settlement.pk]))
    assert pdf.content.startswith(b"%PDF") and xlsx.content.startswith(b"PK")


def test_a_refused_issue_says_why_in_french(client, world):
    world.done(2, paris(2026, 11, 5, 10))
    client.force_login(world.finance)
    client.post(reverse("settlement_build_all"), {"month": "2026-11"})
    settlement = Settlement.objects.get()
    Partner.objects.filter(pk=world.partner.pk).update(bank_details_approved_at=None)
    response = client.post(reverse("settlement_issue", args=[settlement.pk]), follow=True)
    assert "attend la validation" in response.content.decode()
    settlement.refresh_from_db()
    assert settlement.status == "draft"


def test_the_partner_reads_its_issued_statements_only(client, world):
    world.done(2, paris(2026, 11, 5, 10), lines=[{"kind": "platform", "amount": "20.00"}])
    client.force_login(world.finance)
    client.post(reverse("settlement_build_all"), {"month": "2026-11"})
    settlement = Settlement.objects.get()
    manager = member("partner_manager", world.partner.organisation)
    client.force_login(manager)
    mine = reverse("settlement_my_statements")
    assert "Aucun relevé émis" in client.get(mine).content.decode()
    assert client.get(reverse("settlement_detail", args=[settlement.pk])).status_code == 404
    client.force_login(world.finance)
    client.post(reverse("settlement_issue", args=[settlement.pk]))
    client.force_login(manager)
    listed = client.get(mine).content.decode()
    assert settlement.reference in listed and "20,00" in listed
    detail = client.get(reverse("settlement_detail", args=[settlement.pk]))
    assert detail.status_code == 200 and "Émettre" not in detail.content.decode()
    assert client.get(reverse("settlement_month")).status_code == 403


def test_bank_details_page_refuses_a_wrong_checksum_then_waits_for_approval(client, world):
    manager = member("partner_manager", world.partner.organisation)
    client.force_login(manager)
    url = reverse("partner_bank_details", args=[world.partner.pk])
    wrong = client.post(url, {"iban": "FR76 3000 6000 0112 3456 7890 188", "bic": ""})
    assert wrong.status_code == 400
    assert "clé de contrôle ne correspond pas" in wrong.content.decode()
    client.post(url, {"iban": "FR14 2004 1010 0505 0001 3M02 606", "bic": ""})
    partner = Partner.objects.get(pk=world.partner.pk)
    assert (partner.iban, partner.bic, partner.bank_details_approved) == (
        "FR1420041010050500013M02606",
        "PSSTFRPP",
        False,
    )
    client.force_login(world.finance)
    approvals = client.get(reverse("settlement_bank_approvals")).content.decode()
    assert world.partner.name in approvals and "FR14 •••• •••• 2606" in approvals
    client.post(reverse("settlement_bank_approve", args=[world.partner.pk]))
    assert Partner.objects.get(pk=world.partner.pk).bank_details_approved


def test_whoever_typed_the_iban_cannot_approve_it(client, world, admin_user):
    client.force_login(admin_user)  # a platform admin manages the partner and may approve
    client.post(reverse("partner_bank_details", args=[world.partner.pk]),
                {"iban": "FR1420041010050500013M02606", "bic": "PSSTFRPP"})  # fmt: skip
    response = client.post(reverse("settlement_bank_approve", args=[world.partner.pk]),
                           follow=True)  # fmt: skip
    assert "autre personne" in response.content.decode()
    assert not Partner.objects.get(pk=world.partner.pk).bank_details_approved


def test_month_page_and_drafts_cost_the_same_queries_for_few_or_many_bookings(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from settlements import services
    from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

    client.force_login(world.finance)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("settlement_month"), {"month": "2026-11"}).status_code == 200
        with CaptureQueriesContext(connection) as drafts:
            services.settlement_build_all(actor=world.finance, platform_id=world.platform.pk,
                                          year=2026, month=11)  # fmt: skip
        Settlement.objects.all().delete()
        return len(page), len(drafts)

    world.done(2, paris(2026, 11, 5, 10), lines=[
        {"kind": "grant", "programme": world.programme.pk, "amount": "15.00"},
        {"kind": "platform", "amount": "5.00"}])  # fmt: skip
    few = counts()
    for day in range(1, 25):
        world.done(1, paris(2026, 11, day, 15), lines=[
            {"kind": "grant", "programme": world.programme.pk, "amount": "5.00"},
            {"kind": "beneficiary", "amount": "5.00"}])  # fmt: skip
    for _ in range(3):
        partner = PartnerFactory()
        AgreementFactory(partner=partner, platform=world.platform)
        world.done(2, paris(2026, 11, 6, 10), service=ServiceFactory(partner=partner))
    assert counts() == few
