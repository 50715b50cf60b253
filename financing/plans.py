"""A booking's financing plan (DESIGN §3): lines of kind grant, loan, beneficiary or platform
that sum exactly to the booking's total; a grant line commits its envelope through an award
(`financing.services`). Replacing a plan releases the old awards and commits the new ones in
one transaction; a booking that stops holding releases its grants."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bookings.enums import HOLDING
from bookings.models import Booking
from core.audit import audit_log
from core.errors import InvalidTransition, NotFoundError
from financing.enums import AwardStatus, LineKind, LoanStatus
from financing.models import FinancingLine, FinancingPlan, Loan
from financing.permissions import can_plan
from financing.services import ZERO, award_cancel, award_create


@transaction.atomic
def plan_set(*, actor, booking_id: int, lines: list[dict]) -> FinancingPlan:
    """Replace a booking's financing plan. Lines: {kind, amount, programme?, loan?}."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("beneficiary", "service")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or not can_plan(actor, booking.platform_id):
        raise NotFoundError(_("Réservation introuvable."))
    if booking.status not in HOLDING:
        raise InvalidTransition(_("Cette réservation n'est plus active."))
    total = sum((Decimal(line["amount"]) for line in lines), ZERO)
    if total != booking.total_price:
        difference = booking.total_price - total
        raise ValidationError(
            {
                "lines": _(
                    "Les lignes font %(total)s € pour un total de %(expected)s € "
                    "(écart : %(difference)s €)."
                )
                % {"total": total, "expected": booking.total_price, "difference": difference}
            }
        )
    plan, _created = FinancingPlan.objects.get_or_create(
        booking=booking, defaults={"updated_by": actor}
    )
    _release_plan(actor, plan)
    for line in lines:
        _add_line(actor, plan, booking, line)
    plan.updated_by = actor
    plan.save()
    audit_log(
        actor=actor,
        action="financing.plan_set",
        target=booking,
        data={"lines": [{k: str(v) for k, v in line.items()} for line in lines]},
    )
    return plan


def _add_line(actor, plan, booking, line: dict) -> None:
    kind, amount = line["kind"], Decimal(line["amount"])
    if amount < 0:
        raise ValidationError({"lines": _("Un montant ne peut pas être négatif.")})
    if kind == LineKind.GRANT:
        if not line.get("programme"):
            raise ValidationError({"lines": _("Une aide vient d'une enveloppe : choisissez-la.")})
        award = award_create(
            actor=actor,
            programme_id=line["programme"],
            beneficiary=booking.beneficiary,
            amount=amount,
            booking=booking,
        )
        FinancingLine.objects.create(
            plan=plan, kind=kind, programme_id=award.programme_id, award=award, amount=amount
        )
    elif kind == LineKind.LOAN:
        loan = Loan.objects.filter(
            pk=line.get("loan"),
            beneficiary=booking.beneficiary,
            status__in=[LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.DISBURSED],
        ).first()
        if loan is None:
            raise ValidationError({"lines": _("Choisissez un prêt de cette personne.")})
        FinancingLine.objects.create(plan=plan, kind=kind, loan=loan, amount=amount)
    elif kind in (LineKind.BENEFICIARY, LineKind.PLATFORM):
        FinancingLine.objects.create(plan=plan, kind=kind, amount=amount)
    else:
        raise ValidationError({"lines": _("Type de ligne inconnu.")})


def _release_plan(actor, plan: FinancingPlan) -> None:
    for line in plan.lines.select_related("award"):
        if line.award and line.award.status in (AwardStatus.REQUESTED, AwardStatus.APPROVED):
            award_cancel(actor=actor, award_id=line.award_id)
    plan.lines.all().delete()


def plan_release_for_booking(*, booking) -> None:
    """A booking stopped holding (cancelled, declined, expired): its grants are released."""
    plan = FinancingPlan.objects.filter(booking=booking).first()
    if plan is None:
        return
    for line in plan.lines.select_related("award"):
        if line.award and line.award.status in (AwardStatus.REQUESTED, AwardStatus.APPROVED):
            award_cancel(actor=None, award_id=line.award_id)


def beneficiary_share(booking) -> Decimal | None:
    plan = getattr(booking, "financing_plan", None)
    if plan is None:
        return None
    lines = plan.lines.all()
    return sum((line.amount for line in lines if line.kind == LineKind.BENEFICIARY), ZERO)
