"""Figures "arrêtés" (reporting.snapshots): a snapshot says exactly what the live selectors
said when it was computed; the page says when; a late or missing snapshot never passes for
the live figures of a platform; the network's is used whatever its age, and says so."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.models import Referral
from reporting.enums import Family
from reporting.models import ReportSnapshot
from reporting.selectors import Report, Scope
from reporting.services import report_snapshot_refresh
from reporting.snapshots import StoredReport, report_for
from reporting.tasks import report_snapshots_refresh, report_snapshots_refresh_current
from tests.reporting.test_pages import PERIOD, _more, get
from tests.reporting.world import END, START, TODAY, at
from tests.services import postgres_or_unavailable

pytestmark = pytest.mark.django_db


def _public(family_report):
    """What a snapshot keeps of a family: every figure, every table not naming people."""
    return (
        [(f.key, f.label, f.value, f.unit, f.definition, f.target) for f in family_report.figures],
        [(t.key, t.title, t.headers, t.units, t.rows) for t in family_report.tables
         if not t.personal],
    )  # fmt: skip


@pytest.mark.parametrize("network", [False, True])
def test_a_snapshot_says_exactly_what_the_live_selectors_say(world, network):
    _more(world, 7)  # a dataset of some size, every family non-empty
    platforms = None if network else (world.platform.pk,)
    scope = Scope(platforms, START, END)
    live = Report(scope).families(Family)
    report_snapshot_refresh(platform_id=None if network else world.platform.pk,
                            start=START, end=END)  # fmt: skip
    stored = report_for(scope)
    assert isinstance(stored, StoredReport) and stored.computed_at == timezone.now()
    assert not stored.stale
    for live_family, stored_family in zip(live, stored.families(Family), strict=True):
        assert _public(stored_family) == _public(live_family)
    # Decimals stay Decimals, counts stay integers (the API and the exports type them).
    savings = stored.family(Family.SAVINGS).figure("savings").value
    assert str(savings) == str(Report(scope).family(Family.SAVINGS).figure("savings").value)
    assert isinstance(stored.family(Family.BOOKINGS).figure("total").value, int)
    # No table naming people is kept (the live figures have one: the comparison above
    # would see it stored).
    assert any(t.personal for f in live for t in f.tables)
    assert "VU Jamais" not in str(ReportSnapshot.objects.get().families)


def test_the_dashboard_says_when_its_figures_were_arrested(client, api_client, world):
    admin = world.users[Role.ADMIN]
    html = get(client, admin, "reporting_dashboard").content.decode()
    assert "Chiffres calculés à l'instant" in html and "computed-at" not in html
    report_snapshot_refresh(platform_id=world.platform.pk, start=START, end=END)
    # A referral of 2025 recorded after the snapshot: the page keeps the figures of its
    # moment, and says which moment.
    with time_machine.travel(TODAY + timedelta(hours=2), tick=False):
        Referral.objects.filter(pk=Referral.objects.create(
            platform=world.platform, first_name="Tard", last_name="Venue", situation="rsa",
            need="x").pk).update(created_at=at(2025, 6, 1))  # fmt: skip
        html = get(client, admin, "reporting_dashboard").content.decode()
        assert "Chiffres arrêtés au samedi 10 janvier 2026, 12 h 00" in html
        assert "Chiffres calculés à l'instant" not in html
        assert Report(Scope((world.platform.pk,), START, END)).referrals["received"] == 6
        received = report_for(Scope((world.platform.pk,), START, END)).family(Family.REFERRALS)
        assert received.figure("received").value == 5
        # The API and the exports answer from the same snapshot as the page.
        api_client.force_authenticate(admin)
        body = api_client.get("/api/v1/reports/indicators/" + PERIOD).json()
        assert body["referrals"]["received"] == 5
        csv = get(client, admin, "reporting_table_csv", table="entonnoir").content.decode()
        assert "Orientations reçues;5" in csv


def test_a_stale_snapshot_gives_way_to_live_figures_for_a_platform(client, world):
    report_snapshot_refresh(platform_id=world.platform.pk, start=START, end=END)
    scope = Scope((world.platform.pk,), START, END)
    with time_machine.travel(TODAY + timedelta(hours=37), tick=False):  # the task did not run
        assert isinstance(report_for(scope), Report)
        html = get(client, world.users[Role.ADMIN], "reporting_dashboard").content.decode()
        assert "Chiffres calculés à l'instant" in html and "VU Jamais" in html


def test_the_networks_snapshot_is_used_however_old_and_says_it_is_stale(world):
    report_snapshot_refresh(platform_id=None, start=START, end=END)
    with time_machine.travel(TODAY + timedelta(days=3), tick=False):
        stored = report_for(Scope(None, START, END))
        assert isinstance(stored, StoredReport) and stored.stale


def test_a_period_not_over_is_arrested_for_a_platform_only_while_recent(world, settings):
    this_year = (date(2026, 1, 1), date(2026, 12, 31))
    platform = Scope((world.platform.pk,), *this_year)
    assert isinstance(report_for(platform), Report)  # no snapshot yet: live
    for platform_id in (world.platform.pk, None):
        report_snapshot_refresh(platform_id=platform_id, start=this_year[0], end=this_year[1])
    stored = report_for(platform)
    assert isinstance(stored, StoredReport) and stored.computed_at == timezone.now()
    assert isinstance(report_for(Scope(None, *this_year)), StoredReport)
    minutes = settings.REPORTING_SNAPSHOT_LIVE_MINUTES
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes - 1)):
        assert isinstance(report_for(platform), StoredReport)
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes + 1)):
        assert isinstance(report_for(platform), Report)  # the task is late: live again
        assert isinstance(report_for(Scope(None, *this_year)), StoredReport)


def test_an_advisers_own_file_is_always_live(client, world):
    report_snapshot_refresh(platform_id=world.platform.pk, start=START, end=END)
    adviser = world.advisers[0]
    assert isinstance(report_for(Scope((world.platform.pk,), START, END, adviser.pk)), Report)
    html = get(client, adviser, "reporting_dashboard").content.decode()
    assert "Chiffres calculés à l'instant" in html


def test_the_nightly_task_writes_the_network_and_every_platforms_last_year(world):
    assert report_snapshots_refresh.delay().get() == 2 + 2  # network × 2 years, 2 platforms
    assert report_snapshots_refresh() == 4  # again: the same rows, recomputed
    rows = ReportSnapshot.objects.order_by("platform_id", "start")
    assert {(r.platform_id, r.start, r.end) for r in rows} == {
        (None, START, END), (None, date(2026, 1, 1), date(2026, 12, 31)),
        (world.platform.pk, START, END), (world.other.pk, START, END),
    }  # fmt: skip
    assert all(r.computed_at == timezone.now() for r in rows)


@pytest.mark.parametrize("who", [Role.ADMIN, Role.FINANCE_OFFICER])
def test_a_dashboard_on_a_snapshot_costs_fewer_queries_whatever_the_data(
    client, world, who, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.users[who]
    get(client, user, "reporting_dashboard")  # the first request of a session warms caches
    with CaptureQueriesContext(connection) as live:
        get(client, user, "reporting_dashboard")
    counts = []
    for extra in (0, 25):
        _more(world, extra)
        report_snapshot_refresh(platform_id=world.platform.pk, start=START, end=END)
        with CaptureQueriesContext(connection) as queries:
            assert "computed-at" in get(client, user, "reporting_dashboard").content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1] < len(live)
    with django_assert_max_num_queries(15):
        client.get(reverse("reporting_dashboard") + PERIOD)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_reads_in_one_repeatable_read_transaction(world):
    """Outside any transaction (as the task runs), on PostgreSQL the reads share one
    repeatable-read snapshot: the figures are exact as of one moment."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    postgres_or_unavailable()
    with CaptureQueriesContext(connection) as queries:
        report_snapshot_refresh(platform_id=world.platform.pk, start=START, end=END)
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[:2] == ["BEGIN", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"]


@pytest.mark.django_db(transaction=True)
def test_a_refresh_outside_a_transaction_stores_the_live_figures(world):
    report_snapshot_refresh(platform_id=world.platform.pk, start=START, end=END)
    stored = report_for(Scope((world.platform.pk,), START, END))
    live = Report(Scope((world.platform.pk,), START, END))
    assert _public(stored.family(Family.PEOPLE)) == _public(live.family(Family.PEOPLE))


def test_the_beat_schedule_runs_the_refresh():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["reporting-snapshots"]
    assert entry["task"] == report_snapshots_refresh.name

    current = settings.CELERY_BEAT_SCHEDULE["reporting-snapshots-current"]
    assert current["task"] == report_snapshots_refresh_current.name
    assert current["schedule"] == settings.REPORTING_SNAPSHOT_LIVE_MINUTES * 60


THIS_YEAR = "?from=2026-01-01&to=2026-12-31"


def test_the_frequent_task_writes_every_platforms_this_year(world):
    assert report_snapshots_refresh_current.delay().get() == 2
    rows = ReportSnapshot.objects.all()
    assert {(r.platform_id, r.start, r.end) for r in rows} == {
        (world.platform.pk, date(2026, 1, 1), date(2026, 12, 31)),
        (world.other.pk, date(2026, 1, 1), date(2026, 12, 31)),
    }  # fmt: skip
    stored = report_for(Scope((world.platform.pk,), date(2026, 1, 1), date(2026, 12, 31)))
    live = Report(Scope((world.platform.pk,), date(2026, 1, 1), date(2026, 12, 31)))
    for family in Family:
        assert _public(stored.family(family)) == _public(live.family(family))


def test_this_years_dashboard_says_when_its_figures_stand_and_recomputes_them(client, world):
    admin = world.users[Role.ADMIN]
    html = get(client, admin, "reporting_dashboard", THIS_YEAR).content.decode()
    assert "Chiffres calculés à l'instant" in html and 'id="refresh"' in html
    report_snapshots_refresh_current()
    html = get(client, admin, "reporting_dashboard", THIS_YEAR).content.decode()
    assert "computed-at" in html and "Chiffres arrêtés au samedi 10 janvier 2026, 12 h 00" in html
    assert "Recalculer maintenant" in html
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        response = client.post(reverse("reporting_refresh") + THIS_YEAR)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reporting_dashboard") + "?from=2026-01-01")
        snapshot = ReportSnapshot.objects.get(platform=world.platform, start=date(2026, 1, 1))
        assert snapshot.computed_at == later
        assert "12 h 05" in client.get(response["Location"]).content.decode()


def test_only_a_platforms_figures_are_recomputed_and_only_by_post(client, world):
    client.force_login(world.users[Role.ADMIN])
    assert client.get(reverse("reporting_refresh") + THIS_YEAR).status_code == 405
    adviser = world.advisers[0]  # their own file: always live, nothing to recompute
    html = get(client, adviser, "reporting_dashboard", THIS_YEAR).content.decode()
    assert 'id="refresh"' not in html
    assert client.post(reverse("reporting_refresh") + THIS_YEAR).status_code == 403
    assert not ReportSnapshot.objects.exists()
