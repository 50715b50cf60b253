"""The writes of a person's journey, from the adviser's record page (HTML, French): the
diagnosis with its barriers (its own form page), and the one-form actions that come back to
the record: eligibility, a barrier lifted, the action plan, follow-ups, consents, outcome.

Platform staff whose role may change that part of the record (need-to-know table; others:
403); a person of another platform is 404. A form that fails
shows its page again through `privacy.beneficiary_open`, so that view is logged too. Every
write goes through the services of `beneficiaries.services` and `beneficiaries.journey`; the
helpers for access, forms and the record page are in `beneficiaries.views_records`."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from beneficiaries import journey, permissions, selectors, services
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.forms_records import (
    ActionItemForm,
    BarrierFormSet,
    ConsentForm,
    DiagnosisForm,
    FollowUpForm,
    OutcomeForm,
    barrier_rows,
)
from beneficiaries.views_records import (
    TEMPLATES,
    _open,
    _prescribers,
    _record_page,
    _record_url,
    _scoped,
)
from core.errors import NotFoundError
from core.web import run_service

# --- The diagnosis --------------------------------------------------------------------------


@need_to_know(DataKind.DIAGNOSIS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def diagnosis_new(request, beneficiary_id: int):
    if request.method == "POST":
        beneficiary = _scoped(request, beneficiary_id, DataKind.DIAGNOSIS)
    else:
        beneficiary = _open(request, beneficiary_id, "diagnosis", DataKind.DIAGNOSIS)
    can_share = bool(selectors.sharing_prescribers(beneficiary))
    form = DiagnosisForm(request.POST or None, can_share=can_share)
    rows = BarrierFormSet(request.POST or None, prefix="freins")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() & rows.is_valid():
            recorded = run_service(
                request, journey.diagnosis_record, form=form, actor=request.user,
                beneficiary_id=beneficiary.pk, barriers=barrier_rows(rows),
                success_message=_("Le diagnostic est enregistré."), **form.cleaned_data,
            )  # fmt: skip
            if recorded.ok:
                return redirect(_record_url(beneficiary.pk, "diagnostic"))
            status = recorded.status
        beneficiary = _open(request, beneficiary_id, "diagnosis", DataKind.DIAGNOSIS)
    return render(
        request,
        TEMPLATES + "diagnosis_form.html",
        {
            "person": beneficiary,
            "form": form,
            "rows": rows,
            "can_share": can_share,
            "closed": beneficiary.status == BeneficiaryStatus.CLOSED,
            **permissions.record_access(request.user, beneficiary),
        },
        status=status,
    )


# --- One-form writes of the record page (POST only; they come back to the record) -----------


def _act(request, function, success: str, **kwargs) -> None:
    """A one-button write: say what happened in a message."""
    run_service(request, function, success_message=success, actor=request.user, **kwargs)


def _form_write(request, beneficiary, form, function, success: str, *, tab: str, name: str,
                error_field: str | None = None, **extra):  # fmt: skip
    """A one-form write: back to the record's `tab` with a message, or the record page again
    (with the error's status) with the form, named `name` there, showing its errors."""
    status = 400
    if form.is_valid():
        written = run_service(
            request, function, form=form, error_field=error_field, success_message=success,
            actor=request.user, beneficiary_id=beneficiary.pk, **extra, **form.cleaned_data,
        )  # fmt: skip
        if written.ok:
            return redirect(_record_url(beneficiary.pk, tab))
        status = written.status
    return _record_page(request, beneficiary.pk, status=status, **{name: form})


@need_to_know(DataKind.SITUATION, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_eligibility(request, beneficiary_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.SITUATION)
    _act(request, services.eligibility_check, _("L'éligibilité est vérifiée."),
         beneficiary_id=beneficiary.pk)  # fmt: skip
    return redirect(_record_url(beneficiary.pk, "eligibilite"))


@need_to_know(DataKind.DIAGNOSIS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_barrier_lift(request, beneficiary_id: int, barrier_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.DIAGNOSIS)
    if not beneficiary.barriers.filter(pk=barrier_id).exists():
        raise NotFoundError(_("Difficulté introuvable."))
    _act(request, journey.barrier_lift, _("La difficulté est notée comme levée."),
         barrier_id=barrier_id)  # fmt: skip
    return redirect(_record_url(beneficiary.pk, "freins"))


@need_to_know(DataKind.ACTION_PLAN, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_action_add(request, beneficiary_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.ACTION_PLAN)
    form = ActionItemForm(request.POST, barriers=beneficiary.barriers.all())
    return _form_write(request, beneficiary, form, journey.action_item_add,
                       _("L'action est ajoutée au plan."), tab="plan",
                       name="action_form")  # fmt: skip


@need_to_know(DataKind.ACTION_PLAN, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_action_done(request, beneficiary_id: int, item_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.ACTION_PLAN)
    if not beneficiary.action_items.filter(pk=item_id).exists():
        raise NotFoundError(_("Action introuvable."))
    _act(request, journey.action_item_done, _("L'action est faite."), item_id=item_id)
    return redirect(_record_url(beneficiary.pk, "plan"))


@need_to_know(DataKind.FOLLOW_UP, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_follow_up(request, beneficiary_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.FOLLOW_UP)
    return _form_write(request, beneficiary, FollowUpForm(request.POST), journey.follow_up_record,
                       _("Le rendez-vous de suivi est enregistré."), tab="suivi",
                       name="follow_up_form", error_field="held_on")  # fmt: skip


@need_to_know(DataKind.CONSENT, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_consent_give(request, beneficiary_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.CONSENT)
    prescribers = _prescribers(beneficiary.referrals.select_related("prescriber_organisation"))
    form = ConsentForm(request.POST, prescribers=prescribers)
    return _form_write(request, beneficiary, form, journey.consent_give,
                       _("L'accord de la personne est enregistré."), tab="accords",
                       name="consent_form")  # fmt: skip


@need_to_know(DataKind.CONSENT, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_consent_withdraw(request, beneficiary_id: int, consent_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.CONSENT)
    if not beneficiary.consents.filter(pk=consent_id).exists():
        raise NotFoundError(_("Accord introuvable."))
    _act(request, journey.consent_withdraw, _("L'accord est retiré."), consent_id=consent_id)
    return redirect(_record_url(beneficiary.pk, "accords"))


@need_to_know(DataKind.OUTCOME, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def record_outcome(request, beneficiary_id: int):
    beneficiary = _scoped(request, beneficiary_id, DataKind.OUTCOME)
    return _form_write(request, beneficiary, OutcomeForm(request.POST), journey.outcome_record,
                       _("La sortie est enregistrée : l'accompagnement est terminé."),
                       tab="sortie", name="outcome_form")  # fmt: skip
