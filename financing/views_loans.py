"""Finance pages about loans (HTML, French): the list, a new loan, a loan with its schedule
and ledger, and its writes (a repayment, a reversed entry, a change of status). Advisers read
their platform's loans (list and loan page, without any button); the writes are for finance
officers and platform admins. See `financing.views_common` for access and wording."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.need_to_know import DataKind, Mode, need_to_know
from accounts.scoping import platform_ids
from accounts.selectors import organisation_list_for
from beneficiaries.selectors import beneficiary_list_for
from core.errors import NotFoundError, PermissionDeniedError
from core.formatting import euros, rate_text, short_date
from core.paging import page_context
from core.transitions import allowed_targets
from core.web import run_service
from financing import ledger, loans, selectors
from financing.enums import LOAN_TRANSITIONS, LoanStatus, TransactionKind
from financing.forms import DisburseForm, LoanFilterForm, LoanForm, RepaymentForm
from financing.models import LoanTransaction
from financing.permissions import can_manage_finance
from financing.views_common import (
    LENDER_KINDS,
    ZERO,
    T,
    _amounts,
    _finance_platforms,
    _read_platforms,
    allocation_text,
    days_text,
    installment_state,
    person_text,
)

PAGE_SIZE = 25
# What a button says for each loan transition (« repaid » follows from the ledger).
TRANSITION_BUTTONS = {
    LoanStatus.APPROVED: (gettext_lazy("Accorder le prêt"), ""),
    LoanStatus.REJECTED: (gettext_lazy("Refuser la demande"), "button-danger"),
    LoanStatus.DISBURSED: (gettext_lazy("Enregistrer le décaissement"), ""),
    LoanStatus.CANCELLED: (gettext_lazy("Annuler le prêt"), "button-danger"),
    LoanStatus.DEFAULTED: (gettext_lazy("Déclarer le prêt en défaut"), "button-danger"),
    LoanStatus.WRITTEN_OFF: (gettext_lazy("Passer le prêt en perte"), "button-danger"),
}


# --- Loans ----------------------------------------------------------------------------------


@need_to_know(DataKind.LOANS)
def loan_list(request):
    user = request.user
    _read_platforms(user)
    form = LoanFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.loan_list_filtered(
        user=user, person=filters.get("q") or "", status=filters.get("status") or "",
        kind=filters.get("kind") or "", bucket=filters.get("bucket") or "",
    ).annotate(principal_repaid=Sum("installments__principal_paid"))  # fmt: skip
    paging = page_context(request, found, PAGE_SIZE)
    page = paging["page_obj"]
    count = page.paginator.count
    rows = [
        {"loan": loan, "person": person_text(loan.beneficiary), "principal": euros(loan.principal),
         "outstanding": euros(loan.principal - (loan.principal_repaid or ZERO))
         if loan.status in selectors.OUTSTANDING_STATUSES else "",
         "late": days_text(loan.days_past_due) if loan.days_past_due else ""}
        for loan in page.object_list
    ]  # fmt: skip
    return render(request, T + "loan_list.html", {
        **paging, "title": _("Prêts"), "form": form, "rows": rows,
        "count_text": ngettext("%(n)s prêt", "%(n)s prêts", count) % {"n": count},
        "filtered": any(filters.values()),
        "can_manage": bool(platform_ids(user, roles=selectors.FINANCE_ROLES)),
    })  # fmt: skip


def _loan_form(user, data=None, initial=None) -> LoanForm:
    platforms = _finance_platforms(user)
    people = beneficiary_list_for(user=user).filter(platform_id__in=platforms)
    lenders = organisation_list_for(user=user).filter(kind__in=LENDER_KINDS).order_by("name")
    return LoanForm(data, initial=initial, people=people.order_by("last_name", "first_name"),
                    lenders=list(lenders))  # fmt: skip


@need_to_know(DataKind.LOANS, mode=Mode.WRITE)
def loan_new(request):
    if request.method != "POST":
        initial = {"first_due_on": (timezone.localdate() + timedelta(days=31)).replace(day=5)}
        if request.GET.get("beneficiary", "").isdigit():
            initial["beneficiary"] = int(request.GET["beneficiary"])
        form = _loan_form(request.user, initial=initial)
        return _loan_form_page(request, form)
    form = _loan_form(request.user, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = run_service(request, loans.loan_create, form=form, actor=request.user,
                beneficiary_id=data["beneficiary"],
                kind=data["kind"], lender_id=data["lender"], principal=data["principal"],
                annual_rate=data["annual_rate"], term_months=data["term_months"],
                first_due_on=data["first_due_on"], method=data["method"],
                grace_months=data["grace_months"] or 0,
                guarantee_share=data["guarantee_share"],
                success_message=_("Prêt enregistré, avec son échéancier."))  # fmt: skip
        except NotFoundError as exc:  # the person chosen in the form
            form.add_error("beneficiary", exc.message)
        else:
            if created.ok:
                return redirect("loan_detail", loan_id=created.value.pk)
            status = created.status
    return _loan_form_page(request, form, status)


def _loan_form_page(request, form, status: int = 200):
    return render(
        request,
        T + "loan_form.html",
        {"title": _("Enregistrer un prêt"), "form": form},
        status=status,
    )


def _loan_context(request, loan, *, repayment_form=None, disburse_form=None) -> dict:
    today = timezone.localdate()
    installments = list(loan.installments.order_by("number"))
    entries = list(loan.transactions.select_related("created_by").order_by("value_date", "pk"))
    _balances, _credit, allocations = ledger.replay(
        [(i.number, i.principal_due, i.interest_due) for i in installments], entries
    )
    by_entry = {a.transaction_key: allocation_text(a) for a in allocations}
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    repaying = loan.status in selectors.OUTSTANDING_STATUSES
    schedule, overdue = [], ZERO
    for item in installments:
        state, late = installment_state(item, today) if repaying else (_("prévue"), False)
        if item.outstanding > 0 and item.due_on < today:
            overdue += item.outstanding
        schedule.append({"item": item, "due_on": short_date(item.due_on), **_amounts(item),
                         "state": state, "late": late})  # fmt: skip
    manage = can_manage_finance(request.user, loan.platform_id)
    ledger_rows = [
        {"entry": e, "value_date": short_date(e.value_date), "amount": euros(e.amount),
         "method": e.get_method_display() if e.method else "",
         "by": (e.created_by.get_full_name() or e.created_by.email) if e.created_by else "",
         "allocation": by_entry.get(e.pk, ""), "reversed": e.pk in reversed_ids,
         "can_reverse": manage and e.kind in ledger.PAYING and e.pk not in reversed_ids}
        for e in entries
    ]  # fmt: skip
    principal_left = loan.principal - sum((i.principal_paid for i in installments), ZERO)
    transitions = [
        {"to": to, "label": TRANSITION_BUTTONS[to][0], "css": TRANSITION_BUTTONS[to][1]}
        for to in allowed_targets(LOAN_TRANSITIONS, loan.status)
        if to in TRANSITION_BUTTONS
    ]
    return {
        "loan": loan, "person": person_text(loan.beneficiary), "schedule": schedule,
        "ledger": ledger_rows, "can_manage": manage, "transitions": transitions,
        "principal": euros(loan.principal), "principal_left": euros(principal_left),
        "overdue": euros(overdue), "has_overdue": overdue > 0 and repaying,
        "credit": euros(loan.credit_balance),
        "total_left": euros(sum((i.outstanding for i in installments), ZERO)),
        "rate": rate_text(loan.annual_rate),
        "can_record": manage and loan.status in (LoanStatus.DISBURSED, LoanStatus.DEFAULTED,
                                                 LoanStatus.REPAID),
        "repayment_form": repayment_form or RepaymentForm(initial={"value_date": today}),
        "disburse_form": disburse_form or DisburseForm(initial={"on": today}),
        "days_late": days_text(loan.days_past_due) if loan.days_past_due else "",
        "shown_entry": request.GET.get("ecriture", ""),
    }  # fmt: skip


@need_to_know(DataKind.LOANS)
def loan_detail(request, loan_id: int):
    _read_platforms(request.user)
    loan = selectors.loan_get_for(user=request.user, loan_id=loan_id)
    return render(request, T + "loan_detail.html", _loan_context(request, loan))


def _managed_loan(request, loan_id: int):
    _finance_platforms(request.user)
    loan = selectors.loan_get_for(user=request.user, loan_id=loan_id)
    if not can_manage_finance(request.user, loan.platform_id):
        raise PermissionDeniedError(_("Seul·es les chargé·es de financement modifient un prêt."))
    return loan


@need_to_know(DataKind.LOANS, mode=Mode.WRITE)
@require_POST
def loan_repayment(request, loan_id: int):
    loan = _managed_loan(request, loan_id)
    form = RepaymentForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        # The refusal is said at the top of the page: a loan that takes no repayment (not
        # disbursed) shows no form to put it on.
        recorded = run_service(
            request, loans.entry_record, actor=request.user, loan_id=loan.pk,
            kind=TransactionKind.REPAYMENT, amount=data["amount"],
            value_date=data["value_date"], method=data["method"], note=data["note"],
        )  # fmt: skip
        status = recorded.status
        if recorded.ok:
            entry, allocation = recorded.value
            messages.success(request, _("Remboursement de %(amount)s enregistré. Réparti ainsi : "
                                        "%(allocation)s.") % {"amount": euros(entry.amount),
                                        "allocation": allocation_text(allocation)})  # fmt: skip
            url = reverse("loan_detail", kwargs={"loan_id": loan.pk})
            return redirect(f"{url}?ecriture={entry.pk}#ecriture-{entry.pk}")
    context = _loan_context(request, loan, repayment_form=form)
    return render(request, T + "loan_detail.html", context, status=status)


@need_to_know(DataKind.LOANS, mode=Mode.WRITE)
@require_POST
def loan_entry_reverse(request, loan_id: int, entry_id: int):
    loan = _managed_loan(request, loan_id)
    entry = LoanTransaction.objects.filter(pk=entry_id, loan_id=loan.pk).first()
    if entry is None:
        raise NotFoundError(_("Écriture introuvable."))
    run_service(
        request, loans.entry_reverse, actor=request.user, transaction_id=entry.pk,
        success_message=_("Écriture du %(day)s de %(amount)s annulée ; l'échéancier est "
                          "recalculé.") % {"day": short_date(entry.value_date),
                                           "amount": euros(entry.amount)},
    )  # fmt: skip
    return redirect("loan_detail", loan_id=loan.pk)


@need_to_know(DataKind.LOANS, mode=Mode.WRITE)
@require_POST
def loan_transition(request, loan_id: int):
    loan = _managed_loan(request, loan_id)
    to = request.POST.get("to", "")
    on = None
    if to == LoanStatus.DISBURSED:
        form = DisburseForm(request.POST)
        if not form.is_valid():
            context = _loan_context(request, loan, disburse_form=form)
            return render(request, T + "loan_detail.html", context, status=400)
        on = form.cleaned_data["on"]
    moved = run_service(request, loans.loan_transition, actor=request.user, loan_id=loan.pk,
                        to=to, on=on)  # fmt: skip
    if moved.ok:
        messages.success(request, _("Le prêt est maintenant : %(status)s.") % {
            "status": moved.value.get_status_display().lower()})  # fmt: skip
    return redirect("loan_detail", loan_id=loan.pk)
