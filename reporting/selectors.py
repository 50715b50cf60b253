"""The indicators of a platform (or of the network, or of an adviser's own file) for a
period. `Report(scope)` reads the other apps through their selectors — each underlying
query once, whatever the families asked — and `report.family(Family.X)` gives that family's
figures (each with its definition) and tables (what the charts draw and the exports hold).
The families themselves are computed in `reporting.selectors_families`.

A dashboard of every family costs 9 queries, whatever the size of the data."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from accounts.selectors import adviser_memberships
from beneficiaries import selectors_indicators as journey
from bookings import selectors_indicators as bookings
from financing import selectors_indicators as money
from reporting.enums import Family, Unit


@dataclass(frozen=True)
class Scope:
    """Whose figures: `platform_ids` (None: the whole network), optionally one adviser's
    own file; for the period `[start, end]` (local dates)."""

    platform_ids: tuple[int, ...] | None
    start: date
    end: date
    adviser_id: int | None = None

    @property
    def reference(self) -> date:
        """The day "now" stands for: the end of the period, or today if it has not ended."""
        return min(self.end, timezone.localdate())

    def journey_kwargs(self) -> dict:
        return {"platform_ids": self.platform_ids, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal | None
    unit: Unit
    definition: str = ""
    target: Decimal | None = None  # for rates measured against a target


@dataclass
class Table:
    key: str  # sheet / file name
    title: str
    headers: list[str]
    units: list[Unit | None]  # per column; None: a label
    rows: list[list] = field(default_factory=list)
    personal: bool = False  # names people: pages of staff only, never exported


@dataclass
class FamilyReport:
    family: Family
    figures: list[Figure]
    tables: list[Table]

    @property
    def title(self) -> str:
        return self.family.label

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


class Report:
    """The raw reads behind the indicators of one scope, each made at most once."""

    computed_at = None  # live figures (a stored report has the moment it stands for)

    def __init__(self, scope: Scope):
        self.scope = scope

    # beneficiaries
    @cached_property
    def referrals(self) -> dict:
        return journey.referral_figures(**self.scope.journey_kwargs())

    @cached_property
    def referrals_by_prescriber(self) -> list[dict]:
        return journey.referrals_by_prescriber_and_month(**self.scope.journey_kwargs())

    @cached_property
    def people(self) -> list[journey.PersonRow]:
        return journey.people_rows(
            **self.scope.journey_kwargs(), reference=self.scope.reference,
            adviser_id=self.scope.adviser_id,
        )  # fmt: skip

    # accounts
    @cached_property
    def advisers(self) -> list[tuple[int, str, Decimal]]:
        rows = adviser_memberships(platform_ids=self.scope.platform_ids)
        if self.scope.adviser_id is not None:
            rows = [row for row in rows if row[0] == self.scope.adviser_id]
        return rows

    # bookings
    def _booking_scope(self) -> dict:
        return {**self.scope.journey_kwargs(), "adviser_id": self.scope.adviser_id}

    @cached_property
    def bookings(self) -> dict:
        return bookings.booking_figures(**self._booking_scope())

    @cached_property
    def bookings_by_category_partner(self) -> list[dict]:
        return bookings.bookings_by_category_partner_status(**self._booking_scope())

    @cached_property
    def bookings_by_month(self) -> dict[date, dict]:
        """Month → count, completed, saving (summed from the grouped rows)."""
        months: dict[date, dict] = {}
        for row in self.bookings_by_category_partner:
            moment = row["month"]
            if getattr(moment, "tzinfo", None) is not None:
                moment = timezone.localtime(moment)
            empty = {"count": 0, "completed": 0, "saving": Decimal("0.00")}
            month = months.setdefault(date(moment.year, moment.month, 1), empty)
            month["count"] += row["count"]
            month["completed"] += row["count"] if row["status"] == "completed" else 0
            month["saving"] += row["saving"] or 0
        return months

    # financing
    @cached_property
    def programmes(self) -> list[dict]:
        return money.programme_rows(**self.scope.journey_kwargs())

    @cached_property
    def loans(self) -> dict:
        return money.loan_figures(**self.scope.journey_kwargs())

    @cached_property
    def paid_by_people(self) -> dict[str, dict[date, Decimal]]:
        """`share` / `repayment` → month → amount."""
        out: dict[str, dict[date, Decimal]] = {"share": {}, "repayment": {}}
        for row in money.paid_by_people_by_month(**self.scope.journey_kwargs()):
            month = date(row["month"] // 100, row["month"] % 100, 1)
            out[row["source"]][month] = out[row["source"]].get(month, 0) + row["amount"]
        return out

    def family(self, family: Family) -> FamilyReport:
        from reporting.selectors_results import _builders

        return _builders()[Family(family)](self)

    def families(self, families) -> list[FamilyReport]:
        return [self.family(f) for f in families]


def months_of(start: date, end: date) -> list[date]:
    """The first day of every month of the period."""
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months
