"""Grant envelopes and booking financing plans.

Committing a grant is a conditional update like capacity: `committed = committed + a WHERE
committed + a <= budget`; none → 409 `budget_exceeded`. Releasing and paying are conditional
too (`paid <= committed` after the change; none → 409 `paid_exceeds_committed`), so no write
here trips the envelope's check constraints. Awards follow `AWARD_TRANSITIONS`. A plan's lines
sum exactly to the booking's total; replacing a plan cancels its previous awards (releasing
their amounts) and commits the new ones in the same transaction.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.need_to_know import DataKind
from bookings.models import Booking
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, InvalidTransition, NotFoundError
from core.transitions import ensure_transition, record_transition
from financing.enums import (
    AWARD_COMMITTED,
    AWARD_TRANSITIONS,
    AwardStatus,
)
from financing.models import FundingProgramme, GrantAward
from financing.permissions import can_manage_finance, can_plan

ZERO = Decimal("0.00")


class BudgetExceeded(ConflictError):
    default_code = ErrorCode.BUDGET_EXCEEDED


class PaidExceedsCommitted(ConflictError):
    """The envelope's counters disagree with its awards: the change would leave more paid
    than committed (the check constraint's case, answered before the database refuses)."""

    default_code = ErrorCode.PAID_EXCEEDS_COMMITTED


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
    if not can_manage_finance(actor, platform_id, DataKind.PROGRAMMES):
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
    given = FundingProgramme.objects.filter(
        pk=programme_id, committed__gte=F("paid") + amount
    ).update(committed=F("committed") - amount)
    if not given:
        raise PaidExceedsCommitted(
            _("L'enveloppe a moins d'engagé non versé que ce montant : ses compteurs sont à "
              "vérifier.")
        )  # fmt: skip


def pay(programme_id: int, amount: Decimal) -> None:
    paid = FundingProgramme.objects.filter(
        pk=programme_id, paid__lte=F("committed") - amount
    ).update(paid=F("paid") + amount)
    if not paid:
        raise PaidExceedsCommitted(
            _("Ce versement dépasserait le montant engagé sur l'enveloppe : ses compteurs sont "
              "à vérifier.")
        )  # fmt: skip


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
            code=ErrorCode.PROGRAMME_CLOSED,
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


def _lock_award(award_id: int) -> GrantAward | None:
    return (
        GrantAward.objects.select_for_update()
        .select_related("programme")
        .filter(pk=award_id)
        .first()
    )


def _award_move(award: GrantAward, *, actor, to: str) -> GrantAward:
    """One transition of AWARD_TRANSITIONS: leaving the committed statuses releases the
    amount, paying adds it to the envelope's paid."""
    from_status = ensure_transition(AWARD_TRANSITIONS, award, to, subject=_("l'aide"))
    if from_status in AWARD_COMMITTED and to not in AWARD_COMMITTED:
        release(award.programme_id, award.amount)
    if to == AwardStatus.PAID:
        pay(award.programme_id, award.amount)
    award.status, award.decided_by, award.decided_at = to, actor, timezone.now()
    award.save()
    record_transition(award, actor=actor, name="award", from_status=from_status, to=to)
    return award


@transaction.atomic
def award_cancel(*, actor, award_id: int) -> GrantAward:
    """The plan let go of the award (actor None: its booking stopped holding)."""
    award = _lock_award(award_id)
    if award is None or (actor is not None and not can_plan(actor, award.programme.platform_id)):
        raise NotFoundError(_("Aide introuvable."))
    return _award_move(award, actor=actor, to=AwardStatus.CANCELLED)


@transaction.atomic
def award_decide(*, actor, award_id: int, to: str) -> GrantAward:
    """A finance officer's decision: requested → approved | rejected; approved → paid."""
    award = _lock_award(award_id)
    if award is None or not can_manage_finance(
        actor, award.programme.platform_id, DataKind.PROGRAMMES
    ):
        raise NotFoundError(_("Aide introuvable."))
    if to == AwardStatus.CANCELLED:  # award_cancel, when its financing plan lets go of it
        raise InvalidTransition(_("Une aide s'annule avec le plan de financement qui la porte."))
    return _award_move(award, actor=actor, to=to)


@transaction.atomic
def awards_pay(*, actor, award_ids) -> tuple[list[GrantAward], list[GrantAward]]:
    """The grants a partner's statement covered were paid (settlements): each award moves to
    `paid` (a requested one is approved on the way: paying it decides it) and its amount is
    added to the envelope's `paid` under the conditional guard (`paid <= committed`). Awards
    are locked in primary-key order; one already paid is left as it is (paid once, ever), one
    rejected or cancelled since is skipped. Returns (paid now, skipped)."""
    paid, skipped = [], []
    awards = (
        GrantAward.objects.select_for_update(of=("self",))
        .select_related("programme")
        .filter(pk__in=sorted(set(award_ids)))
        .order_by("pk")
    )
    for award in awards:
        if not can_manage_finance(actor, award.programme.platform_id, DataKind.PROGRAMMES):
            raise NotFoundError(_("Aide introuvable."))
        if award.status == AwardStatus.PAID:
            continue
        if award.status == AwardStatus.REQUESTED:
            _award_move(award, actor=actor, to=AwardStatus.APPROVED)
        if award.status == AwardStatus.APPROVED:
            paid.append(_award_move(award, actor=actor, to=AwardStatus.PAID))
        else:
            skipped.append(award)
    return paid, skipped
