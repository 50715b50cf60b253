"""The dashboards, charts and exports: who sees what, the period in the URL, query counts
flat with the data, charts without script, exports that open."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from accounts.enums import Role
from tests.reporting.world import at

pytestmark = pytest.mark.django_db
PERIOD = "?from=2025-01-01&to=2025-12-31"


def get(client, user, name, query=PERIOD, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs) + query)


def test_the_admin_sees_every_family_with_definitions(client, world):
    page = get(client, world.users[Role.ADMIN], "reporting_dashboard")
    html = page.content.decode()
    assert page.status_code == 200
    for anchor in ("referrals", "people", "follow_up", "outcomes", "bookings", "savings",
                   "financing"):  # fmt: skip
        assert f'id="{anchor}"' in html
    assert "Plateforme Allier" in html and "1 janvier 2025" in html
    assert "Médiane, en jours, du temps entre la réception et la réponse" in html
    # The overdue follow-ups name the people, for staff only, with a link to their record.
    assert "VU Jamais" in html
    assert reverse("beneficiary_detail", args=[world.people["p2"].pk]) in html
    # Charts are images of their own URL, with the same period; each beside its table.
    assert reverse("reporting_chart", kwargs={"chart": "entonnoir"}) + "?from=2025-01-01" in html
    assert "<script" not in html.split("<main", 1)[1]


def test_an_adviser_sees_their_own_file(client, world):
    a1, a2 = world.advisers
    html = get(client, a2, "reporting_dashboard").content.decode()
    assert 'id="follow_up"' in html and 'id="referrals"' not in html
    assert 'id="financing"' not in html
    assert "SEPT Lina" in html and "VU Jamais" not in html  # p2 is Ana's
    assert "Bea Deux" in html and "Ana Un" not in html


def test_a_finance_officer_sees_the_money_only(client, world):
    html = get(client, world.users[Role.FINANCE_OFFICER], "reporting_dashboard").content.decode()
    assert 'id="financing"' in html and 'id="savings"' in html
    for hidden in ('id="follow_up"', 'id="people"', 'id="referrals"', "VU Jamais"):
        assert hidden not in html
    # Nor through a chart or a table of another family.
    user = world.users[Role.FINANCE_OFFICER]
    assert get(client, user, "reporting_chart", chart="entonnoir").status_code == 404
    assert get(client, user, "reporting_table_csv", table="file_active").status_code == 404


@pytest.mark.parametrize("who", [Role.FUNDER, "other_funder"])
def test_funders_and_people_outside_the_platform_get_no_dashboard(client, world, who):
    assert get(client, world.users[who], "reporting_dashboard").status_code == 403


def test_another_platforms_admin_sees_only_their_platform(client, world):
    html = get(client, world.users["other_admin"], "reporting_dashboard").content.decode()
    assert "Plateforme Cher" in html and "Plateforme Allier" not in html
    query = PERIOD + f"&platform={world.platform.pk}"
    assert get(client, world.users["other_admin"], "reporting_dashboard", query).status_code == 404


def test_a_wrong_period_is_a_french_error(client, world):
    page = get(client, world.users[Role.ADMIN], "reporting_dashboard",
               "?from=2025-12-31&to=2025-01-01")  # fmt: skip
    assert page.status_code == 400
    assert "La fin de la période est avant son début." in page.content.decode()
    page = get(client, world.users[Role.ADMIN], "reporting_dashboard", "?from=2025-02-30")
    assert page.status_code == 400


def test_the_default_period_is_this_calendar_year(client, frozen, db):
    from tests.factories import OrganisationFactory, member

    admin = member(Role.ADMIN, OrganisationFactory())
    html = get(client, admin, "reporting_dashboard", "").content.decode()
    assert "1 janvier 2026" in html and "31 décembre 2026" in html


def _more(world, n):
    """n more people, referrals, follow-ups, bookings and repayments on the platform."""
    from tests.reporting import world as w

    ft = world.platform.sent_referrals.model.objects.filter(platform=world.platform).first()
    garage = world.people["p1"].bookings.first().service
    loan = world.people["p1"].loans.first()
    for i in range(n):
        person = w._person(world.platform, world.advisers[i % 2], at(2025, 1 + i % 12, 2),
                           status="reinforced", first_name=f"N{i}")  # fmt: skip
        w._diagnosis(person, date(2025, 1 + i % 12, 3), "reinforced")
        w._referral(world.platform, ft.prescriber_organisation, at(2025, 1 + i % 12, 1),
                    "accepted", at(2025, 1 + i % 12, 2))  # fmt: skip
        w._booking(person, garage, "completed", at(2025, 1 + i % 12, 5), at(2025, 1, 1),
                   at(2025, 1, 2), market=65, total=35, completed=True)  # fmt: skip
        loan.transactions.create(kind="repayment", amount=1, value_date=date(2025, 7, 1))


@pytest.mark.parametrize("who", [Role.ADMIN, "adviser", Role.FINANCE_OFFICER])
def test_dashboard_queries_do_not_grow_with_the_data(client, world, who,
                                                     django_assert_max_num_queries):  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.advisers[0] if who == "adviser" else world.users[who]
    counts = []
    get(client, user, "reporting_dashboard")  # the first request of a session warms caches
    for extra in (0, 25):
        _more(world, extra)
        with CaptureQueriesContext(connection) as queries:
            assert get(client, user, "reporting_dashboard").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(15):
        client.get(reverse("reporting_dashboard") + PERIOD)


def test_charts_are_svg_without_script_with_their_own_policy(client, world):
    response = get(client, world.users[Role.ADMIN], "reporting_chart", chart="reservations_mois")
    svg = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<script" not in svg.lower() and "javascript" not in svg.lower()
    assert "Réservations par mois" in svg and "2025-03" in svg
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self'" in policy
    # The pages' own policy stays strict.
    page = get(client, world.users[Role.ADMIN], "reporting_dashboard")
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert get(client, world.users[Role.ADMIN], "reporting_chart", chart="nope").status_code == 404


def test_the_bilan_opens_in_excel_one_sheet_per_family(client, world):
    response = get(client, world.users[Role.ADMIN], "reporting_bilan_xlsx")
    assert response["Content-Disposition"].endswith('bilan-2025-01-01-2025-12-31.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Orientations reçues", "File active et diagnostics",
                               "Rythme du suivi", "Sorties", "Réservations",
                               "Économies réalisées", "Financements"]  # fmt: skip
    cells = {row[0]: row[1] for row in book["Économies réalisées"].iter_rows(values_only=True)}
    assert cells["Économies réalisées"] == 110  # a number, not text
    people = {row[0]: row[1] for row in book["File active et diagnostics"].iter_rows(
        values_only=True)}  # fmt: skip
    assert people["Personnes suivies pendant la période"] == 6
    assert people["Nouvelles personnes"] == "< 5"  # 4 people
    everything = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True)
                          for c in row if c is not None)  # fmt: skip
    assert "Jamais" not in everything and "Sept" not in everything  # no person named


def test_the_bilan_pdf_holds_the_totals(client, world):
    from tests.bookings.test_documents import pdf_text

    response = get(client, world.users[Role.ADMIN], "reporting_bilan_pdf")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Bilan — Plateforme Allier" in text
    assert (
        "110,00 €" in text
        and "435,00 €" in text
        and "1 800,00 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    )
    assert "Jamais" not in text


def test_each_table_as_csv(client, world):
    response = get(client, world.users[Role.ADMIN], "reporting_table_csv", table="partenaires")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Partenaire", "Réservations", "Réalisées", "Annulées", "Absences"],
                    ["Garage A", "3", "1", "1", "1"], ["Loc B", "2", "1", "0", "0"]]  # fmt: skip
    # Small counts of people are hidden in exports; tables naming people do not exist.
    refusals = get(client, world.users[Role.ADMIN], "reporting_table_csv", table="refus")
    assert "< 5" in refusals.content.decode("utf-8-sig")
    assert get(client, world.users[Role.ADMIN], "reporting_table_csv",
               table="retards").status_code == 404  # fmt: skip
