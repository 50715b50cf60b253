"""Statements pages (HTML, French). Finance officers: the month to close, all drafts in one
action, a statement to review, issue, correct and mark paid, the transfer file, the bank
details to approve. Partners: « Mes relevés » (`views_partner`)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from accounts.platform_choice import platform_chosen
from core.web import page_status, run_service, submit
from partners import services_bank
from settlements import building, selectors, services, transfers
from settlements.api import document_response
from settlements.enums import SETTLEMENT_TRANSITIONS, SettlementStatus
from settlements.forms import AdjustForm, MarkPaidForm, MonthForm, TransferForm
from settlements.permissions import can_run_settlements


def _platform(request) -> tuple[int, list[tuple[int, str]]]:
    """The platform the page is about and the user's platforms (id, name): `?platform=`
    (or the posted `platform`) among those whose statements the user runs, the first by
    default; another platform is not found (404)."""
    asked = request.GET.get("platform") or request.POST.get("platform")
    return platform_chosen(request.user, DataKind.SETTLEMENTS, Mode.WRITE, asked=asked)


def _titled(title: str, platform_id: int, platforms) -> str:
    """The page's title, with the platform's name when the user has several."""
    return f"{title} — {dict(platforms)[platform_id]}" if len(platforms) > 1 else title


def _month(request, platform_id: int) -> tuple[MonthForm, int, int]:
    """The month asked (the previous one by default), in a form that keeps the platform."""
    year, month = building.previous_month(timezone.localdate())
    default = f"{year:04d}-{month:02d}"
    sent = request.POST if request.method == "POST" else request.GET
    form = MonthForm({"month": sent.get("month") or default, "platform": platform_id})
    if not form.is_valid():
        form = MonthForm({"month": default, "platform": platform_id})
        form.is_valid()
    return (form, *form.year_month())


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def month_to_close(request):
    platform_id, platforms = _platform(request)
    form, year, month = _month(request, platform_id)
    rows = selectors.month_to_close(platform_id=platform_id, year=year, month=month)
    start, _end = building.month_period(year, month)
    statements = selectors.settlement_list_filtered(user=request.user, period=start).filter(
        platform_id=platform_id
    )
    return render(request, "settlements/month.html", {
        "title": _titled(_("Relevés partenaires"), platform_id, platforms), "form": form,
        "rows": rows, "statements": statements, "month_value": form.cleaned_data["month"],
        "platform_id": platform_id, "platforms": platforms,
        "to_approve": selectors.bank_details_to_approve(user=request.user).count(),
    })  # fmt: skip


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def build_all(request):
    platform_id, _platforms = _platform(request)
    form, year, month = _month(request, platform_id)
    outcome = run_service(request, services.settlement_build_all, actor=request.user,
                          platform_id=platform_id, year=year, month=month)  # fmt: skip
    if outcome.ok:
        report = outcome.value
        messages.success(request, _("%(count)s brouillons préparés.") % {
            "count": len(report.built)})  # fmt: skip
        for partner, reason in report.skipped:
            messages.warning(request, f"{partner.name} : {reason}")
    query = urlencode({"month": form.cleaned_data["month"], "platform": platform_id})
    return redirect(f"{reverse('settlement_month')}?{query}")


@need_to_know(DataKind.SETTLEMENTS, audience=PLATFORM_STAFF | {"partner_manager"})
def settlement_detail(request, settlement_id: int):
    settlement = selectors.settlement_get_for(user=request.user, settlement_id=settlement_id)
    runs = can_run_settlements(request.user, settlement.platform_id)
    return render(request, "settlements/detail.html", {
        "title": _("Relevé %(ref)s") % {"ref": settlement.reference or _("(brouillon)")},
        "settlement": settlement, "lines": selectors.lines_of(settlement),
        "events": selectors.events_of(settlement) if runs else [], "runs": runs,
        "allowed": SETTLEMENT_TRANSITIONS.get(settlement.status, ()) if runs else (),
        "paid_form": MarkPaidForm(initial={"paid_on": timezone.localdate()}),
        "adjust_form": AdjustForm(),
        "adjustable": runs and settlement.status in (SettlementStatus.ISSUED,
                                                      SettlementStatus.PAID),
    })  # fmt: skip


@need_to_know(DataKind.SETTLEMENTS, audience=PLATFORM_STAFF | {"partner_manager"})
def settlement_document(request, settlement_id: int, fmt: str):
    settlement = selectors.settlement_get_for(user=request.user, settlement_id=settlement_id)
    return document_response(settlement, fmt)


def _transition(request, settlement_id: int, function, success: str, **kwargs):
    selectors.settlement_get_for(user=request.user, settlement_id=settlement_id)
    run_service(request, function, success_message=success, actor=request.user,
                settlement_id=settlement_id, **kwargs)  # fmt: skip
    return redirect("settlement_detail", settlement_id=settlement_id)


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def settlement_issue(request, settlement_id: int):
    return _transition(request, settlement_id, services.settlement_issue,
                       _("Relevé émis : le partenaire le voit dans « Mes relevés »."))  # fmt: skip


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def settlement_cancel(request, settlement_id: int):
    done = _("Brouillon annulé : ses réservations sont de nouveau à régler.")
    return _transition(request, settlement_id, services.settlement_cancel, done)


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def settlement_mark_paid(request, settlement_id: int):
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("paid_on", [])))
        return redirect("settlement_detail", settlement_id=settlement_id)
    return _transition(request, settlement_id, services.settlement_mark_paid,
                       _("Relevé marqué payé ; les aides qu'il couvre sont versées."),
                       paid_on=form.cleaned_data["paid_on"])  # fmt: skip


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def settlement_adjust(request, settlement_id: int):
    settlement = selectors.settlement_get_for(user=request.user, settlement_id=settlement_id)
    form = AdjustForm(request.POST or None)
    saved = submit(request, form, services.settlement_adjust, settlement_id=settlement.pk)
    if saved and saved.ok:
        messages.success(request, _("Régularisation enregistrée : elle sera une ligne du "
                                    "prochain relevé du partenaire."))  # fmt: skip
        return redirect("settlement_detail", settlement_id=settlement.pk)
    return render(request, "settlements/adjust.html", {
        "title": _("Corriger le relevé %(ref)s") % {"ref": settlement.reference},
        "settlement": settlement, "form": form,
    }, status=page_status(form, saved))  # fmt: skip


@need_to_know(DataKind.SETTLEMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def transfer_file(request):
    platform_id, platforms = _platform(request)
    issued = selectors.settlement_list_filtered(
        user=request.user, status=SettlementStatus.ISSUED
    ).filter(platform_id=platform_id)
    form = TransferForm(request.POST or None, settlements=issued)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            request, transfers.transfer_file, actor=request.user,
            settlement_ids=[s.pk for s in form.cleaned_data["settlements"]],
            execution_date=form.cleaned_data.get("execution_date"),
        )  # fmt: skip
        if outcome.ok:
            response = HttpResponse(outcome.value, content_type="application/xml")
            response["Content-Disposition"] = 'attachment; filename="virements-pain001.xml"'
            return response
    return render(request, "settlements/transfers.html", {
        "title": _titled(_("Fichier de virements"), platform_id, platforms), "form": form,
        "issued": issued, "platform_id": platform_id, "platforms": platforms,
    }, status=400 if form.errors else 200)  # fmt: skip


@need_to_know(DataKind.BANK_DETAILS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def bank_approvals(request):
    partners = selectors.bank_details_to_approve(user=request.user)
    return render(request, "settlements/approvals.html", {
        "title": _("Coordonnées bancaires à valider"),
        "partners": [(p, services_bank.masked_iban(p.iban)) for p in partners],
    })  # fmt: skip


@need_to_know(DataKind.BANK_DETAILS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def bank_approve(request, partner_id: int):
    run_service(request, services_bank.partner_bank_details_approve,
                success_message=_("Compte validé : les relevés de ce partenaire peuvent être "
                                  "émis et virés."),
                actor=request.user, partner_id=partner_id)  # fmt: skip
    return redirect("settlement_bank_approvals")
