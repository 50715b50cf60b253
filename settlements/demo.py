"""Demo statements: last month's completed bookings at the garage and the driving school, on
one paid statement (the garage: its grant is paid) and one issued statement (the school).
Both partners gave bank details, which the finance officer approved. Idempotent."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from bookings import capacity
from bookings.enums import ActorRole, BookingStatus
from bookings.models import Booking, BookingEvent, BookingSlot
from financing.enums import LineKind
from financing.models import FundingProgramme
from financing.plans import plan_set
from partners.models import Service, Slot
from partners.services_bank import partner_bank_details_approve, partner_bank_details_set
from settlements import building, services
from settlements.enums import SettlementStatus
from settlements.models import Settlement

D = Decimal
REPAIR = "Département — aide à la réparation (RSA)"
# partner key → (manager, IBAN, BIC)
BANK = {
    "garage": ("garage@demo.test", "FR7630006000011234567890189", "AGRIFRPP"),
    "school": ("school@demo.test", "FR1420041010050500013M02606", "PSSTFRPP"),
}
# (person index, partner key, service, day of last month, hours, plan: [(kind, share)])
DONE = [
    (17, "garage", "Main-d'œuvre mécanique", 6, 3, [(LineKind.GRANT, "0.80"),
                                                   (LineKind.BENEFICIARY, "0.20")]),
    (14, "garage", "Main-d'œuvre mécanique", 18, 2, [(LineKind.PLATFORM, "0.50"),
                                                    (LineKind.BENEFICIARY, "0.50")]),
    (5, "school", "Leçon de conduite", 9, 2, [(LineKind.PLATFORM, "0.75"),
                                             (LineKind.BENEFICIARY, "0.25")]),
    (13, "school", "Leçon de conduite", 23, 1, [(LineKind.PLATFORM, "1.00")]),
]  # fmt: skip


def _completed(ctx, person, service, day, hours: int) -> Booking:
    tz = ZoneInfo(service.partner.timezone)
    starts = datetime.combine(day, time(9), tzinfo=tz)
    existing = Booking.objects.filter(beneficiary=person, service=service, starts_at=starts).first()
    if existing is not None:
        return existing
    slot, _ = Slot.objects.get_or_create(
        service=service, starts_at=starts,
        defaults={"ends_at": starts + timedelta(hours=hours), "capacity": 1},
    )  # fmt: skip
    capacity.reserve({slot.pk: 1}, service_id=service.pk)
    units = D(hours)
    booking = Booking.objects.create(
        platform=ctx.platform, beneficiary=person, service=service,
        booked_by=ctx.users["adviser@demo.test"], units=units,
        unit_price=service.solidarity_price, market_unit_price=service.market_price,
        total_price=service.solidarity_price * units, market_total=service.market_price * units,
        status=BookingStatus.COMPLETED, starts_at=starts, ends_at=starts + timedelta(hours=hours),
        confirmed_at=starts - timedelta(days=3), completed_at=starts + timedelta(hours=hours),
    )  # fmt: skip
    BookingSlot.objects.create(booking=booking, slot=slot, quantity=1, beneficiary=person)
    told = timezone.now()
    for before, after in (("", BookingStatus.REQUESTED),
                          (BookingStatus.REQUESTED, BookingStatus.CONFIRMED),
                          (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)):  # fmt: skip
        BookingEvent.objects.create(
            booking=booking,
            actor_role=ActorRole.PARTNER,
            from_status=before,
            to_status=after,
            notified_at=told,
        )
    return booking


def _plan(ctx, booking, shares) -> None:
    if hasattr(booking, "financing_plan"):
        return
    repair = FundingProgramme.objects.get(platform=ctx.platform, name=REPAIR)
    lines, left = [], booking.total_price
    for kind, share in shares:
        amount = left if kind == LineKind.BENEFICIARY else (booking.total_price * D(share))
        amount = amount.quantize(D("0.01"))
        left -= amount
        line = {"kind": kind, "amount": str(amount)}
        if kind == LineKind.GRANT:
            line["programme"] = repair.pk
        lines.append(line)
    plan_set(actor=ctx.users["adviser@demo.test"], booking_id=booking.pk, lines=lines)


def seed_settlements(ctx, people, partners) -> None:
    finance = ctx.users["finance@demo.test"]
    for key, (manager, iban, bic) in BANK.items():
        partner = partners[key]
        partner.refresh_from_db()
        if not partner.iban:
            partner_bank_details_set(actor=ctx.users[manager], partner_id=partner.pk, iban=iban,
                                     bic=bic)  # fmt: skip
            partner_bank_details_approve(actor=finance, partner_id=partner.pk)
    year, month = building.previous_month(timezone.localdate())
    start, end = building.month_period(year, month)
    for index, key, name, day, hours, shares in DONE:
        service = Service.objects.get(partner=partners[key], name=name)
        booking = _completed(ctx, people[index], service, start.replace(day=day), hours)
        _plan(ctx, booking, shares)
    for key in ("garage", "school"):
        settlement = (
            Settlement.objects.filter(
                platform=ctx.platform, partner=partners[key], period_start=start
            )  # fmt: skip
            .exclude(status=SettlementStatus.CANCELLED)
            .first()
        )
        if settlement is None:
            settlement = services.settlement_build(
                actor=finance, platform_id=ctx.platform.pk, partner_id=partners[key].pk,
                period_start=start, period_end=end,
            )  # fmt: skip
        if settlement.status == SettlementStatus.DRAFT:
            settlement = services.settlement_issue(actor=finance, settlement_id=settlement.pk)
        if key == "garage" and settlement.status == SettlementStatus.ISSUED:
            services.settlement_mark_paid(actor=finance, settlement_id=settlement.pk,
                                          paid_on=timezone.localdate())  # fmt: skip
