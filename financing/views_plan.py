"""A booking's financing plan (HTML, French): the page where the adviser says who pays what
(grants, loans, the person's share), and the summary the booking page shows. Advisers and
finance staff of the booking's platform (`financing.permissions.can_plan`); a booking of
another platform is 404. See `financing.views_common` for wording."""

from decimal import Decimal

from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.need_to_know import DataKind, need_to_know
from accounts.scoping import platform_ids
from bookings.enums import HOLDING
from bookings.selectors import booking_list_for
from core.errors import NotFoundError
from core.formatting import euros
from core.web import run_service
from financing import plans, selectors
from financing.enums import LineKind, LoanStatus
from financing.forms import PlanLineFormSet
from financing.models import FundingProgramme
from financing.permissions import can_plan
from financing.views_common import ZERO, T, french_amounts, loan_label

OPEN_LOAN_STATUSES = (LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.DISBURSED)


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


@need_to_know(DataKind.FINANCING_PLAN)
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
    saved = run_service(
        request, plans.plan_set, form=formset, wording=french_amounts, actor=request.user,
        booking_id=booking.pk, lines=lines, success_message=_("Plan de financement enregistré."),
    )  # fmt: skip
    if not saved.ok:
        return _render_plan(request, booking, plan, formset, status=saved.status)
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
