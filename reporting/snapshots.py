"""Figures "arrêtés": a `Report`'s families stored with the moment they were computed
(`ReportSnapshot`), and the one reader every page, export and the API go through,
`report_for(scope)`, which answers from a snapshot where one stands for the live figures
and computes them live otherwise.

A snapshot is what `Report` said at `computed_at` — the same selectors, no second
definition of any figure — read in one transaction (on PostgreSQL a repeatable-read one,
so that every figure is exact as of that one moment). It holds no table naming people.

When one is used:
- an adviser's own file: never (live, it is small);
- a platform: for a period that had ended when the snapshot was computed, while the
  snapshot is younger than `REPORTING_SNAPSHOT_MAX_AGE_HOURS` (a late task: live again);
  for a period not yet over (this year, refreshed every `REPORTING_SNAPSHOT_LIVE_MINUTES`
  by a task, or at once by « Recalculer maintenant »), while it is younger than that;
- the whole network: whenever one exists for the period, however old (computing it live
  takes minutes at national scale); past the age above it says it is stale.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise

from beneficiaries.selectors_indicators import day_start
from reporting.enums import Family, Unit
from reporting.models import ReportSnapshot
from reporting.selectors import FamilyReport, Figure, Report, Scope, Table


def _dump(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return str(value) if isinstance(value, Promise) else value  # a translated label


def _load(value):
    if isinstance(value, dict) and set(value) == {"decimal"}:
        return Decimal(value["decimal"])
    return value


def dump_families(families: list[FamilyReport]) -> list[dict]:
    """JSON for `ReportSnapshot.families` (Decimals kept exact; tables naming people left
    out)."""
    return [
        {
            "family": f.family.value,
            "figures": [
                [
                    g.key,
                    str(g.label),
                    _dump(g.value),
                    g.unit.value,
                    str(g.definition),
                    _dump(g.target),
                ]
                for g in f.figures
            ],
            "tables": [
                {
                    "key": t.key,
                    "title": str(t.title),
                    "headers": [str(h) for h in t.headers],
                    "units": [u.value if u else None for u in t.units],
                    "rows": [[_dump(v) for v in row] for row in t.rows],
                }
                for t in f.tables
                if not t.personal
            ],
        }
        for f in families
    ]


def load_families(data: list[dict]) -> dict[Family, FamilyReport]:
    out = {}
    for f in data:
        figures = [
            Figure(key, label, _load(value), Unit(unit), definition, _load(target))
            for key, label, value, unit, definition, target in f["figures"]
        ]
        tables = [
            Table(t["key"], t["title"], t["headers"], [Unit(u) if u else None for u in t["units"]],
                  [[_load(v) for v in row] for row in t["rows"]])
            for t in f["tables"]
        ]  # fmt: skip
        out[Family(f["family"])] = FamilyReport(Family(f["family"]), figures, tables)
    return out


@dataclass
class StoredReport:
    """A `Report`'s families as a snapshot holds them (same `family`/`families` calls)."""

    scope: Scope
    computed_at: datetime
    _families: dict[Family, FamilyReport]

    @property
    def stale(self) -> bool:
        """Older than `REPORTING_SNAPSHOT_MAX_AGE_HOURS` (the network's is used even so)."""
        return timezone.now() - self.computed_at > max_age()

    def family(self, family: Family) -> FamilyReport:
        return self._families[Family(family)]

    def families(self, families) -> list[FamilyReport]:
        return [self.family(f) for f in families]


def max_age() -> timedelta:
    return timedelta(hours=settings.REPORTING_SNAPSHOT_MAX_AGE_HOURS)


def live_max_age() -> timedelta:
    return timedelta(minutes=settings.REPORTING_SNAPSHOT_LIVE_MINUTES)


def snapshot_key(scope: Scope) -> dict | None:
    """The snapshot that would stand for this scope, as lookups; None: never one (an
    adviser's file, several platforms)."""
    if scope.adviser_id is not None:
        return None
    if scope.platform_ids is None:
        return {"platform__isnull": True, "start": scope.start, "end": scope.end}
    if len(scope.platform_ids) != 1:
        return None
    if scope.end >= timezone.localdate():  # a period not yet over: only a recent snapshot
        return {"platform_id": scope.platform_ids[0], "start": scope.start, "end": scope.end,
                "computed_at__gte": timezone.now() - live_max_age()}  # fmt: skip
    return {
        "platform_id": scope.platform_ids[0], "start": scope.start, "end": scope.end,
        # computed after the period had ended, and not long ago
        "computed_at__gte": max(day_start(scope.end + timedelta(days=1)),
                                timezone.now() - max_age()),
    }  # fmt: skip


def report_for(scope: Scope) -> Report | StoredReport:
    """The figures of the scope: a snapshot's where one stands for them (see the module's
    docstring), else live. One query to look, none more when a snapshot answers."""
    key = snapshot_key(scope)
    if key is None:
        return Report(scope)
    snapshot = ReportSnapshot.objects.filter(**key).only("computed_at", "families").first()
    if snapshot is None:
        return Report(scope)
    return StoredReport(scope, snapshot.computed_at, load_families(snapshot.families))
