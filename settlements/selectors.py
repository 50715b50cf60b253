"""Reads of statements, scoped to who may see them: the finance team of the platform sees
its statements; a partner's manager sees its partner's issued and paid ones. Anything else
is not found (404)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.need_to_know import DataKind, Mode, organisations_where, platforms_where
from bookings.models import Booking
from core.errors import get_or_not_found
from financing.enums import LineKind as PlanLineKind
from financing.models import FinancingLine
from partners.models import Partner
from settlements import building
from settlements.enums import PARTNER_VISIBLE, SettlementStatus
from settlements.models import Settlement, SettlementLine

ZERO = Decimal("0.00")


def settlement_list_for(*, user) -> QuerySet[Settlement]:
    running = platforms_where(user, DataKind.SETTLEMENTS, Mode.WRITE)
    partner_orgs = organisations_where(user, DataKind.SETTLEMENTS, org_kind="partner")
    return Settlement.objects.filter(
        Q(platform_id__in=running)
        | Q(partner__organisation_id__in=partner_orgs, status__in=PARTNER_VISIBLE)
    ).select_related("partner__organisation", "platform")


def settlement_list_filtered(*, user, status: str = "", partner_id: int | None = None,
                             period: date | None = None) -> QuerySet[Settlement]:  # fmt: skip
    settlements = settlement_list_for(user=user)
    if status:
        settlements = settlements.filter(status=status)
    if partner_id:
        settlements = settlements.filter(partner_id=partner_id)
    if period:
        settlements = settlements.filter(period_start__lte=period, period_end__gte=period)
    return settlements.order_by("-period_start", "partner__organisation__name", "pk")


def settlement_get_for(*, user, settlement_id: int) -> Settlement:
    return get_or_not_found(settlement_list_for(user=user), settlement_id, _("Relevé introuvable."))


def lines_of(settlement) -> QuerySet[SettlementLine]:
    return settlement.lines.prefetch_related("grants").order_by("day", "pk")


def events_of(settlement):
    return settlement.events.select_related("actor").order_by("at", "pk")


@dataclass
class ToClose:
    partner: Partner
    bookings: int
    solidarity_total: Decimal
    funding: Decimal
    settlement: Settlement | None  # this month's statement, when there is one


def month_to_close(*, platform_id: int, year: int, month: int) -> list[ToClose]:
    """Partners with bookings done by the end of the month (in their time zone) that no
    statement holds yet: how many, their solidarity total, what grants, loans and the
    platform cover. Two queries per time zone in use, one for the partners, one for this
    month's statements — whatever the number of bookings."""
    period_start, period_end = building.month_period(year, month)
    candidates = building.partners_to_settle(platform_id=platform_id, period_end=period_end)
    partners = {
        p.pk: p for p in Partner.objects.filter(pk__in=candidates).select_related("organisation")
    }
    zones = defaultdict(list)
    for partner in partners.values():
        zones[partner.timezone].append(partner.pk)
    counts, funding = {}, defaultdict(lambda: ZERO)
    for zone, ids in zones.items():
        before = building.local_end(period_end, ZoneInfo(zone))
        open_bookings = (
            Booking.objects.filter(platform_id=platform_id, service__partner_id__in=ids)
            .filter(building.owed_q(before))
            .exclude(building.settled_elsewhere())
        )
        for row in open_bookings.values("service__partner_id").annotate(
            n=Count("pk"), total=Sum("total_price")
        ):
            counts[row["service__partner_id"]] = (row["n"], row["total"] or ZERO)
        for row in (
            FinancingLine.objects.filter(plan__booking__in=open_bookings.values("pk"))
            .exclude(kind=PlanLineKind.BENEFICIARY)
            .values("plan__booking__service__partner_id")
            .annotate(total=Sum("amount"))
        ):
            funding[row["plan__booking__service__partner_id"]] = row["total"] or ZERO
    statements = {
        s.partner_id: s
        for s in Settlement.objects.filter(
            platform_id=platform_id, period_start=period_start
        ).exclude(status=SettlementStatus.CANCELLED)
    }
    rows = [
        ToClose(partners[pk], n, total, funding[pk], statements.get(pk))
        for pk, (n, total) in counts.items()
    ]
    return sorted(rows, key=lambda row: row.partner.organisation.name)


def bank_details_to_approve(*, user) -> QuerySet[Partner]:
    """Partners of the user's platforms whose new IBAN waits for approval."""
    platforms = platforms_where(user, DataKind.BANK_DETAILS, Mode.WRITE)
    return (
        Partner.objects.filter(
            Q(agreements__platform_id__in=platforms) | Q(organisation__platform_id__in=platforms)
        )
        .exclude(iban="")
        .filter(bank_details_approved_at__isnull=True)
        .select_related("organisation", "bank_details_changed_by")
        .distinct()
        .order_by("organisation__name")
    )
