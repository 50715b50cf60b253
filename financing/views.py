"""Finance pages (HTML, French): grant envelopes and their awards, the loan portfolio, loans
with their schedule and ledger, the instalments of the month, late borrowers, exports; and a
booking's financing plan, built by the adviser.

Finance officers and platform admins run these pages; advisers read their platform's loans
(list and loan page, without any button) and build financing plans; anyone else gets 403,
and an object of another platform is 404. Every write goes through `financing.services` or
`financing.loans`; their errors come back in French next to the form, with their status."""

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.enums import OrganisationKind
from accounts.scoping import platform_ids
from accounts.selectors import organisation_list_for
from beneficiaries.selectors import beneficiary_list_for
from bookings.enums import HOLDING
from bookings.selectors import booking_list_for
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from financing import exports, ledger, loans, selectors, services
from financing.enums import (
    LOAN_TRANSITIONS,
    ArrearsBucket,
    AwardStatus,
    LineKind,
    LoanStatus,
    TransactionKind,
)
from financing.forms import (
    DisburseForm,
    LoanFilterForm,
    LoanForm,
    PlanLineFormSet,
    ProgrammeForm,
    RepaymentForm,
)
from financing.models import FundingProgramme, Installment, LoanTransaction
from financing.permissions import can_manage_finance, can_plan
from marketplace.display import euros

PAGE_SIZE = 25
T = "financing/"
ZERO = Decimal("0.00")
LENDER_KINDS = (OrganisationKind.FUNDER, OrganisationKind.PLATFORM)
# What a button says for each loan transition (« repaid » follows from the ledger).
TRANSITION_BUTTONS = {
    LoanStatus.APPROVED: (gettext_lazy("Accorder le prêt"), ""),
    LoanStatus.REJECTED: (gettext_lazy("Refuser la demande"), "button-danger"),
    LoanStatus.DISBURSED: (gettext_lazy("Enregistrer le décaissement"), ""),
    LoanStatus.CANCELLED: (gettext_lazy("Annuler le prêt"), "button-danger"),
    LoanStatus.DEFAULTED: (gettext_lazy("Déclarer le prêt en défaut"), "button-danger"),
    LoanStatus.WRITTEN_OFF: (gettext_lazy("Passer le prêt en perte"), "button-danger"),
}
AWARD_BUTTONS = {
    AwardStatus.REQUESTED: [
        (AwardStatus.APPROVED, gettext_lazy("Accorder"), ""),
        (AwardStatus.REJECTED, gettext_lazy("Refuser"), "button-danger"),
    ],
    AwardStatus.APPROVED: [(AwardStatus.PAID, gettext_lazy("Marquer versée"), "")],
}
OPEN_LOAN_STATUSES = (LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.DISBURSED)
AMOUNT_IN_MESSAGE = re.compile(r"(-?\d+\.\d{2})\s?€")


# --- Access and plain French ----------------------------------------------------------------


def _finance_platforms(user) -> set[int]:
    found = platform_ids(user, roles=selectors.FINANCE_ROLES)
    if not found:
        raise PermissionDeniedError(
            _("Ces pages sont réservées aux chargé·es de financement et à la coordination.")
        )
    return found


def _read_platforms(user) -> set[int]:
    found = platform_ids(user, roles=selectors.READ_ROLES)
    if not found:
        raise PermissionDeniedError(_("Ces pages sont réservées à l'équipe de la plateforme."))
    return found


def percent(part, whole) -> Decimal:
    if not whole:
        return ZERO
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def percent_text(value: Decimal) -> str:
    """« 12,5 % » (no-break space)."""
    return f"{number_format(value, 1)}\u00a0%"


def rate_text(rate: Decimal) -> str:
    """« 3 % », « 2,5 % », « 2,125 % »."""
    rate = Decimal(rate).normalize()
    decimals = max(0, -rate.as_tuple().exponent)
    return f"{number_format(rate, decimals)}\u00a0%"


def bar_width(part, whole) -> str:
    """A CSS width (dot decimal, 0–100 %) for a bar drawn next to its figures."""
    return f"{min(max(percent(part, whole), ZERO), Decimal(100))}%"


def day_text(day: date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def person_text(person) -> str:
    return f"{person.last_name.upper()} {person.first_name}"


def days_text(days: int) -> str:
    return ngettext("%(n)s jour", "%(n)s jours", days) % {"n": days}


def loan_label(loan) -> str:
    """« Microcrédit personnel accompagné de 2 000,00 € — Caisse d'Épargne (Décaissé) »."""
    return _("%(kind)s de %(amount)s — %(lender)s (%(status)s)") % {
        "kind": loan.get_kind_display(),
        "amount": euros(loan.principal),
        "lender": loan.lender.name,
        "status": loan.get_status_display().lower(),
    }


def french_amounts(message: str) -> str:
    """« 250.50 € » → « 250,50 € » in a service's message (until the services say amounts
    the French way themselves)."""
    return AMOUNT_IN_MESSAGE.sub(lambda m: euros(Decimal(m.group(1))), message)


def allocation_text(allocation) -> str:
    """« échéance 3 (intérêts 7,30 €, capital 79,94 €) ; 12,00 € gardés en avance »."""
    parts = [
        _("échéance %(n)s (intérêts %(interest)s, capital %(principal)s)")
        % {"n": n, "interest": euros(interest), "principal": euros(principal)}
        for n, interest, principal in allocation.parts
    ]
    if allocation.credit:
        parts.append(_("%(amount)s gardés en avance (trop-perçu)") % {
            "amount": euros(allocation.credit)
        })  # fmt: skip
    return " ; ".join(parts) or _("rien à payer")


# --- Programmes and awards ------------------------------------------------------------------


def _programme_row(programme) -> dict:
    budget, committed, paid = programme.budget, programme.committed, programme.paid
    return {
        "programme": programme,
        "budget": euros(budget),
        "committed": euros(committed),
        "paid": euros(paid),
        "to_pay": euros(committed - paid),
        "available": euros(budget - committed),
        "paid_width": bar_width(paid, budget),
        "pending_width": bar_width(committed - paid, budget),
        "committed_percent": percent_text(percent(committed, budget)),
        "paid_percent": percent_text(percent(paid, budget)),
        "cap": euros(programme.per_beneficiary_cap) if programme.per_beneficiary_cap else "",
        "period": (
            _("du %(start)s au %(end)s")
            % {"start": day_text(programme.starts_on), "end": day_text(programme.ends_on)}
            if programme.ends_on
            else _("depuis le %(start)s") % {"start": day_text(programme.starts_on)}
        ),
    }


@login_required
def programme_list(request):
    _finance_platforms(request.user)
    programmes = selectors.programme_list_for(user=request.user).order_by("-active", "name")
    return render(
        request, T + "programme_list.html", {"rows": [_programme_row(p) for p in programmes]}
    )


def _programme_form(user, data=None) -> ProgrammeForm:
    platforms = [o for o in organisation_list_for(user=user) if o.pk in _finance_platforms(user)]
    funders = organisation_list_for(user=user).filter(kind__in=LENDER_KINDS).order_by("name")
    return ProgrammeForm(data, platforms=platforms, funders=list(funders),
                         initial={"starts_on": timezone.localdate()})  # fmt: skip


@login_required
def programme_new(request):
    form = _programme_form(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.programme_create(actor=request.user, platform_id=data["platform"],
                funder_id=data["funder"], name=data["name"], budget=data["budget"],
                starts_on=data["starts_on"], ends_on=data["ends_on"],
                per_beneficiary_cap=data["per_beneficiary_cap"],
                eligible_categories=data["eligible_categories"],
                eligible_situations=data["eligible_situations"])  # fmt: skip
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Enveloppe « %(name)s » créée.") % {"name": programme})
            return redirect("programme_detail", programme_id=programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, T + "programme_form.html", {"form": form}, status=status)


@login_required
def programme_detail(request, programme_id: int):
    _finance_platforms(request.user)
    programme = selectors.programme_list_for(user=request.user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFoundError(_("Enveloppe introuvable."))
    awards = programme.awards.select_related("beneficiary", "booking", "decided_by").order_by(
        "-created_at", "-pk"
    )
    rows = [
        {
            "award": award,
            "person": person_text(award.beneficiary),
            "amount": euros(award.amount),
            "asked": day_text(timezone.localtime(award.created_at).date()),
            "decided": day_text(timezone.localtime(award.decided_at).date())
            if award.decided_at
            else "",
            "buttons": AWARD_BUTTONS.get(award.status, []),
        }
        for award in awards
    ]
    return render(
        request,
        T + "programme_detail.html",
        {"row": _programme_row(programme), "programme": programme, "awards": rows},
    )


@require_POST
@login_required
def award_decide(request, programme_id: int, award_id: int):
    _finance_platforms(request.user)
    to = request.POST.get("to", "")
    try:
        award = services.award_decide(actor=request.user, award_id=award_id, to=to)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Aide de %(amount)s pour %(person)s : %(status)s.") % {
            "amount": euros(award.amount), "person": person_text(award.beneficiary),
            "status": award.get_status_display().lower()})  # fmt: skip
    return redirect("programme_detail", programme_id=programme_id)


# --- Portfolio, instalments of the month, late borrowers ------------------------------------


@login_required
def portfolio(request):
    _finance_platforms(request.user)
    report = selectors.portfolio_for(user=request.user)
    most = max(report.bucket_counts.values(), default=0)
    buckets = [
        {
            "key": bucket.value,
            "label": bucket.label,
            "count": report.bucket_counts.get(bucket.value, 0),
            "outstanding": euros(report.buckets.get(bucket.value, ZERO)),
            "share": percent_text(percent(report.buckets.get(bucket.value, ZERO),
                                          report.outstanding)),
            "width": bar_width(report.bucket_counts.get(bucket.value, 0), most),
        }
        for bucket in ArrearsBucket
    ]  # fmt: skip
    groups = [
        {"lender": lender, "kind": kind, "outstanding": euros(amount),
         "share": percent_text(percent(amount, report.outstanding)),
         "width": bar_width(amount, report.outstanding)}
        for (lender, kind), amount in sorted(report.by_group.items())
    ]  # fmt: skip
    return render(request, T + "portfolio.html", {
        "report": report,
        "outstanding": euros(report.outstanding),
        "overdue": euros(report.overdue_amount),
        "at_risk_30": euros(report.at_risk_30),
        "overdue_30": euros(report.overdue_30),
        "par30": percent_text(report.par30),
        "overdue_ratio_30": percent_text(report.overdue_ratio_30),
        "buckets": buckets,
        "groups": groups,
        "exports": EXPORT_LINKS,
    })  # fmt: skip


def _month(value: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _amounts(item) -> dict:
    return {
        "amount_due": euros(item.amount_due),
        "paid": euros(item.principal_paid + item.interest_paid),
        "remaining": euros(item.outstanding),
    }


def installment_state(installment, today: date) -> tuple[str, bool]:
    """(« en retard de 12 jours, payée en partie », late?) for an instalment of a loan that
    is being repaid."""
    remaining = installment.outstanding
    paid = installment.principal_paid + installment.interest_paid
    if remaining <= 0:
        return _("payée"), False
    if installment.due_on < today:
        text = _("en retard de %(days)s") % {"days": days_text((today - installment.due_on).days)}
        if paid:
            text += _(", payée en partie")
        return text, True
    if installment.due_on == today:
        return _("à payer aujourd'hui"), False
    return (_("à venir, payée en partie") if paid else _("à venir")), False


@login_required
def installments_due(request):
    _finance_platforms(request.user)
    today = timezone.localdate()
    first = _month(request.GET.get("mois"), today)
    after = (first + timedelta(days=32)).replace(day=1)
    items = selectors.installments_due(user=request.user, start=first, end=after - timedelta(1))
    rows, total = [], ZERO
    for item in items:
        state, late = installment_state(item, today)
        total += item.outstanding
        rows.append({"item": item, "loan": item.loan, "person": person_text(item.loan.beneficiary),
                     "due_on": day_text(item.due_on), **_amounts(item), "state": state,
                     "late": late})  # fmt: skip
    previous = (first - timedelta(days=1)).replace(day=1)
    return render(request, T + "installments_due.html", {
        "rows": rows, "total": euros(total), "month": date_format(first, "F Y"),
        "count_text": ngettext("%(n)s échéance à encaisser", "%(n)s échéances à encaisser",
                               len(rows)) % {"n": len(rows)},
        "previous_url": f"?mois={previous:%Y-%m}", "next_url": f"?mois={after:%Y-%m}",
        "previous_label": date_format(previous, "F Y"), "next_label": date_format(after, "F Y"),
        "is_current": first == today.replace(day=1),
    })  # fmt: skip


def _overdue_by_loan(loan_ids, today: date) -> dict[int, Decimal]:
    rows = (
        Installment.objects.filter(loan_id__in=loan_ids, due_on__lt=today)
        .values("loan_id")
        .annotate(
            due=Sum(
                F("principal_due") + F("interest_due") - F("principal_paid") - F("interest_paid")
            )
        )  # fmt: skip
    )
    return {row["loan_id"]: row["due"] or ZERO for row in rows}


@login_required
def late_list(request):
    _finance_platforms(request.user)
    today = timezone.localdate()
    late = list(selectors.late_loans(user=request.user))
    overdue = _overdue_by_loan([loan.pk for loan in late], today)
    buckets = dict(ArrearsBucket.choices)
    rows = [
        {"loan": loan, "person": person_text(loan.beneficiary),
         "days": days_text(loan.days_past_due),
         "bucket": buckets.get(loan.arrears_bucket, loan.arrears_bucket),
         "overdue": euros(overdue.get(loan.pk, ZERO)),
         "adviser": (loan.beneficiary.adviser.get_full_name() or loan.beneficiary.adviser.email)
         if loan.beneficiary.adviser else ""}
        for loan in late
    ]  # fmt: skip
    total = sum(overdue.values(), ZERO)
    return render(request, T + "late_list.html", {
        "rows": rows, "total": euros(total),
        "count_text": ngettext("%(n)s personne en retard", "%(n)s personnes en retard",
                               len(rows)) % {"n": len(rows)},
    })  # fmt: skip


# --- Loans ----------------------------------------------------------------------------------


@login_required
def loan_list(request):
    user = request.user
    _read_platforms(user)
    form = LoanFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.loan_list_for(user=user).annotate(
        principal_repaid=Sum("installments__principal_paid")
    )
    for word in (filters.get("q") or "").split():
        found = found.filter(
            Q(beneficiary__last_name__icontains=word) | Q(beneficiary__first_name__icontains=word)
        )
    for name, lookup in (("status", "status"), ("kind", "kind"), ("bucket", "arrears_bucket")):
        if filters.get(name):
            found = found.filter(**{lookup: filters[name]})
    page = Paginator(found.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    count = page.paginator.count
    rows = [
        {"loan": loan, "person": person_text(loan.beneficiary), "principal": euros(loan.principal),
         "outstanding": euros(loan.principal - (loan.principal_repaid or ZERO))
         if loan.status in selectors.OUTSTANDING_STATUSES else "",
         "late": days_text(loan.days_past_due) if loan.days_past_due else ""}
        for loan in page.object_list
    ]  # fmt: skip
    return render(request, T + "loan_list.html", {
        "form": form, "page_obj": page, "rows": rows,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1,
                                                           on_ends=1),
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


@login_required
def loan_new(request):
    if request.method != "POST":
        initial = {"first_due_on": (timezone.localdate() + timedelta(days=31)).replace(day=5)}
        if request.GET.get("beneficiary", "").isdigit():
            initial["beneficiary"] = int(request.GET["beneficiary"])
        form = _loan_form(request.user, initial=initial)
        return render(request, T + "loan_form.html", {"form": form})
    form = _loan_form(request.user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            loan = loans.loan_create(actor=request.user, beneficiary_id=data["beneficiary"],
                kind=data["kind"], lender_id=data["lender"], principal=data["principal"],
                annual_rate=data["annual_rate"], term_months=data["term_months"],
                first_due_on=data["first_due_on"], method=data["method"],
                grace_months=data["grace_months"] or 0,
                guarantee_share=data["guarantee_share"])  # fmt: skip
        except ValidationError as exc:
            form.add_service_error(exc)
        except NotFoundError as exc:
            form.add_error("beneficiary", exc.message)
        else:
            messages.success(request, _("Prêt enregistré, avec son échéancier."))
            return redirect("loan_detail", loan_id=loan.pk)
    return render(request, T + "loan_form.html", {"form": form}, status=400)


def _loan_context(request, loan, *, repayment_form=None, disburse_form=None, error="") -> dict:
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
        schedule.append({"item": item, "due_on": day_text(item.due_on), **_amounts(item),
                         "state": state, "late": late})  # fmt: skip
    manage = can_manage_finance(request.user, loan.platform_id)
    ledger_rows = [
        {"entry": e, "value_date": day_text(e.value_date), "amount": euros(e.amount),
         "method": e.get_method_display() if e.method else "",
         "by": (e.created_by.get_full_name() or e.created_by.email) if e.created_by else "",
         "allocation": by_entry.get(e.pk, ""), "reversed": e.pk in reversed_ids,
         "can_reverse": manage and e.kind in ledger.PAYING and e.pk not in reversed_ids}
        for e in entries
    ]  # fmt: skip
    principal_left = loan.principal - sum((i.principal_paid for i in installments), ZERO)
    transitions = [
        {"to": to, "label": TRANSITION_BUTTONS[to][0], "css": TRANSITION_BUTTONS[to][1]}
        for to in sorted(LOAN_TRANSITIONS.get(loan.status, ()))
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
        "error": error,
    }  # fmt: skip


@login_required
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


@require_POST
@login_required
def loan_repayment(request, loan_id: int):
    loan = _managed_loan(request, loan_id)
    form = RepaymentForm(request.POST)
    status, error = 400, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry, allocation = loans.entry_record(
                actor=request.user, loan_id=loan.pk, kind=TransactionKind.REPAYMENT,
                amount=data["amount"], value_date=data["value_date"], method=data["method"],
                note=data["note"],
            )  # fmt: skip
        except NotFoundError:
            raise
        except ApplicationError as exc:
            status, error = exc.status, exc.message
        else:
            messages.success(request, _("Remboursement de %(amount)s enregistré. Réparti ainsi : "
                                        "%(allocation)s.") % {"amount": euros(entry.amount),
                                        "allocation": allocation_text(allocation)})  # fmt: skip
            url = reverse("loan_detail", kwargs={"loan_id": loan.pk})
            return redirect(f"{url}?ecriture={entry.pk}#ecriture-{entry.pk}")
    context = _loan_context(request, loan, repayment_form=form, error=error)
    return render(request, T + "loan_detail.html", context, status=status)


@require_POST
@login_required
def loan_entry_reverse(request, loan_id: int, entry_id: int):
    loan = _managed_loan(request, loan_id)
    entry = LoanTransaction.objects.filter(pk=entry_id, loan_id=loan.pk).first()
    if entry is None:
        raise NotFoundError(_("Écriture introuvable."))
    try:
        loans.entry_reverse(actor=request.user, transaction_id=entry.pk)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Écriture du %(day)s de %(amount)s annulée ; l'échéancier est "
                                    "recalculé.") % {"day": day_text(entry.value_date),
                                                     "amount": euros(entry.amount)})  # fmt: skip
    return redirect("loan_detail", loan_id=loan.pk)


@require_POST
@login_required
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
    try:
        loan = loans.loan_transition(actor=request.user, loan_id=loan.pk, to=to, on=on)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Le prêt est maintenant : %(status)s.") % {
            "status": loan.get_status_display().lower()})  # fmt: skip
    return redirect("loan_detail", loan_id=loan.pk)


# --- Exports --------------------------------------------------------------------------------

EXPORT_LINKS = [
    ("prets", gettext_lazy("Prêts")),
    ("echeances", gettext_lazy("Échéances")),
    ("ecritures", gettext_lazy("Écritures (remboursements, décaissements…)")),
    ("aides", gettext_lazy("Aides accordées")),
    ("enveloppes", gettext_lazy("Consommation des enveloppes")),
]


@login_required
def export(request, what: str, fmt: str):
    platforms = _finance_platforms(request.user)
    if what not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    content, content_type, filename = exports.export(what, fmt, platforms)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- A booking's financing plan -------------------------------------------------------------


def _plannable_booking(user, booking_id: int):
    booking = (
        booking_list_for(user=user)
        .filter(pk=booking_id, platform_id__in=platform_ids(user))
        .first()
    )
    if booking is None or not can_plan(user, booking.platform_id):
        raise NotFoundError(_("Réservation introuvable."))
    return booking


def _plan_choices(booking, plan):
    today = timezone.localdate()
    in_plan = [line.programme_id for line in plan.lines.all()] if plan else []
    programmes = FundingProgramme.objects.filter(
        Q(active=True, starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        | Q(pk__in=in_plan),
        platform_id=booking.platform_id,
    ).order_by("name")
    person_loans = (
        booking.beneficiary.loans.filter(status__in=OPEN_LOAN_STATUSES)
        .select_related("lender")
        .order_by("-created_at")
    )
    return (
        [(p.pk, _("%(name)s — reste %(left)s") % {"name": p.name, "left": euros(p.available)})
         for p in programmes],
        [(loan.pk, loan_label(loan)) for loan in person_loans],
    )  # fmt: skip


def plan_totals(lines, expected: Decimal) -> dict:
    """The running total of the lines that can be read ({kind, amount}), against the
    booking's total, with the difference in words and the person's share."""
    amounts = [(line.get("kind"), line.get("amount")) for line in lines]
    total = sum((amount for _kind, amount in amounts if amount is not None), ZERO)
    share = sum(
        (amount for kind, amount in amounts if amount is not None and kind == LineKind.BENEFICIARY),
        ZERO,
    )
    difference = expected - total
    if difference > 0:
        words, state = _("Il manque %(amount)s pour couvrir le total.") % {
            "amount": euros(difference)}, "short"  # fmt: skip
    elif difference < 0:
        words, state = _("Les lignes dépassent le total de %(amount)s.") % {
            "amount": euros(-difference)}, "over"  # fmt: skip
    else:
        words, state = _("Le plan couvre exactement le total."), "ok"
    return {"lines_total": euros(total), "expected": euros(expected), "words": words,
            "state": state, "share": euros(share)}  # fmt: skip


def _formset(data, booking, plan, choices):
    programmes, person_loans = choices
    kwargs = {"programmes": programmes, "loans": person_loans}
    if data is not None:
        return PlanLineFormSet(data, prefix="lignes", form_kwargs=kwargs)
    initial = [
        {"kind": line.kind, "amount": line.amount, "programme": line.programme_id,
         "loan": line.loan_id}
        for line in (plan.lines.all() if plan else [])
    ]  # fmt: skip
    formset = PlanLineFormSet(prefix="lignes", initial=initial, form_kwargs=kwargs)
    formset.extra = max(4 - len(initial), 1)
    return formset


def _read_lines(formset) -> list[dict]:
    if not formset.is_bound:
        return list(formset.initial or [])
    formset.is_valid()  # reads what it can, for the running total
    return [getattr(form, "cleaned_data", None) or {} for form in formset.forms]


def _render_plan(request, booking, plan, formset, *, status=200, partial=False):
    context = {"booking": booking, "person": booking.beneficiary, "formset": formset,
               "totals": plan_totals(_read_lines(formset), booking.total_price),
               "total": euros(booking.total_price), "active": booking.status in HOLDING,
               "summary": financing_summary(booking, plan)}  # fmt: skip
    template = "_plan_total_body.html" if partial else "booking_financing.html"
    return render(request, T + template, context, status=status)


@login_required
def booking_financing(request, booking_id: int):
    booking = _plannable_booking(request.user, booking_id)
    plan = selectors.plan_for(booking=booking)
    choices = _plan_choices(booking, plan)
    if request.method != "POST":
        return _render_plan(request, booking, plan, _formset(None, booking, plan, choices))
    formset = _formset(request.POST, booking, plan, choices)
    action = request.POST.get("action")
    if action == "total":
        return _render_plan(request, booking, plan, formset, partial=bool(request.htmx))
    if action == "add":
        data = request.POST.copy()
        data["lignes-TOTAL_FORMS"] = str(min(len(formset.forms) + 1, 20))
        return _render_plan(request, booking, plan, _formset(data, booking, plan, choices))
    if not formset.is_valid():
        return _render_plan(request, booking, plan, formset, status=400)
    lines = [form.line() for form in formset.forms if not form.is_blank()]
    try:
        services.plan_set(actor=request.user, booking_id=booking.pk, lines=lines)
    except ValidationError as exc:
        formset.non_form_errors().extend(french_amounts(m) for m in exc.messages)
        return _render_plan(request, booking, plan, formset, status=400)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        formset.non_form_errors().append(french_amounts(exc.message))
        return _render_plan(request, booking, plan, formset, status=exc.status)
    messages.success(request, _("Plan de financement enregistré."))
    return redirect(reverse("booking_detail", kwargs={"booking_id": booking.pk}) + "#financement")


def financing_summary(booking, plan=None, *, user=None) -> dict:
    """What the booking page shows of the plan: who pays what, and the person's share (the
    whole price while there is no plan)."""
    plan = plan if plan is not None else selectors.plan_for(booking=booking)
    lines = list(plan.lines.all()) if plan else []
    rows = []
    for line in lines:
        label = line.get_kind_display()
        if line.programme_id:
            label = _("Aide : %(name)s") % {"name": line.programme.name}
        elif line.loan_id:
            label = _("Prêt : %(kind)s") % {"kind": line.loan.get_kind_display()}
        rows.append({"label": label, "amount": euros(line.amount), "kind": line.kind})
    share = sum((line.amount for line in lines if line.kind == LineKind.BENEFICIARY), ZERO)
    return {
        "has_plan": bool(lines),
        "rows": rows,
        "total": euros(booking.total_price),
        "share": euros(share if lines else booking.total_price),
        "url": reverse("booking_financing", kwargs={"booking_id": booking.pk}),
        "can_edit": user is not None
        and booking.status in HOLDING
        and can_plan(user, booking.platform_id),
    }
