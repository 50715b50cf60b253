"""Finance pages about the whole portfolio (HTML, French): the portfolio at a glance, the
instalments of the month, late borrowers, and the exports. Finance officers and platform
admins only; see `financing.views_common` for access and wording."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.need_to_know import DataKind, need_to_know
from core.formatting import euros, percent, percent_text, short_date
from financing import exports, selectors
from financing.enums import ArrearsBucket
from financing.models import Installment
from financing.views_common import (
    ZERO,
    T,
    _amounts,
    _finance_platforms,
    bar_width,
    days_text,
    installment_state,
    person_text,
)

# --- Portfolio, instalments of the month, late borrowers ------------------------------------


@need_to_know(DataKind.PORTFOLIO)
def portfolio(request):
    _finance_platforms(request.user)
    report = selectors.portfolio_for(user=request.user)
    most = max(report.bucket_counts.values(), default=0)
    buckets = [
        {
            "name": bucket.label,
            "detail": report.bucket_counts.get(bucket.value, 0),
            "outstanding": euros(report.buckets.get(bucket.value, ZERO)),
            "share": percent_text(percent(report.buckets.get(bucket.value, ZERO),
                                          report.outstanding)),
            "width": bar_width(report.bucket_counts.get(bucket.value, 0), most),
            "bar": f"bucket-{number}",
        }
        for number, bucket in enumerate(ArrearsBucket, start=1)
    ]  # fmt: skip
    groups = [
        {"name": lender, "detail": kind, "outstanding": euros(amount),
         "share": percent_text(percent(amount, report.outstanding)),
         "width": bar_width(amount, report.outstanding)}
        for (lender, kind), amount in sorted(report.by_group.items())
    ]  # fmt: skip
    return render(request, T + "portfolio.html", {
        "title": _("Portefeuille de prêts"),
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


@need_to_know(DataKind.PORTFOLIO)
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
                     "due_on": short_date(item.due_on), **_amounts(item), "state": state,
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


@need_to_know(DataKind.PORTFOLIO)
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


# --- Exports --------------------------------------------------------------------------------

EXPORT_LINKS = [
    ("prets", gettext_lazy("Prêts")),
    ("echeances", gettext_lazy("Échéances")),
    ("ecritures", gettext_lazy("Écritures (remboursements, décaissements…)")),
    ("aides", gettext_lazy("Aides accordées")),
    ("enveloppes", gettext_lazy("Consommation des enveloppes")),
]


@need_to_know(DataKind.PORTFOLIO)
def export(request, what: str, fmt: str):
    platforms = _finance_platforms(request.user)
    if what not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    content, content_type, filename = exports.export(what, fmt, platforms)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
