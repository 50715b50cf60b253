"""Indicators in a real browser: the coordinator (admin@demo.test) opens the dashboard of the
demo platform (a year of history: every chart shows something), changes the period, sees the
figures follow, and downloads the bilan (PDF and Excel). The charts are SVG images whose
policy allows only their own inline style: the page's strict policy meets no violation."""

import io
from datetime import date

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_booking_journey import DESKTOP, PHONE, nav, no_sideways_scrolling, shot
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_reads_the_indicators_and_downloads_the_bilan(page, live_server,
                                                                       demo_data):  # fmt: skip
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "admin@demo.test")
    nav(page).get_by_role("link", name="Indicateurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs de la plateforme")
    year = timezone.localdate().year
    expect(page.locator("#period")).to_contain_text(f"1 janvier {year}")
    for title in ("Orientations reçues", "Rythme du suivi", "Sorties", "Financements"):
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    received = page.locator("#indicator-referrals-received .indicator-value").inner_text()
    assert int(received) > 0
    # Every chart is drawn (an image that loaded), next to its table.
    charts = page.locator("img.chart-img")
    assert charts.count() >= 8
    for index in range(charts.count()):
        charts.nth(index).scroll_into_view_if_needed()
        expect(charts.nth(index)).to_have_js_property("complete", True)
        assert charts.nth(index).evaluate("img => img.naturalWidth") > 0
    shot(page, "reporting-dashboard")

    # Another period: the first half of last year, kept in the URL.
    page.get_by_label("Du", exact=True).fill(f"{year - 1}-01-01")
    page.get_by_label("Au", exact=True).fill(f"{year - 1}-06-30")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(f"{live_server.url}/indicateurs/?from={year - 1}-01-01"
                             f"&to={year - 1}-06-30")  # fmt: skip
    expect(page.locator("#period")).to_contain_text(f"30 juin {year - 1}")
    page.get_by_role("button", name="Afficher")  # the form is still there

    # The bilan of that period, as the coordinator would send it.
    with page.expect_download() as pdf:
        page.locator("#bilan-pdf").click()
    content = open(pdf.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    with page.expect_download() as xlsx:
        page.locator("#bilan-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()))
    assert "Financements" in book.sheetnames
    assert str(date(year - 1, 6, 30).day) in xlsx.value.suggested_filename

    # On a phone the dashboard does not scroll sideways.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/indicateurs/")
    no_sideways_scrolling(page)
