"""Drafts built by batches (the lines computed by the database): exactly the lines and totals
of the rules written out in Python below, on a month full of edge cases, and a query count
that does not grow with the bookings."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beneficiaries.enums import Situation
from financing.models import FinancingLine, FinancingPlan
from financing.services import programme_create
from payments.enums import PaymentPurpose, PaymentStatus
from payments.models import Payment
from settlements import services
from settlements.models import Settlement, SettlementAdjustment, SettlementGrant, SettlementLine
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory
from tests.payments.conftest import pay
from tests.settlements.conftest import approve_bank, paris

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")
NOV = {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 30)}
REUNION = ZoneInfo("Indian/Reunion")


# --- The rules, written out in Python (what the statements computed before the batch path) --


def expected_line(booking) -> dict:
    """A booking's statement line: what grants, loans and the platform cover (the plan's
    lines), the person's share (the whole total without a plan), what they paid online net of
    refunds (never more than their share) and directly; owed = cover + paid online."""
    plan = list(FinancingLine.objects.filter(plan__booking=booking).order_by("pk"))
    amounts = {kind: ZERO for kind in ("grant", "loan", "platform", "beneficiary")}
    for line in plan:
        amounts[line.kind] += line.amount
    share = amounts["beneficiary"] if plan else booking.total_price
    online = sum(
        (p.amount - p.amount_refunded for p in Payment.objects.filter(
            booking=booking, purpose=PaymentPurpose.BENEFICIARY_SHARE,
            status__in=(PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED))),
        ZERO,
    )  # fmt: skip
    paid_online = min(online, share)
    no_show = booking.status == "no_show"
    done_at = booking.no_show_at if no_show else booking.completed_at
    tz = ZoneInfo(booking.service.partner.timezone)
    return {
        "kind": "no_show" if no_show else "booking", "reference": booking.reference,
        "day": done_at.astimezone(tz).date(), "service_name": booking.service.name,
        "units": booking.units, "unit": booking.service.unit,
        "solidarity_total": booking.total_price, "grant": amounts["grant"],
        "loan": amounts["loan"], "platform_share": amounts["platform"],
        "beneficiary_share": share, "paid_online": paid_online,
        "paid_directly": share - paid_online,
        "owed": amounts["grant"] + amounts["loan"] + amounts["platform"] + paid_online,
        "grants": [(g.award_id, g.programme_id, g.programme.name, g.amount) for g in plan
                   if g.kind == "grant" and g.amount > 0],
    }  # fmt: skip


def expected_adjustment(adjustment, day: date) -> dict:
    return {
        "kind": "adjustment", "reference": adjustment.booking.reference, "day": day,
        "service_name": "", "units": ZERO, "unit": "", "solidarity_total": ZERO,
        "grant": ZERO, "loan": ZERO, "platform_share": ZERO, "beneficiary_share": ZERO,
        "paid_online": ZERO, "paid_directly": ZERO, "owed": adjustment.amount, "grants": [],
    }  # fmt: skip


FIELDS = ("kind", "reference", "day", "service_name", "units", "unit", "solidarity_total",
          "grant", "loan", "platform_share", "beneficiary_share", "paid_online",
          "paid_directly", "owed")  # fmt: skip


def built_lines(settlement) -> list[dict]:
    lines = []
    for line in SettlementLine.objects.filter(settlement=settlement).order_by("pk"):
        row = {name: getattr(line, name) for name in FIELDS}
        row["grants"] = [
            (g.award_id, g.programme_id, g.programme_name, g.amount)
            for g in SettlementGrant.objects.filter(line=line).order_by("pk")
        ]
        lines.append(row)
    return lines


def expected_totals(lines: list[dict]) -> tuple:
    def total(name):
        return sum((line[name] for line in lines), ZERO)

    return (total("grant") + total("loan") + total("platform_share"), total("paid_online"),
            total("paid_directly"), total("owed"))  # fmt: skip


def key(line):
    return (line["kind"] == "adjustment", line["day"], line["reference"])


# --- A month with edge cases ------------------------------------------------------------


def plan(world, booking, *lines):
    """A plan written as it stands (also on bookings `plan_set` no longer edits)."""
    made = FinancingPlan.objects.create(booking=booking, updated_by=world.adviser)
    for kind, amount, extra in lines:
        FinancingLine.objects.create(plan=made, kind=kind, amount=D(amount), **extra)


@pytest.fixture
def month(world, other_platform):
    """Two partners (Paris, Réunion) on two platforms, bookings with every kind of plan and
    payment, cancellations with a fee paid, a straggler from October, a booking already on
    October's statement, waiting adjustments (a refund and a supplement)."""
    second = programme_create(
        actor=world.finance, platform_id=world.platform.pk,
        funder_id=OrganisationFactory(funder=True, name="CAF").pk, name="Aide CAF",
        budget=D("1000.00"), starts_on=timezone.localdate().replace(day=1, month=1),
    )  # fmt: skip
    grant = {"programme": world.programme}
    october = world.done(1, paris(2026, 10, 20, 10))
    services.settlement_issue(actor=world.finance, settlement_id=services.settlement_build(
        actor=world.finance, platform_id=world.platform.pk, partner_id=world.partner.pk,
        period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)).pk)  # fmt: skip
    october_statement = Settlement.objects.get(lines__booking=october)
    for amount, reason in (("-4.00", "Remise oubliée"), ("2.50", "Fournitures")):
        services.settlement_adjust(actor=world.finance, settlement_id=october_statement.pk,
                                   amount=D(amount), reason=reason,
                                   booking_reference=october.reference)  # fmt: skip
    straggler = world.done(2, paris(2026, 10, 31, 23, 59))  # October, never settled

    two_grants = world.done(10, paris(2026, 11, 3, 12))
    plan(world, two_grants, ("grant", "40.00", grant),
         ("grant", "30.00", {"programme": second}), ("grant", "0.00", grant),
         ("beneficiary", "30.00", {}))  # fmt: skip
    pay(two_grants, "30.00")
    pay(two_grants, "5.00", status=PaymentStatus.FAILED)  # never arrived
    loan = world.done(20, paris(2026, 11, 10, 17))
    plan(world, loan, ("loan", "150.00", {"loan": world.loan}), ("platform", "50.00", {}))
    refunded = world.done(7, paris(2026, 11, 20, 11))
    plan(world, refunded, ("platform", "20.00", {}), ("beneficiary", "50.00", {}))
    pay(refunded, "45.00", refunded="15.00")  # partial refund: 30.00 net
    pay(refunded, "20.00", refunded="20.00", status=PaymentStatus.REFUNDED)  # all given back
    overpaid = world.done(3, paris(2026, 11, 21, 11))
    plan(world, overpaid, ("platform", "25.00", {}), ("beneficiary", "5.00", {}))
    pay(overpaid, "4.00")
    pay(overpaid, "6.00")  # 10 paid online for a 5 share: 5 passed on
    pay(overpaid, "9.00", status=PaymentStatus.PENDING)  # not arrived yet
    pay(overpaid, "7.00", purpose=PaymentPurpose.INSTALLMENT)  # a loan's, not the share
    no_plan = world.done(3, paris(2026, 11, 30, 23, 30))  # the person's alone, last minute
    owed_no_show_service = ServiceFactory(partner=world.partner, name="Contrôle technique",
                                          unit="session", solidarity_price=D("10.00"),
                                          market_price=D("30.00"), no_show_owed=True)  # fmt: skip
    no_show = world.done(1, paris(2026, 11, 15, 9), status="no_show",
                         service=owed_no_show_service)  # fmt: skip
    plan(world, no_show, ("grant", "6.00", grant), ("beneficiary", "4.00", {}))
    pay(no_show, "4.00")
    world.done(2, paris(2026, 11, 16, 9), status="no_show")  # this service owes no no-show
    for day in (4, 5):  # cancelled with a fee paid online: never on a statement
        cancelled = world.done(2, paris(2026, 11, day, 9), status="cancelled")
        pay(cancelled, "5.00")
    world.done(2, paris(2026, 12, 1, 0, 30))  # December in Paris

    # The same partner on another platform: its bookings there are that platform's.
    AgreementFactory(partner=world.partner, platform=other_platform)
    elsewhere = BeneficiaryFactory(platform=other_platform, situation=Situation.RSA)
    other_booking = world.done(4, paris(2026, 11, 12, 10))
    type(other_booking).objects.filter(pk=other_booking.pk).update(
        platform=other_platform, beneficiary=elsewhere
    )
    # A partner in Réunion (UTC+4): 30 Nov 19:00 UTC is still November there, 20:30 is not.
    island = approve_bank(PartnerFactory(timezone="Indian/Reunion"))
    AgreementFactory(partner=island, platform=world.platform)
    island_service = ServiceFactory(partner=island, solidarity_price=D("12.50"),
                                    market_price=D("40.00"))  # fmt: skip
    last_evening = world.done(2, datetime(2026, 11, 30, 19, tzinfo=UTC), service=island_service)
    plan(world, last_evening, ("grant", "20.00", grant), ("beneficiary", "5.00", {}))
    pay(last_evening, "5.00")
    world.done(2, datetime(2026, 11, 30, 20, 30, tzinfo=UTC), service=island_service)
    return {
        "paris": [straggler, two_grants, loan, refunded, overpaid, no_plan, no_show],
        "island": [last_evening],
        "island_partner": island,
        "elsewhere": [other_booking],
        "adjustments": list(SettlementAdjustment.objects.order_by("pk")),
        "other_finance": member("finance_officer", other_platform),
    }


def test_the_batch_lines_are_the_rules_lines_to_the_cent(world, month, other_platform):
    report = services.settlement_build_all(actor=world.finance, platform_id=world.platform.pk,
                                           year=2026, month=11)  # fmt: skip
    by_partner = {s.partner_id: s for s in report.built}
    assert set(by_partner) == {world.partner.pk, month["island_partner"].pk}

    paris_lines = [expected_line(b) for b in month["paris"]] + [
        expected_adjustment(a, date(2026, 11, 30)) for a in month["adjustments"]
    ]
    got = built_lines(by_partner[world.partner.pk])
    assert sorted(got, key=key) == sorted(paris_lines, key=key)
    statement = Settlement.objects.get(pk=by_partner[world.partner.pk].pk)
    totals = (statement.total_funding, statement.total_online, statement.total_direct,
              statement.total)  # fmt: skip
    assert totals == expected_totals(paris_lines)
    assert totals == (D("321.00"), D("69.00"), D("70.00"), D("388.50"))  # by hand, once

    island_lines = [expected_line(b) for b in month["island"]]
    assert built_lines(by_partner[month["island_partner"].pk]) == island_lines
    assert island_lines[0]["day"] == date(2026, 11, 30)

    elsewhere = services.settlement_build_all(
        actor=month["other_finance"], platform_id=other_platform.pk, year=2026, month=11
    )
    assert [s.partner_id for s in elsewhere.built] == [world.partner.pk]
    assert built_lines(elsewhere.built[0]) == [expected_line(b) for b in month["elsewhere"]]


def test_one_draft_and_the_batch_give_the_same_lines(world, month):
    one = services.settlement_build(actor=world.finance, platform_id=world.platform.pk,
                                    partner_id=world.partner.pk, **NOV)  # fmt: skip
    first = built_lines(one)
    services.settlement_cancel(actor=world.finance, settlement_id=one.pk)
    again = services.settlement_build_all(actor=world.finance, platform_id=world.platform.pk,
                                          year=2026, month=11)  # fmt: skip
    mine = next(s for s in again.built if s.partner_id == world.partner.pk)
    assert built_lines(mine) == first


def queries_of_drafts(world, bookings: int, partners: int) -> tuple[int, int]:
    """Queries of one partner's draft with `bookings` bookings, then of every draft of the
    month with `partners` more partners; the statements are removed afterwards."""
    grant = {"programme": world.programme}
    for n in range(bookings):
        booking = world.done(1 + n % 3, paris(2026, 11, 1 + n % 28, 10))
        if n % 3 == 0:
            plan(world, booking, ("grant", str(5 * (1 + n % 3)), grant),
                 ("beneficiary", str(5 * (1 + n % 3)), {}))  # fmt: skip
            pay(booking, "2.00")
    for n in range(partners):
        other = approve_bank(PartnerFactory(timezone="Indian/Reunion" if n % 2 else "Europe/Paris"))
        AgreementFactory(partner=other, platform=world.platform)
        service = ServiceFactory(partner=other)
        for day in range(1, 1 + bookings // 5):
            world.done(2, paris(2026, 11, day, 10), service=service)
    with CaptureQueriesContext(connection) as one:
        made = services.settlement_build(actor=world.finance, platform_id=world.platform.pk,
                                         partner_id=world.partner.pk, **NOV)  # fmt: skip
    services.settlement_cancel(actor=world.finance, settlement_id=made.pk)
    with CaptureQueriesContext(connection) as every:
        report = services.settlement_build_all(
            actor=world.finance, platform_id=world.platform.pk, year=2026, month=11
        )
    assert len(report.built) > partners
    SettlementGrant.objects.all().delete()
    SettlementLine.objects.all().delete()
    Settlement.objects.all().delete()
    return len(one), len(every)


def test_the_queries_do_not_grow_with_the_bookings(world):
    few = queries_of_drafts(world, bookings=5, partners=3)
    many = queries_of_drafts(world, bookings=60, partners=3)
    assert many == few
