"""Statements, from draft to paid (DESIGN §4 style: one service per transition; each locks
the statement, checks `SETTLEMENT_TRANSITIONS`, writes a `SettlementEvent` and the audit
row; notifications go to the outbox in the same transaction).

Building a draft inserts its lines in one savepoint: when another draft took one of its
bookings first (two finance officers at once), the partial unique constraint refuses it and
the answer is 409 `already_settled`. Marking paid pays the grant awards the statement covers
(`financing.services.awards_pay`: envelope `paid` under its conditional guard) in the same
transaction, exactly once.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Membership
from core.audit import audit_log, audit_log_many
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError
from core.formatting import euros
from core.inserts import insert_from
from core.notifications import notify
from core.transitions import ensure_transition, record_transition
from financing.services import awards_pay
from partners.models import Partner
from partners.services_bank import masked_iban, partner_platform_ids
from settlements import building
from settlements.enums import SETTLEMENT_TRANSITIONS, SettlementStatus
from settlements.models import (
    Settlement,
    SettlementAdjustment,
    SettlementEvent,
    SettlementGrant,
    SettlementLine,
)
from settlements.permissions import can_run_settlements

SUBJECT = _("le relevé")


class AlreadySettled(ConflictError):
    default_code = ErrorCode.ALREADY_SETTLED


def ensure_may_run(actor, platform_id: int) -> None:
    if not can_run_settlements(actor, platform_id):
        raise NotFoundError(_("Plateforme introuvable."))


def partner_of_platform(platform_id: int, partner_id: int) -> Partner:
    partner = (
        Partner.objects.select_related("organisation")
        .prefetch_related("agreements")
        .filter(pk=partner_id)
        .first()
    )
    if partner is None or platform_id not in partner_platform_ids(partner):
        raise NotFoundError(_("Partenaire introuvable."))
    return partner


def ensure_bank_details(partner: Partner) -> None:
    if not partner.iban:
        raise ConflictError(
            _("%(name)s n'a pas encore donné ses coordonnées bancaires.") % {"name": partner.name},
            code=ErrorCode.BANK_DETAILS_MISSING,
        )
    if not partner.bank_details_approved:
        raise ConflictError(
            _("Le nouveau compte de %(name)s (%(iban)s) attend la validation d'un membre de "
              "l'équipe financement.") % {"name": partner.name, "iban": masked_iban(partner.iban)},
            code=ErrorCode.BANK_DETAILS_UNAPPROVED,
        )  # fmt: skip


def _event(settlement, *, actor, from_status: str, to: str, note: str = "") -> None:
    SettlementEvent.objects.create(
        settlement=settlement, actor=actor, from_status=from_status, to_status=to, note=note
    )
    record_transition(
        settlement, actor=actor, name="settlement", from_status=from_status, to=to,
        data={"total": str(settlement.total)},
    )  # fmt: skip


def _tell_partner(settlement, template: str) -> None:
    managers = Membership.objects.filter(
        organisation_id=settlement.partner.organisation_id, role=Role.PARTNER_MANAGER, active=True
    ).select_related("user")
    for membership in managers.order_by("user_id"):
        notify(
            template=template,
            context={
                "partner_name": settlement.partner.name,
                "reference": settlement.reference,
                "period_start": settlement.period_start.strftime("%d/%m/%Y"),
                "period_end": settlement.period_end.strftime("%d/%m/%Y"),
                "total": euros(settlement.total),
                "paid_on": settlement.paid_on.strftime("%d/%m/%Y") if settlement.paid_on else "",
            },
            user=membership.user,
            channel="email",
        )


# --- Drafts ---------------------------------------------------------------------------------


def nothing_to_settle(partner, period_end: date) -> str:
    return _(
        "Rien à régler à %(name)s jusqu'au %(end)s : aucune réservation réalisée hors relevé."
    ) % {"name": partner.name, "end": period_end.strftime("%d/%m/%Y")}


def _insert_many(actor, platform_id, partners, period_start, period_end):
    """Drafts for a batch of partners, in one savepoint, with a fixed number of statements
    whatever the numbers of partners and bookings: the statements, then their lines computed
    and written by the database (`building.booking_lines`, one INSERT … SELECT), the
    adjustments' lines, the grants the lines cover (one INSERT … SELECT), the totals (sums
    of the lines). Returns (built, skipped); raises AlreadySettled when another draft took
    one of the bookings first (the constraints)."""
    bookings = building.open_bookings(platform_id=platform_id, partners=partners,
                                      period_end=period_end)  # fmt: skip
    with_bookings = set(
        bookings.values_list("service__partner_id", flat=True).order_by().distinct()
    )
    partner_ids = [p.pk for p in partners]
    adjustments = list(
        building.waiting_adjustments(platform_id=platform_id, partner_ids=partner_ids)
    )
    adjusted = {a.partner_id for a in adjustments}
    built, skipped = [], []
    for partner in partners:
        if partner.pk in with_bookings or partner.pk in adjusted:
            built.append(Settlement(platform_id=platform_id, partner=partner,
                                    period_start=period_start, period_end=period_end,
                                    created_by=actor))  # fmt: skip
        else:
            skipped.append((partner, nothing_to_settle(partner, period_end)))
    if not built:
        return [], skipped
    try:
        with transaction.atomic():
            Settlement.objects.bulk_create(built, batch_size=2000)
            statement_of = {s.partner_id: s.pk for s in built}
            zones: dict[str, list[int]] = {}
            for settlement in built:
                zones.setdefault(settlement.partner.timezone, []).append(settlement.partner_id)
            if with_bookings:
                lines = building.booking_lines(bookings, zones=zones, statement_of=statement_of)
                insert_from(SettlementLine, lines, building.LINE_VALUES)
            if adjustments:
                lines = [building.adjustment_line(a, period_end) for a in adjustments]
                for line, adjustment in zip(lines, adjustments, strict=True):
                    line.settlement_id = statement_of[adjustment.partner_id]
                SettlementLine.objects.bulk_create(lines, batch_size=2000)
            ids = list(statement_of.values())
            insert_from(SettlementGrant, building.line_grants(ids), building.GRANT_VALUES)
            Settlement.objects.filter(pk__in=ids).update(**building.totals_from_lines())
            built = list(
                Settlement.objects.filter(pk__in=ids)
                .select_related("partner__organisation")
                .annotate(lines_count=Count("lines"))
                .order_by("partner_id")
            )
            # Bookings another draft took between the reads and the insert: nothing left.
            empty = [s for s in built if not s.lines_count]
            if empty:
                Settlement.objects.filter(pk__in=[s.pk for s in empty]).delete()
                skipped += [(s.partner, nothing_to_settle(s.partner, period_end)) for s in empty]
                built = [s for s in built if s.lines_count]
    except IntegrityError:
        raise AlreadySettled(
            _("Une autre personne vient de préparer un relevé pour ces réservations : "
              "rechargez la page.")
        ) from None  # fmt: skip
    SettlementEvent.objects.bulk_create(
        [SettlementEvent(settlement=s, actor=actor, to_status=SettlementStatus.DRAFT,
                         note=_("%(count)s lignes") % {"count": s.lines_count})
         for s in built], batch_size=2000,
    )  # fmt: skip
    audit_log_many(
        actor=actor, action=f"settlement.{SettlementStatus.DRAFT}", targets=built,
        data_of=lambda s: {"from": "", "total": str(s.total)},
    )  # fmt: skip
    return built, skipped


def _insert(actor, platform_id, partner, period_start, period_end) -> Settlement:
    built, skipped = _insert_many(actor, platform_id, [partner], period_start, period_end)
    if skipped:
        raise AlreadySettled(skipped[0][1])
    return built[0]


@transaction.atomic
def settlement_build(
    *, actor, platform_id: int, partner_id: int, period_start: date, period_end: date
) -> Settlement:
    """A draft statement of the partner for the period: every booking it is owed for up to
    the period's end, not yet on a statement, and the adjustments waiting for it."""
    ensure_may_run(actor, platform_id)
    if period_end < period_start:
        raise ValidationError({"period_end": _("La fin de la période suit son début.")})
    partner = partner_of_platform(platform_id, partner_id)
    return _insert(actor, platform_id, partner, period_start, period_end)


@dataclass
class BuildReport:
    built: list[Settlement] = field(default_factory=list)
    skipped: list[tuple[Partner, str]] = field(default_factory=list)


def settlement_build_all(*, actor, platform_id: int, year: int, month: int,
                         chunk: int = 100) -> BuildReport:  # fmt: skip
    """Every partner's draft for a calendar month, by batches of `chunk` partners, each
    batch in its own transaction (a fixed number of statements per batch). When another
    draft took some bookings meanwhile, that batch is done again partner by partner, so that
    one refused draft does not hold back the others."""
    ensure_may_run(actor, platform_id)
    period_start, period_end = building.month_period(year, month)
    candidates = building.partners_to_settle(platform_id=platform_id, period_end=period_end)
    report = BuildReport()
    for first in range(0, len(candidates), chunk):
        partners = list(
            Partner.objects.filter(pk__in=candidates[first : first + chunk])
            .select_related("organisation")
            .order_by("pk")
        )
        try:
            with transaction.atomic():
                built, skipped = _insert_many(actor, platform_id, partners, period_start,
                                              period_end)  # fmt: skip
        except AlreadySettled:
            built, skipped = [], []
            for partner in partners:
                try:
                    with transaction.atomic():
                        built.append(_insert(actor, platform_id, partner, period_start,
                                             period_end))  # fmt: skip
                except ApplicationError as error:
                    skipped.append((partner, error.message))
        report.built += built
        # Partners with nothing in their own month (read in their time zone) are not news.
        report.skipped += [
            (p, why) for p, why in skipped if why != nothing_to_settle(p, period_end)
        ]
    return report


# --- Transitions ----------------------------------------------------------------------------


def lock_settlement(actor, settlement_id: int) -> Settlement:
    settlement = (
        Settlement.objects.select_for_update(of=("self",))
        .select_related("partner__organisation", "platform")
        .filter(pk=settlement_id)
        .first()
    )
    if settlement is None or not can_run_settlements(actor, settlement.platform_id):
        raise NotFoundError(_("Relevé introuvable."))
    return settlement


@transaction.atomic
def settlement_issue(*, actor, settlement_id: int) -> Settlement:
    settlement = lock_settlement(actor, settlement_id)
    from_status = ensure_transition(
        SETTLEMENT_TRANSITIONS, settlement, SettlementStatus.ISSUED, subject=SUBJECT
    )
    partner = settlement.partner
    ensure_bank_details(partner)
    settlement.iban, settlement.bic = partner.iban, partner.bic
    settlement.reference = f"REL-{settlement.period_start:%Y%m}-{settlement.pk:06d}"
    settlement.status, settlement.issued_at = SettlementStatus.ISSUED, timezone.now()
    settlement.save()
    _event(settlement, actor=actor, from_status=from_status, to=SettlementStatus.ISSUED)
    _tell_partner(settlement, "settlements/statement_issued")
    return settlement


@transaction.atomic
def settlement_cancel(*, actor, settlement_id: int) -> Settlement:
    """A draft let go: its bookings and adjustments are free for another statement."""
    settlement = lock_settlement(actor, settlement_id)
    from_status = ensure_transition(
        SETTLEMENT_TRANSITIONS, settlement, SettlementStatus.CANCELLED, subject=SUBJECT
    )
    settlement.lines.update(active=False)
    settlement.status, settlement.cancelled_at = SettlementStatus.CANCELLED, timezone.now()
    settlement.save()
    _event(settlement, actor=actor, from_status=from_status, to=SettlementStatus.CANCELLED)
    return settlement


@transaction.atomic
def settlement_mark_paid(*, actor, settlement_id: int, paid_on: date) -> Settlement:
    """The transfer went out: the statement is paid, and so are the grant awards it covers
    (each once; the envelopes' `paid` moves under their guard)."""
    settlement = lock_settlement(actor, settlement_id)
    if settlement.status == SettlementStatus.PAID:
        raise AlreadySettled(_("Ce relevé est déjà payé (le %(day)s).") % {
            "day": settlement.paid_on.strftime("%d/%m/%Y")})  # fmt: skip
    from_status = ensure_transition(
        SETTLEMENT_TRANSITIONS, settlement, SettlementStatus.PAID, subject=SUBJECT
    )
    tz = ZoneInfo(settlement.partner.timezone)
    if paid_on > timezone.now().astimezone(tz).date():
        raise ValidationError({"paid_on": _("Le virement ne peut pas être daté de demain.")})
    if paid_on < settlement.issued_at.astimezone(tz).date():
        raise ValidationError({"paid_on": _("Le virement ne peut pas précéder le relevé.")})
    award_ids = SettlementGrant.objects.filter(
        line__settlement=settlement, award__isnull=False
    ).values_list("award_id", flat=True)
    paid, skipped = awards_pay(actor=actor, award_ids=list(award_ids))
    settlement.status, settlement.paid_on = SettlementStatus.PAID, paid_on
    settlement.paid_at = timezone.now()
    settlement.save()
    note = _("%(count)s aides versées (%(amount)s).") % {
        "count": len(paid),
        "amount": euros(sum((a.amount for a in paid), Decimal(0))),
    }
    if skipped:
        note += " " + _("Non versées (refusées ou annulées depuis) : %(ids)s.") % {
            "ids": ", ".join(str(a.pk) for a in skipped)}  # fmt: skip
    _event(settlement, actor=actor, from_status=from_status, to=SettlementStatus.PAID, note=note)
    _tell_partner(settlement, "settlements/statement_paid")
    return settlement


@transaction.atomic
def settlement_adjust(*, actor, settlement_id: int, amount: Decimal, reason: str,
                      booking_reference: str = "") -> SettlementAdjustment:  # fmt: skip
    """A correction of an issued (or paid) statement: never an edit of it, an adjusting line
    of the partner's next statement (negative: taken back)."""
    settlement = lock_settlement(actor, settlement_id)
    if settlement.status not in (SettlementStatus.ISSUED, SettlementStatus.PAID):
        raise ConflictError(
            _("Un brouillon se corrige en l'annulant et en le préparant de nouveau."),
            code=ErrorCode.INVALID_TRANSITION,
        )
    if not amount:
        raise ValidationError({"amount": _("Une régularisation a un montant non nul.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Donnez le motif de la régularisation.")})
    booking = None
    if booking_reference.strip():
        line = settlement.lines.filter(reference=booking_reference.strip().upper()).first()
        if line is None or line.booking_id is None:
            raise ValidationError(
                {"booking_reference": _("Cette réservation n'est pas sur ce relevé.")}
            )
        booking = line.booking
    adjustment = SettlementAdjustment.objects.create(
        platform_id=settlement.platform_id, partner_id=settlement.partner_id, corrects=settlement,
        booking=booking, amount=amount, reason=reason.strip(), created_by=actor,
    )  # fmt: skip
    audit_log(
        actor=actor, action="settlement.adjusted", target=settlement,
        data={"amount": str(amount), "reason": reason.strip(), "adjustment": adjustment.pk},
    )  # fmt: skip
    return adjustment
