"""Grant envelopes and booking financing plans.

Committing a grant is a conditional update like capacity: `committed = committed + a WHERE
committed + a <= budget`; none → 409 `budget_exceeded`. A plan's lines sum exactly to the
booking's total; replacing a plan cancels its previous awards (releasing their amounts) and
commits the new ones in the same transaction.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from bookings.enums import HOLDING
from bookings.models import Booking
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, InvalidTransition, NotFoundError
from financing.enums import AWARD_COMMITTED, AwardStatus, LineKind, LoanStatus
from financing.models import FinancingLine, FinancingPlan, FundingProgramme, GrantAward, Loan
from financing.permissions import can_manage_finance, can_plan

ZERO = Decimal("0.00")


class BudgetExceeded(ConflictError):
    default_code = ErrorCode.BUDGET_EXCEEDED


@transaction.atomic
def programme_create(
    *,
    actor,
    platform_id: int,
    funder_id: int,
    name: str,
    budget: Decimal,
    starts_on,
    ends_on=None,
    per_beneficiary_cap=None,
    eligible_categories=(),
    eligible_situations=(),
) -> FundingProgramme:
    if not can_manage_finance(actor, platform_id):
        raise NotFoundError(_("Plateforme introuvable."))
    errors = {}
    if budget is None or budget <= 0:
        errors["budget"] = _("Le budget doit être positif.")
    if per_beneficiary_cap is not None and per_beneficiary_cap <= 0:
        errors["per_beneficiary_cap"] = _("Le plafond doit être positif.")
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = _("La fin doit suivre le début.")
    if errors:
        raise ValidationError(errors)
    if not Organisation.objects.filter(pk=funder_id).exists():
        raise ValidationError({"funder": _("Financeur inconnu.")})
    programme = FundingProgramme.objects.create(
        platform_id=platform_id,
        funder_id=funder_id,
        name=name,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        per_beneficiary_cap=per_beneficiary_cap,
        eligible_categories=list(eligible_categories),
        eligible_situations=list(eligible_situations),
    )
    audit_log(actor=actor, action="programme.created", target=programme)
    return programme


def commit(programme_id: int, amount: Decimal) -> None:
    taken = FundingProgramme.objects.filter(
        pk=programme_id, committed__lte=F("budget") - amount
    ).update(committed=F("committed") + amount)
    if not taken:
        raise BudgetExceeded(_("L'enveloppe n'a plus assez de budget pour ce montant."))


def release(programme_id: int, amount: Decimal) -> None:
    FundingProgramme.objects.filter(pk=programme_id).update(committed=F("committed") - amount)


@transaction.atomic
def award_create(
    *, actor, programme_id: int, beneficiary, amount: Decimal, booking: Booking | None = None
) -> GrantAward:
    """Commit a grant for a person, within the envelope's eligibility, cap and budget."""
    programme = FundingProgramme.objects.filter(pk=programme_id).first()
    if programme is None or programme.platform_id != beneficiary.platform_id:
        raise NotFoundError(_("Enveloppe introuvable."))
    if amount is None or amount <= 0:
        raise ValidationError({"lines": _("Une aide a un montant positif.")})
    if actor is not None and not can_plan(actor, programme.platform_id):
        raise NotFoundError(_("Enveloppe introuvable."))
    # One person's awards are decided one at a time, so the per-person cap holds under
    # concurrency (the budget itself is guarded by the conditional update).
    type(beneficiary).objects.select_for_update().filter(pk=beneficiary.pk).first()
    _check_programme(programme, beneficiary, booking, amount)
    commit(programme.pk, amount)
    award = GrantAward.objects.create(
        programme=programme, beneficiary=beneficiary, booking=booking, amount=amount
    )
    audit_log(actor=actor, action="award.requested", target=award, data={"amount": str(amount)})
    return award


def _check_programme(programme, beneficiary, booking, amount) -> None:
    today = timezone.localdate()
    if (
        not programme.active
        or programme.starts_on > today
        or (programme.ends_on and programme.ends_on < today)
    ):
        raise ApplicationError(
            _("L'enveloppe « %(name)s » n'est pas ouverte.") % {"name": programme.name},
            code=ErrorCode.INVALID,
        )
    if programme.eligible_situations and beneficiary.situation not in programme.eligible_situations:
        raise ApplicationError(
            _("« %(name)s » ne finance pas ce public.") % {"name": programme.name},
            code=ErrorCode.NOT_ELIGIBLE,
        )
    if (
        booking is not None
        and programme.eligible_categories
        and booking.service.category not in programme.eligible_categories
    ):
        raise ApplicationError(
            _("« %(name)s » ne finance pas ce type de service.") % {"name": programme.name},
            code=ErrorCode.NOT_ELIGIBLE,
        )
    if programme.per_beneficiary_cap is not None:
        used = (
            GrantAward.objects.filter(
                programme=programme, beneficiary=beneficiary, status__in=AWARD_COMMITTED
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        if used + amount > programme.per_beneficiary_cap:
            raise ApplicationError(
                _("Plafond par personne dépassé : %(left)s € restent pour cette personne.")
                % {"left": programme.per_beneficiary_cap - used},
                code=ErrorCode.CAP_EXCEEDED,
            )


@transaction.atomic
def award_cancel(*, actor, award_id: int) -> GrantAward:
    award = (
        GrantAward.objects.select_for_update()
        .select_related("programme")
        .filter(pk=award_id)
        .first()
    )
    if award is None or (actor is not None and not can_plan(actor, award.programme.platform_id)):
        raise NotFoundError(_("Aide introuvable."))
    if award.status not in (AwardStatus.REQUESTED, AwardStatus.APPROVED):
        raise InvalidTransition(_("Cette aide ne peut plus être annulée."))
    release(award.programme_id, award.amount)
    award.status = AwardStatus.CANCELLED
    award.decided_by, award.decided_at = actor, timezone.now()
    award.save()
    audit_log(actor=actor, action="award.cancelled", target=award)
    return award


@transaction.atomic
def award_decide(*, actor, award_id: int, to: str) -> GrantAward:
    """requested → approved | rejected (rejection releases); approved → paid."""
    award = (
        GrantAward.objects.select_for_update()
        .select_related("programme")
        .filter(pk=award_id)
        .first()
    )
    if award is None or not can_manage_finance(actor, award.programme.platform_id):
        raise NotFoundError(_("Aide introuvable."))
    allowed = {
        AwardStatus.REQUESTED: {AwardStatus.APPROVED, AwardStatus.REJECTED},
        AwardStatus.APPROVED: {AwardStatus.PAID},
    }
    if to not in allowed.get(award.status, set()):
        raise InvalidTransition(_("Changement impossible pour cette aide."))
    if to == AwardStatus.REJECTED:
        release(award.programme_id, award.amount)
    if to == AwardStatus.PAID:
        FundingProgramme.objects.filter(pk=award.programme_id).update(paid=F("paid") + award.amount)
    award.status, award.decided_by, award.decided_at = to, actor, timezone.now()
    award.save()
    audit_log(actor=actor, action=f"award.{to}", target=award)
    return award


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
