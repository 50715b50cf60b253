"""The only writes of reporting: its snapshots of figures (`ReportSnapshot`), recomputed by
a task (`reporting.tasks`). Nothing of the other apps is ever written here."""

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from accounts.selectors import network_platform_ids
from reporting.enums import Family
from reporting.forms import this_year
from reporting.models import ReportSnapshot
from reporting.selectors import Report, Scope
from reporting.snapshots import dump_families


def report_snapshot_refresh(*, platform_id: int | None, start: date, end: date) -> ReportSnapshot:
    """Compute every family of the platform (None: the whole network) for `[start, end]`
    with the live selectors and store them with the moment they stand for. On PostgreSQL
    the reads share one repeatable-read transaction: every figure is exact as of that
    moment, whatever is written meanwhile."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # The ORM cannot say this; it must be the transaction's first statement.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        computed_at = timezone.now()
        platforms = None if platform_id is None else (platform_id,)
        families = dump_families(Report(Scope(platforms, start, end)).families(Family))
    with transaction.atomic():
        snapshot, _created = ReportSnapshot.objects.update_or_create(
            platform_id=platform_id, start=start, end=end,
            defaults={"computed_at": computed_at, "families": families},
        )  # fmt: skip
    return snapshot


def _refresh_all(jobs: list[tuple[int | None, tuple[date, date]]]) -> int:
    for platform_id, (start, end) in jobs:
        report_snapshot_refresh(platform_id=platform_id, start=start, end=end)
    return len(jobs)


def report_snapshots_refresh(*, today: date | None = None) -> int:
    """The nightly refresh: the network's figures of this year and of last year, and each
    platform's of last year (its current year: `report_snapshots_refresh_current`). Returns
    the number of snapshots written."""
    today = today or timezone.localdate()
    current, last = this_year(today), this_year(date(today.year - 1, 1, 1))
    platforms = [(platform_id, last) for platform_id in network_platform_ids()]
    return _refresh_all([(None, last), (None, current), *platforms])


def report_snapshots_refresh_current(*, today: date | None = None) -> int:
    """Every `REPORTING_SNAPSHOT_LIVE_MINUTES`: each platform's figures of this year, which
    its dashboard shows while they are younger than that. Returns the number written."""
    current = this_year(today or timezone.localdate())
    return _refresh_all([(platform_id, current) for platform_id in network_platform_ids()])
