"""Paying the partners in a real browser (demo data: last month's garage statement is paid,
the driving school's is issued). The garage's manager types a new IBAN (a wrong checksum is
refused in French), the finance officer approves it; she marks the school's statement paid
on the day of the transfer; the school's manager finds it paid in « Mes relevés », on a
phone, with its PDF."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Partner
from settlements.models import Settlement
from tests.e2e.test_booking_journey import DESKTOP, PHONE, nav, no_sideways_scrolling
from tests.e2e.test_sign_in import field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GARAGE = "Garage solidaire du Bourbonnais"
SCHOOL = "Auto-école sociale de Moulins"


def test_a_new_iban_is_approved_and_the_school_is_paid(page, live_server, demo_data, browser):
    garage = Partner.objects.get(organisation__name=GARAGE)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "garage@demo.test")
    page.goto(f"{live_server.url}/partenaire/{garage.pk}/banque/")
    field(page, "IBAN").fill("FR76 3000 6000 0112 3456 7890 188")
    page.get_by_role("button", name="Enregistrer le compte").click()
    expect(page.get_by_text("sa clé de contrôle ne correspond pas").first).to_be_visible()
    field(page, "IBAN").fill("FR14 2004 1010 0505 0001 3M02 606")
    field(page, "BIC").fill("")
    page.get_by_role("button", name="Enregistrer le compte").click()
    expect(page.get_by_text("En attente de validation")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, live_server, "finance@demo.test")
    nav(page).get_by_role("link", name="Relevés partenaires").click()
    expect(page.get_by_text("1 partenaire a un nouveau compte bancaire à valider.")).to_be_visible()
    page.get_by_role("link", name="Coordonnées bancaires à valider").first.click()
    page.get_by_role("button", name=re.compile("Valider ce compte")).click()
    expect(page.get_by_text("Compte validé")).to_be_visible()
    assert Partner.objects.get(pk=garage.pk).bank_details_approved

    school = Settlement.objects.get(partner__organisation__name=SCHOOL)
    page.get_by_role("link", name="Mois à clôturer").click()
    page.get_by_role("link", name=school.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(school.reference)
    page.get_by_label("Date du virement").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Marquer payé").click()
    expect(page.get_by_text("Relevé marqué payé")).to_be_visible()
    school.refresh_from_db()
    assert school.status == "paid"
    page.context.clear_cookies()

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "school@demo.test")
    page.goto(f"{live_server.url}/releves/mes-releves/")
    row = page.get_by_role("row", name=re.compile(school.reference))
    expect(row).to_contain_text("Payé")
    no_sideways_scrolling(page)
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("PDF")).click()
    assert download.value.suggested_filename == f"{school.reference}.pdf"
