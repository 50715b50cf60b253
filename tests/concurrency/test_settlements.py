"""Two finance officers build drafts at the same time (on real PostgreSQL, threads with their
own connections): a booking lands in at most one non-cancelled statement.

Each worker builds a draft for the same partner over a period of its own (another start
day, so the one-statement-per-period constraint does not decide): every draft wants the same
completed bookings. The partial unique index on `SettlementLine(booking) WHERE active`
lets one draft through and answers the others 409 `already_settled`. The control drops that
index and shows the same race putting bookings on several drafts: the check-then-insert of
the service alone does not hold."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count

from accounts.enums import Role
from bookings.models import Booking
from settlements import services
from settlements.models import Settlement, SettlementLine
from tests.concurrency.helpers import fresh_user
from tests.concurrency.race import errors_other_than, race
from tests.factories import member

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKERS = 12
BOOKINGS = 30
CONTROL_TRIES = 5
INDEX = "booking_in_one_active_statement"


@pytest.fixture
def month(world):
    """Thirty bookings completed in November 2026 and two finance officers."""
    paris = ZoneInfo("Europe/Paris")
    for n in range(BOOKINGS):
        done = datetime(2026, 11, 2, 9, tzinfo=paris) + timedelta(hours=n)
        Booking.objects.create(
            platform=world.platform, beneficiary=world.beneficiary, service=world.service,
            booked_by=world.adviser, units=Decimal(1), unit_price=Decimal(35),
            market_unit_price=Decimal(65), total_price=Decimal(35), market_total=Decimal(65),
            status="completed", starts_at=done - timedelta(hours=1), ends_at=done,
            completed_at=done,
        )  # fmt: skip
    return [member(Role.FINANCE_OFFICER, world.platform).pk for _ in range(2)]


def build_race(world, officers):
    def attempt(user, worker, _round):
        return services.settlement_build(
            actor=user, platform_id=world.platform.pk, partner_id=world.service.partner_id,
            period_start=date(2026, 11, 1) + timedelta(days=worker), period_end=date(2026, 11, 30),
        ).pk  # fmt: skip

    return race(WORKERS, attempt, prepare=lambda worker: fresh_user(officers[worker % 2]))


def test_a_booking_lands_in_one_draft_when_drafts_race(world, month):
    outcomes = build_race(world, month)

    assert errors_other_than(outcomes, services.AlreadySettled, "already_settled") == []
    assert sum(o.ok for o in outcomes) == 1
    assert Settlement.objects.count() == 1
    lines = SettlementLine.objects.filter(active=True)
    assert lines.count() == BOOKINGS
    assert not lines.values("booking").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_control_without_the_index_the_same_race_settles_bookings_twice(world, month):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {INDEX}")
    try:
        for _attempt in range(CONTROL_TRIES):
            SettlementLine.objects.all().delete()
            Settlement.objects.all().delete()
            outcomes = build_race(world, month)
            if sum(o.ok for o in outcomes) > 1:
                break
        assert sum(o.ok for o in outcomes) > 1, "no double settlement: the race is too weak"
        twice = SettlementLine.objects.values("booking").annotate(n=Count("pk")).filter(n__gt=1)
        assert twice.exists()
    finally:
        SettlementLine.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE UNIQUE INDEX {INDEX} ON settlements_settlementline (booking_id) "
                "WHERE active AND booking_id IS NOT NULL"
            )
