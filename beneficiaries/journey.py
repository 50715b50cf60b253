"""The support itself: diagnosis and barriers, action plan, follow-ups, outcome, consents."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.need_to_know import DataKind as K
from beneficiaries.enums import (
    BarrierCategory,
    BeneficiaryStatus,
    ConsentPurpose,
    DiagnosisDecision,
    FollowUpChannel,
    OutcomeCode,
)
from beneficiaries.models import (
    ActionPlanItem,
    Barrier,
    Beneficiary,
    Consent,
    Diagnosis,
    FollowUp,
    Outcome,
)
from beneficiaries.selectors import prescriber_may_follow, sharing_prescribers
from beneficiaries.services import lock_beneficiary
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError, get_or_not_found
from core.notifications import notify
from core.sms_consent import sms_opt_in


def _touch(beneficiary: Beneficiary) -> None:
    beneficiary.last_contact_at = timezone.now()
    beneficiary.overdue_notified_at = None


@transaction.atomic
def diagnosis_record(
    *, actor, beneficiary_id: int, held_on, duration_minutes: int, summary: str, decision: str,
    barriers: list[dict], share_with_prescriber: bool = False,
) -> Diagnosis:  # fmt: skip
    """Record the diagnostic mobilité and its barriers; the decision sets the support."""
    beneficiary = lock_beneficiary(actor, beneficiary_id, K.DIAGNOSIS, K.SITUATION)
    if beneficiary.status == BeneficiaryStatus.CLOSED:
        raise ConflictError(
            _("L'accompagnement de cette personne est terminé."),
            code=ErrorCode.BENEFICIARY_CLOSED,
        )
    if decision not in DiagnosisDecision.values:
        raise ApplicationError(
            _("Choisissez la suite : conseil ponctuel ou accompagnement."), code=ErrorCode.INVALID
        )
    for barrier in barriers:
        if barrier.get("category") not in BarrierCategory.values or not barrier.get("code"):
            raise ApplicationError(
                _("Chaque frein a un type et une description."), code=ErrorCode.INVALID
            )
    diagnosis = Diagnosis.objects.create(
        beneficiary=beneficiary, author=actor, held_on=held_on, summary=summary,
        duration_minutes=duration_minutes, decision=decision,
    )  # fmt: skip
    Barrier.objects.bulk_create(
        [
            Barrier(beneficiary=beneficiary, diagnosis=diagnosis, category=b["category"],
                    code=b["code"][:40], priority=b.get("priority") or 2)
            for b in barriers
        ]
    )  # fmt: skip
    beneficiary.status = decision
    _touch(beneficiary)
    beneficiary.save()
    audit_log(actor=actor, action="diagnosis.recorded", target=beneficiary,
              data={"decision": decision, "barriers": len(barriers)})  # fmt: skip
    if share_with_prescriber:
        diagnosis_share(actor=actor, diagnosis=diagnosis)
    return diagnosis


def diagnosis_share(*, actor, diagnosis: Diagnosis) -> int:
    """Tell the prescribers the person agreed to share with; returns how many were told."""
    beneficiary = diagnosis.beneficiary
    organisations = sharing_prescribers(beneficiary)
    if not organisations:
        raise ApplicationError(
            _("La personne n'a pas donné son accord pour partager son suivi avec un prescripteur."),
            code=ErrorCode.CONSENT_MISSING,
        )
    diagnosis.shared_with_prescriber_at = timezone.now()
    diagnosis.save(update_fields=["shared_with_prescriber_at", "updated_at"])
    told = 0
    for referral in beneficiary.referrals.filter(
        prescriber_organisation_id__in=organisations
    ).select_related("prescriber"):
        if referral.prescriber and prescriber_may_follow(referral.prescriber, beneficiary):
            from beneficiaries.services import referral_status_url

            notify(
                template="beneficiaries/diagnosis_shared",
                user=referral.prescriber,
                context={
                    "person": f"{beneficiary.first_name} {beneficiary.last_name[:1]}.",
                    "decision": diagnosis.get_decision_display(),
                    "url": referral_status_url(referral),
                },
            )
            told += 1
    audit_log(actor=actor, action="diagnosis.shared", target=beneficiary, data={"told": told})
    return told


@transaction.atomic
def barrier_lift(*, actor, barrier_id: int) -> Barrier:
    barrier = get_or_not_found(
        Barrier.objects.select_related("beneficiary"), barrier_id, _("Frein introuvable.")
    )
    lock_beneficiary(actor, barrier.beneficiary_id, K.DIAGNOSIS)
    if _stamp_once(barrier, "lifted_at"):
        audit_log(actor=actor, action="barrier.lifted", target=barrier)
    return barrier


def _stamp_once(row, field: str) -> bool:
    """Date `field` now unless it already is: a barrier is lifted, an action done, a consent
    withdrawn once (asking again changes nothing). True when it was dated now."""
    if getattr(row, field) is not None:
        return False
    setattr(row, field, timezone.now())
    row.save(update_fields=[field, "updated_at"])
    return True


@transaction.atomic
def action_item_add(
    *, actor, beneficiary_id: int, action: str, due_on=None, barrier_id: int | None = None
) -> ActionPlanItem:
    beneficiary = lock_beneficiary(actor, beneficiary_id, K.ACTION_PLAN)
    if barrier_id is not None and not beneficiary.barriers.filter(pk=barrier_id).exists():
        raise NotFoundError(_("Frein introuvable."))
    if not action.strip():
        raise ApplicationError(_("Décrivez l'action."), code=ErrorCode.INVALID)
    item = ActionPlanItem.objects.create(
        beneficiary=beneficiary, action=action.strip(), due_on=due_on, barrier_id=barrier_id
    )
    audit_log(actor=actor, action="action.added", target=beneficiary)
    return item


@transaction.atomic
def action_item_done(*, actor, item_id: int) -> ActionPlanItem:
    item = get_or_not_found(ActionPlanItem.objects, item_id, _("Action introuvable."))
    lock_beneficiary(actor, item.beneficiary_id, K.ACTION_PLAN)
    _stamp_once(item, "done_at")
    return item


@transaction.atomic
def follow_up_record(*, actor, beneficiary_id: int, held_on, channel: str, notes: str = ""):
    beneficiary = lock_beneficiary(actor, beneficiary_id, K.FOLLOW_UP)
    if channel not in FollowUpChannel.values:
        raise ApplicationError(
            _("Choisissez comment le rendez-vous a eu lieu."), code=ErrorCode.INVALID
        )
    if held_on > timezone.localdate():
        raise ApplicationError(
            _("Un rendez-vous de suivi se note une fois qu'il a eu lieu."), code=ErrorCode.INVALID
        )
    follow_up = FollowUp.objects.create(
        beneficiary=beneficiary, author=actor, held_on=held_on, channel=channel, notes=notes
    )
    _touch(beneficiary)
    beneficiary.save(update_fields=["last_contact_at", "overdue_notified_at", "updated_at"])
    audit_log(actor=actor, action="follow_up.recorded", target=beneficiary)
    return follow_up


@transaction.atomic
def outcome_record(*, actor, beneficiary_id: int, code: str, exited_on) -> Outcome:
    """Close the support with its outcome (DESIGN's codes)."""
    beneficiary = lock_beneficiary(actor, beneficiary_id, K.OUTCOME, K.SITUATION)
    if code not in OutcomeCode.values:
        raise ApplicationError(_("Choisissez la situation de sortie."), code=ErrorCode.INVALID)
    if exited_on > timezone.localdate():
        raise ApplicationError(
            _("La date de sortie ne peut pas être dans le futur."), code=ErrorCode.INVALID
        )
    outcome, _created = Outcome.objects.update_or_create(
        beneficiary=beneficiary,
        defaults={"code": code, "exited_on": exited_on, "recorded_by": actor},
    )
    beneficiary.status = BeneficiaryStatus.CLOSED
    _touch(beneficiary)
    beneficiary.save()
    audit_log(actor=actor, action="outcome.recorded", target=beneficiary, data={"code": code})
    return outcome


@transaction.atomic
def consent_give(
    *, actor, beneficiary_id: int, purpose: str, prescriber_organisation_id: int | None = None
) -> Consent:
    beneficiary = lock_beneficiary(actor, beneficiary_id, K.CONSENT)
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(_("Choisissez l'objet de l'accord."), code=ErrorCode.INVALID)
    if purpose == ConsentPurpose.SHARE_WITH_PRESCRIBER:
        referred_by = set(
            beneficiary.referrals.values_list("prescriber_organisation_id", flat=True)
        )
        if prescriber_organisation_id not in referred_by:
            raise ApplicationError(
                _("Le suivi ne se partage qu'avec un prescripteur qui a orienté la personne."),
                code=ErrorCode.INVALID,
            )
    else:
        prescriber_organisation_id = None
    existing = beneficiary.consents.filter(
        purpose=purpose,
        prescriber_organisation_id=prescriber_organisation_id,
        withdrawn_at__isnull=True,
    ).first()
    if existing is not None:
        return existing
    consent = Consent.objects.create(
        beneficiary=beneficiary, purpose=purpose, given_at=timezone.now(), recorded_by=actor,
        prescriber_organisation_id=prescriber_organisation_id,
    )  # fmt: skip
    audit_log(actor=actor, action="consent.given", target=beneficiary, data={"purpose": purpose})
    if purpose == ConsentPurpose.SMS and beneficiary.phone:
        sms_opt_in(phone=beneficiary.phone, actor=actor)  # agreed again after a STOP
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent_id: int) -> Consent:
    consent = get_or_not_found(Consent.objects, consent_id, _("Consentement introuvable."))
    lock_beneficiary(actor, consent.beneficiary_id, K.CONSENT)
    if _stamp_once(consent, "withdrawn_at"):
        audit_log(actor=actor, action="consent.withdrawn", target=consent.beneficiary,
                  data={"purpose": consent.purpose})  # fmt: skip
    return consent


def follow_ups_overdue_notify(*, now=None) -> int:
    """Weekly at most per person: tell the adviser when someone in reinforced support has had
    no follow-up for FOLLOW_UP_OVERDUE_DAYS."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS)
    quiet_since = now - timedelta(days=7)
    told = 0
    for beneficiary in overdue_beneficiaries(before=limit).select_related("adviser"):
        with transaction.atomic():
            updated = Beneficiary.objects.filter(pk=beneficiary.pk).filter(
                overdue_notified_at__isnull=True
            ) | Beneficiary.objects.filter(pk=beneficiary.pk, overdue_notified_at__lt=quiet_since)
            if not updated.update(overdue_notified_at=now):
                continue
            if beneficiary.adviser is not None:
                notify(
                    template="beneficiaries/followup_overdue",
                    user=beneficiary.adviser,
                    channel="email",
                    context={
                        "person": f"{beneficiary.first_name} {beneficiary.last_name}",
                        "weeks": settings.FOLLOW_UP_OVERDUE_DAYS // 7,
                    },
                )
                told += 1
    return told


def overdue_beneficiaries(*, before):
    return (
        Beneficiary.objects.filter(status=BeneficiaryStatus.REINFORCED, anonymised_at__isnull=True)
        .exclude(follow_ups__held_on__gte=before.date())
        .exclude(diagnoses__held_on__gte=before.date())
    )
