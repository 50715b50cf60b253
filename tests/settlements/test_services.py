"""Statements: the golden month, the time-zone boundary, transitions, grants paid once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import AuditLog
from core.errors import ConflictError, InvalidTransition, NotFoundError
from core.models import Notification
from financing.enums import AwardStatus
from financing.models import FundingProgramme, GrantAward
from partners.models import Partner
from settlements import services
from settlements.enums import SettlementStatus
from settlements.models import SettlementEvent, SettlementLine
from tests.factories import member
from tests.settlements.conftest import approve_bank, paris

pytestmark = pytest.mark.django_db
D = Decimal
NOV = {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 30)}


def build(world, **period):
    return services.settlement_build(actor=world.finance, platform_id=world.platform.pk,
                                     partner_id=world.partner.pk, **(period or NOV))  # fmt: skip


def golden_month(world):
    """Four bookings covered by a grant, a loan, the platform and the person; the last one
    completed on 30 November at 23:30 in Paris."""
    grant = world.done(10, paris(2026, 11, 3, 12), lines=[
        {"kind": "grant", "programme": world.programme.pk, "amount": "60.00"},
        {"kind": "beneficiary", "amount": "40.00"}])  # fmt: skip
    world.pay_online(grant, "40.00")
    loan = world.done(20, paris(2026, 11, 10, 17), lines=[
        {"kind": "loan", "loan": world.loan.pk, "amount": "150.00"},
        {"kind": "platform", "amount": "50.00"}])  # fmt: skip
    mixed = world.done(
        7,
        paris(2026, 11, 20, 11),
        lines=[{"kind": "platform", "amount": "20.00"}, {"kind": "beneficiary", "amount": "50.00"}],
    )
    world.pay_online(mixed, "45.00", refunded="15.00")  # 30.00 net
    late = world.done(3, paris(2026, 11, 30, 23, 30))  # no plan: the person's alone
    return grant, loan, mixed, late


def test_golden_statement(world):
    grant, loan, mixed, late = golden_month(world)
    world.done(2, paris(2026, 12, 1, 0, 30))  # December in Paris (still 30 Nov in UTC)
    world.done(2, paris(2026, 11, 15, 9), status="no_show")  # the service owes no no-show
    world.done(2, paris(2026, 11, 16, 9), status="cancelled")

    settlement = build(world)

    rows = [
        (line.reference, line.day, line.solidarity_total, line.grant, line.loan,
         line.platform_share, line.beneficiary_share, line.paid_online, line.paid_directly,
         line.owed)
        for line in settlement.lines.order_by("day")
    ]  # fmt: skip
    assert rows == [
        (grant.reference, date(2026, 11, 3), D("100"), D("60"), 0, 0, D("40"), D("40"), 0,
         D("100")),
        (loan.reference, date(2026, 11, 10), D("200"), 0, D("150"), D("50"), 0, 0, 0, D("200")),
        (mixed.reference, date(2026, 11, 20), D("70"), 0, 0, D("20"), D("50"), D("30"),
         D("20"), D("50")),
        (late.reference, date(2026, 11, 30), D("30"), 0, 0, 0, D("30"), 0, D("30"), 0),
    ]  # fmt: skip
    assert settlement.status == SettlementStatus.DRAFT
    assert (settlement.total_funding, settlement.total_online) == (D("280.00"), D("70.00"))
    assert (settlement.total_direct, settlement.total) == (D("50.00"), D("350.00"))
    assert [g.amount for g in settlement.lines.get(booking=grant).grants.all()] == [D("60.00")]
    assert SettlementEvent.objects.get(settlement=settlement).to_status == "draft"


def test_an_owed_no_show_is_settled_and_december_waits(world):
    world.service.no_show_owed = True
    world.service.save()
    no_show = world.done(2, paris(2026, 11, 15, 9), status="no_show")
    december = world.done(2, paris(2026, 12, 1, 0, 30))
    settlement = build(world)
    assert list(settlement.lines.values_list("booking", "kind")) == [(no_show.pk, "no_show")]
    later = build(world, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31))
    assert list(later.lines.values_list("booking", flat=True)) == [december.pk]


def test_a_booking_is_in_one_statement_until_its_draft_is_cancelled(world):
    booking = world.done(2, paris(2026, 11, 5, 10))
    first = build(world)
    with pytest.raises(ConflictError) as refused:
        build(world, period_start=date(2026, 11, 1), period_end=date(2026, 12, 31))
    assert refused.value.code == "already_settled"
    services.settlement_cancel(actor=world.finance, settlement_id=first.pk)
    assert not SettlementLine.objects.filter(settlement=first, active=True).exists()
    again = build(world)
    assert list(again.lines.values_list("booking", flat=True)) == [booking.pk]


def test_the_database_refuses_a_second_active_line_for_a_booking(world):
    from django.db import IntegrityError, transaction

    booking = world.done(2, paris(2026, 11, 5, 10))
    first = build(world)
    line = first.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementLine.objects.create(settlement=first, kind="booking", booking=booking,
                                      reference="X", day=line.day)  # fmt: skip


def test_issue_needs_approved_bank_details_then_snapshots_them(world):
    world.done(2, paris(2026, 11, 5, 10))
    settlement = build(world)
    Partner.objects.filter(pk=world.partner.pk).update(iban="", bic="")
    with pytest.raises(ConflictError) as missing:
        services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    assert missing.value.code == "bank_details_missing"
    Partner.objects.filter(pk=world.partner.pk).update(
        iban="FR1420041010050500013M02606", bic="PSSTFRPP", bank_details_approved_at=None
    )
    with pytest.raises(ConflictError) as unapproved:
        services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    assert unapproved.value.code == "bank_details_unapproved"
    approve_bank(world.partner)
    manager = member("partner_manager", world.partner.organisation)
    issued = services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    assert issued.status == SettlementStatus.ISSUED
    assert issued.reference == f"REL-202611-{settlement.pk:06d}"
    assert (issued.iban, issued.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    assert Notification.objects.filter(
        recipient=manager.email, template="settlements/statement_issued"
    ).exists()
    with pytest.raises(InvalidTransition):
        services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    with pytest.raises(InvalidTransition):
        services.settlement_cancel(actor=world.finance, settlement_id=settlement.pk)


def test_marking_paid_pays_the_grants_exactly_once(world):
    grant, *_rest = golden_month(world)
    settlement = build(world)
    services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    award = GrantAward.objects.get(booking=grant)
    assert award.status == AwardStatus.REQUESTED
    today = timezone.localdate()

    paid = services.settlement_mark_paid(actor=world.finance, settlement_id=settlement.pk,
                                         paid_on=today)  # fmt: skip

    assert (paid.status, paid.paid_on) == (SettlementStatus.PAID, today)
    award.refresh_from_db()
    assert award.status == AwardStatus.PAID
    programme = FundingProgramme.objects.get(pk=world.programme.pk)
    assert (programme.committed, programme.paid) == (D("60.00"), D("60.00"))
    assert AuditLog.objects.filter(action="award.paid").count() == 1
    with pytest.raises(ConflictError) as twice:
        services.settlement_mark_paid(actor=world.finance, settlement_id=settlement.pk,
                                      paid_on=today)  # fmt: skip
    assert twice.value.code == "already_settled"
    assert FundingProgramme.objects.get(pk=world.programme.pk).paid == D("60.00")


def test_paid_never_goes_above_committed(world):
    """Envelope counters out of step with the awards: paying would pass `committed`; the
    whole marking is refused and nothing moves."""
    golden_month(world)
    settlement = build(world)
    services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    FundingProgramme.objects.filter(pk=world.programme.pk).update(paid=D("10.00"))
    with pytest.raises(ConflictError) as refused:
        services.settlement_mark_paid(actor=world.finance, settlement_id=settlement.pk,
                                      paid_on=timezone.localdate())  # fmt: skip
    assert refused.value.code == "paid_exceeds_committed"
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.ISSUED
    assert GrantAward.objects.get(programme=world.programme).status == AwardStatus.REQUESTED
    assert FundingProgramme.objects.get(pk=world.programme.pk).paid == D("10.00")


def test_a_payment_date_in_the_future_is_refused(world):
    world.done(2, paris(2026, 11, 5, 10))
    settlement = build(world)
    services.settlement_issue(actor=world.finance, settlement_id=settlement.pk)
    with pytest.raises(ValidationError):
        services.settlement_mark_paid(
            actor=world.finance,
            settlement_id=settlement.pk,
            paid_on=timezone.localdate() + timedelta(days=2),
        )


def test_a_correction_is_a_line_of_the_next_statement(world):
    booking = world.done(2, paris(2026, 11, 5, 10))
    november = build(world)
    services.settlement_issue(actor=world.finance, settlement_id=november.pk)
    adjustment = services.settlement_adjust(
        actor=world.finance, settlement_id=november.pk, amount=D("-5.00"),
        reason="Remise oubliée", booking_reference=booking.reference,
    )  # fmt: skip
    november.refresh_from_db()
    assert november.total == D("0.00") and november.lines.count() == 1  # never edited
    world.done(3, paris(2026, 12, 2, 10))
    december = build(world, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31))
    adjusting = december.lines.get(kind="adjustment")
    assert (adjusting.adjustment_id, adjusting.owed, adjusting.reference) == (
        adjustment.pk,
        D("-5.00"),
        booking.reference,
    )
    assert december.total == D("-5.00")  # the new booking: 30 € paid directly, nothing owed


def test_build_all_makes_one_draft_per_partner_and_says_why_others_wait(world, partner_org):
    from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

    other = PartnerFactory()
    AgreementFactory(partner=other, platform=world.platform)
    world.done(2, paris(2026, 11, 5, 10))
    world.done(2, paris(2026, 11, 6, 10), service=ServiceFactory(partner=other))
    report = services.settlement_build_all(actor=world.finance, platform_id=world.platform.pk,
                                           year=2026, month=11)  # fmt: skip
    assert sorted(s.partner_id for s in report.built) == sorted([world.partner.pk, other.pk])
    again = services.settlement_build_all(actor=world.finance, platform_id=world.platform.pk,
                                          year=2026, month=11)  # fmt: skip
    assert again.built == [] and again.skipped == []


def test_only_the_platform_finance_team_builds(world, adviser, other_platform):
    world.done(2, paris(2026, 11, 5, 10))
    for actor in (adviser, member("finance_officer", other_platform)):
        with pytest.raises(NotFoundError):
            services.settlement_build(actor=actor, platform_id=world.platform.pk,
                                      partner_id=world.partner.pk, **NOV)  # fmt: skip


def test_the_documents_show_lines_and_totals_and_never_the_person(world, settings):
    from io import BytesIO

    from openpyxl import load_workbook

    from settlements.documents import statement_pdf, statement_xlsx
    from settlements.selectors import lines_of
    from tests.bookings.test_documents import pdf_text

    settings.SETTLEMENT_DEBTOR_NAME = "Plateforme Mobilité Allier"
    grant, loan, mixed, late = golden_month(world)
    settlement = services.settlement_issue(actor=world.finance,
                                           settlement_id=build(world).pk)  # fmt: skip
    lines = list(lines_of(settlement))
    text = pdf_text(statement_pdf(settlement, lines))
    for expected in (
        settlement.reference,
        world.partner.name,
        "1 novembre 2026",
        "30 novembre 2026",
        grant.reference,
        late.reference,
        "350,00",
        "Plateforme Mobilité Allier",
    ):
        assert expected in text, expected
    assert world.person.last_name not in text and world.person.first_name not in text
    sheet = load_workbook(BytesIO(statement_xlsx(settlement, lines))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Aide à la réparation 60.00"] == [r[8] for r in rows if r[1] == grant.reference]
    assert any(r[:2] == ["Total dû", 350] for r in rows)
    assert world.person.last_name not in str(rows)
