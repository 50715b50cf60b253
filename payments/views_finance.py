"""Reconciliation pages for finance officers (and platform admins): the payments with filters
and totals per day, what needs a look (stuck or failed payments, failed refunds), one payment
with its refunds, « synchroniser avec Stripe », a refund by hand, CSV/XLSX exports, and the
SEPA mandate of a loan."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.need_to_know import DataKind, Mode, need_to_know, platforms_where
from core.errors import NotFoundError
from core.formatting import euros
from core.paging import page_context
from core.web import page_status, run_service, submit
from financing.enums import LoanStatus
from financing.exports import FORMATS, Table, to_csv, to_xlsx
from financing.models import Loan
from payments import gateway, selectors, services, services_sepa
from payments.enums import MandateStatus, PaymentStatus
from payments.forms import PaymentFilterForm, RefundForm
from payments.models import SepaMandate

T = "payments/"
PAGE_SIZE = 25


def _person(beneficiary) -> str:
    return f"{beneficiary.last_name.upper()} {beneficiary.first_name}"


@need_to_know(DataKind.PAYMENTS, shows=[DataKind.IDENTITY])
def payment_list(request):
    user = request.user
    form = PaymentFilterForm(request.GET or None)
    filters = form.filters()
    found = selectors.payment_list_filtered(user=user, **filters)
    paging = page_context(request, found, PAGE_SIZE)
    count = paging["page_obj"].paginator.count
    rows = [{"payment": p, "person": _person(p.beneficiary), "amount": euros(p.amount),
             "refunded": euros(p.amount_refunded) if p.amount_refunded else ""}
            for p in paging["page_obj"].object_list]  # fmt: skip
    days = [
        {**row, "received": euros(row["received"]), "refunded": euros(row["refunded"]),
         "net": euros(row["net"])}
        for row in selectors.totals_per_day(found)[:31]
    ]  # fmt: skip
    return render(request, T + "payment_list.html", {
        **paging, "title": _("Paiements en ligne"), "form": form, "rows": rows,
        "count_text": ngettext("%(n)s paiement", "%(n)s paiements", count) % {"n": count},
        "filtered": any(filters.values()), "days": days, "enabled": gateway.enabled(),
        "stuck": list(selectors.stuck_payments(user=user)[:20]),
        "failed_refunds": list(selectors.failed_refunds(user=user)[:20]),
        "query": request.GET.urlencode(),
    })  # fmt: skip


@need_to_know(DataKind.PAYMENTS, shows=[DataKind.IDENTITY])
def payment_export(request, fmt: str):
    if fmt not in FORMATS:
        raise NotFoundError(_("Format inconnu."))
    form = PaymentFilterForm(request.GET or None)
    payments = selectors.payment_list_filtered(user=request.user, **form.filters())
    table = Table(
        "paiements",
        [_("N°"), _("Créé le"), _("Personne"), _("Objet"), _("Montant"), _("Remboursé"),
         _("Statut"), _("Réservation"), _("Échéance"), _("Stripe")],
        [[p.pk, timezone.localtime(p.created_at).date(), _person(p.beneficiary),
          p.get_purpose_display(), p.amount, p.amount_refunded, p.get_status_display(),
          p.booking.reference if p.booking_id else "",
          p.installment.number if p.installment_id else "", p.stripe_payment_intent_id or ""]
         for p in payments.iterator(chunk_size=500)],
    )  # fmt: skip
    content = to_csv(table) if fmt == "csv" else to_xlsx(table)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="paiements-{stamp}.{fmt}"'
    return response


def _detail(request, payment, *, form=None, status=200):
    return render(request, T + "payment_detail.html", {
        "title": _("Paiement n° %(n)s") % {"n": payment.pk}, "payment": payment,
        "person": _person(payment.beneficiary), "amount": euros(payment.amount),
        "refunded": euros(payment.amount_refunded), "refunds": list(payment.refunds.all()),
        "form": form or RefundForm(), "enabled": gateway.enabled(),
        "can_refund": payment.status == PaymentStatus.SUCCEEDED and gateway.enabled(),
    }, status=status)  # fmt: skip


@need_to_know(DataKind.PAYMENTS, shows=[DataKind.IDENTITY])
def payment_detail(request, payment_id: int):
    return _detail(request, selectors.payment_get_for(user=request.user, payment_id=payment_id))


@need_to_know(DataKind.PAYMENTS, mode=Mode.WRITE, shows=[DataKind.IDENTITY])
@require_POST
def payment_refund(request, payment_id: int):
    payment = selectors.payment_get_for(user=request.user, payment_id=payment_id)
    form = RefundForm(request.POST)
    outcome = submit(request, form, services.refund_request, payment_id=payment.pk,
                     success_message=_("Remboursement demandé : il part vers Stripe."))  # fmt: skip
    if outcome is not None and outcome.ok:
        return redirect("payment_detail", payment_id=payment.pk)
    payment = selectors.payment_get_for(user=request.user, payment_id=payment_id)
    return _detail(request, payment, form=form, status=page_status(form, outcome))


@need_to_know(DataKind.PAYMENTS, mode=Mode.WRITE)
@require_POST
def payment_sync(request, payment_id: int):
    payment = selectors.payment_get_for(user=request.user, payment_id=payment_id)
    run_service(request, services.payment_sync_for, actor=request.user, payment_id=payment.pk,
                success_message=_("Paiement relu chez Stripe."))  # fmt: skip
    return redirect("payment_detail", payment_id=payment.pk)


# --- Mandates --------------------------------------------------------------------------------


def _loan(user, loan_id: int) -> Loan:
    loan = (
        Loan.objects.filter(pk=loan_id, platform_id__in=platforms_where(user, DataKind.PAYMENTS))
        .select_related("beneficiary")
        .first()
    )
    if loan is None:
        raise NotFoundError(_("Prêt introuvable."))
    return loan


@need_to_know(DataKind.PAYMENTS, shows=[DataKind.LOANS, DataKind.IDENTITY])
def mandate_list(request):
    """The loans being repaid, with their mandate (or none yet)."""
    active = SepaMandate.objects.filter(loan=OuterRef("pk"), status=MandateStatus.ACTIVE)
    loans = (
        Loan.objects.filter(
            platform_id__in=platforms_where(request.user, DataKind.PAYMENTS),
            status__in=[LoanStatus.APPROVED, LoanStatus.DISBURSED, LoanStatus.DEFAULTED],
        )
        .annotate(has_mandate=Exists(active))
        .select_related("beneficiary")
        .order_by("has_mandate", "beneficiary__last_name", "pk")
    )
    paging = page_context(request, loans, PAGE_SIZE)
    rows = [{"loan": loan, "person": _person(loan.beneficiary),
             "url": reverse("loan_mandate", args=[loan.pk])}
            for loan in paging["page_obj"].object_list]  # fmt: skip
    return render(request, T + "mandate_list.html", {
        **paging, "title": _("Prélèvements SEPA"), "rows": rows, "enabled": gateway.enabled(),
    })  # fmt: skip


@need_to_know(DataKind.PAYMENTS, shows=[DataKind.LOANS, DataKind.IDENTITY])
def loan_mandate(request, loan_id: int):
    loan = _loan(request.user, loan_id)
    return render(request, T + "loan_mandate.html", {
        "title": _("Mandat de prélèvement de %(person)s") % {"person": _person(loan.beneficiary)},
        "loan": loan, "mandates": list(SepaMandate.objects.filter(loan=loan)[:10]),
        "enabled": gateway.enabled(),
        "debits": [
            {**row, "status": PaymentStatus(row["payments__status"]).label}
            for row in loan.installments.filter(payments__isnull=False)
            .values("number", "due_on", "payments__status", "payments__amount")
            .order_by("number")[:50]
        ],
    })  # fmt: skip


@need_to_know(DataKind.PAYMENTS, mode=Mode.WRITE)
@require_POST
def loan_mandate_send(request, loan_id: int):
    loan = _loan(request.user, loan_id)
    outcome = run_service(request, services_sepa.mandate_request, actor=request.user,
                          loan_id=loan.pk)  # fmt: skip
    if outcome.ok:
        messages.success(request, _("Le lien de signature du mandat est envoyé à la personne."))
    return redirect("loan_mandate", loan_id=loan.pk)
