"""Finance exports, as CSV (French Excel) or XLSX: loans, instalments, the ledger, grant
awards and the consumption of each programme, for the platforms where the user is a finance
officer or an admin.

CSV: `;` between columns, UTF-8 with a byte-order mark (so Excel reads the accents), amounts
with a dot as decimal separator (« 1234.50 », no thousands separator) and dates in ISO
format (« 2026-03-31 »). XLSX: amounts are numbers and dates are dates (shown as ISO).
Text that would start a formula (=, +, -, @) is written as text, never run."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import cents, percent
from financing.enums import ArrearsBucket
from financing.models import FundingProgramme, GrantAward, Installment, Loan, LoanTransaction

ZERO = Decimal("0.00")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    name: str  # file and sheet name
    headers: list[str]
    rows: list[list]


def _person(beneficiary) -> str:
    return f"{beneficiary.last_name.upper()} {beneficiary.first_name}"


def _who(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


def _day(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def loans_table(platforms) -> Table:
    loans = (
        Loan.objects.filter(platform_id__in=platforms)
        .select_related("beneficiary__adviser", "lender")
        .annotate(principal_repaid=Sum("installments__principal_paid"))
        .order_by("pk")
    )
    buckets = dict(ArrearsBucket.choices)
    return Table(
        "prets",
        [_("N° du prêt"), _("Personne"), _("Conseiller·ère"), _("Type"), _("Prêteur"),
         _("Capital prêté"), _("Taux annuel (%)"), _("Durée (mois)"), _("Mensualités"),
         _("Différé (mois)"), _("Part garantie (%)"), _("Statut"), _("Décaissé le"),
         _("Première échéance"), _("Capital restant dû"), _("Trop-perçu"),
         _("Jours de retard"), _("Tranche de retard")],
        [
            [loan.pk, _person(loan.beneficiary), _who(loan.beneficiary.adviser),
             loan.get_kind_display(), loan.lender.name, loan.principal, loan.annual_rate,
             loan.term_months, loan.get_method_display(), loan.grace_months,
             loan.guarantee_share, loan.get_status_display(), loan.disbursed_on,
             loan.first_due_on, cents(loan.principal - (loan.principal_repaid or ZERO)),
             loan.credit_balance, loan.days_past_due,
             str(buckets.get(loan.arrears_bucket, loan.arrears_bucket))]
            for loan in loans
        ],
    )  # fmt: skip


def installments_table(platforms) -> Table:
    rows = (
        Installment.objects.filter(loan__platform_id__in=platforms)
        .select_related("loan__beneficiary")
        .order_by("loan_id", "number")
    )
    return Table(
        "echeances",
        [_("N° du prêt"), _("Personne"), _("Échéance n°"), _("Date d'échéance"),
         _("Capital dû"), _("Intérêts dus"), _("Montant dû"), _("Capital payé"),
         _("Intérêts payés"), _("Reste à payer")],
        [
            [i.loan_id, _person(i.loan.beneficiary), i.number, i.due_on, i.principal_due,
             i.interest_due, i.amount_due, i.principal_paid, i.interest_paid, i.outstanding]
            for i in rows
        ],
    )  # fmt: skip


def ledger_table(platforms) -> Table:
    entries = (
        LoanTransaction.objects.filter(loan__platform_id__in=platforms)
        .select_related("loan__beneficiary", "created_by")
        .order_by("loan_id", "value_date", "pk")
    )
    return Table(
        "ecritures",
        [_("N° de l'écriture"), _("N° du prêt"), _("Personne"), _("Type"), _("Date de valeur"),
         _("Montant"), _("Moyen de paiement"), _("Annule l'écriture n°"), _("Saisie le"),
         _("Saisie par"), _("Note")],
        [
            [e.pk, e.loan_id, _person(e.loan.beneficiary), e.get_kind_display(), e.value_date,
             e.amount, e.get_method_display() if e.method else "", e.reverses_id or "",
             _day(e.created_at), _who(e.created_by), e.note]
            for e in entries
        ],
    )  # fmt: skip


def awards_table(platforms) -> Table:
    awards = (
        GrantAward.objects.filter(programme__platform_id__in=platforms)
        .select_related("programme", "beneficiary", "booking", "decided_by")
        .order_by("programme__name", "pk")
    )
    return Table(
        "aides",
        [_("N° de l'aide"), _("Enveloppe"), _("Personne"), _("Réservation"), _("Montant"),
         _("Statut"), _("Demandée le"), _("Décidée le"), _("Décidée par")],
        [
            [a.pk, a.programme.name, _person(a.beneficiary),
             a.booking.reference if a.booking else "", a.amount, a.get_status_display(),
             _day(a.created_at), _day(a.decided_at), _who(a.decided_by)]
            for a in awards
        ],
    )  # fmt: skip


def programmes_table(platforms) -> Table:
    programmes = (
        FundingProgramme.objects.filter(platform_id__in=platforms)
        .select_related("funder")
        .annotate(available_amount=F("budget") - F("committed"))
        .order_by("name", "pk")
    )
    return Table(
        "enveloppes",
        [_("N° de l'enveloppe"), _("Enveloppe"), _("Financeur"), _("Début"), _("Fin"),
         _("Budget"), _("Engagé"), _("Versé"), _("Disponible"), _("Engagé (% du budget)"),
         _("Plafond par personne"), _("Ouverte")],
        [
            [p.pk, p.name, p.funder.name, p.starts_on, p.ends_on, p.budget, p.committed,
             p.paid, cents(p.available_amount),
             percent(p.committed, p.budget),
             p.per_beneficiary_cap if p.per_beneficiary_cap is not None else "",
             _("oui") if p.active else _("non")]
            for p in programmes
        ],
    )  # fmt: skip


TABLES = {
    "prets": loans_table,
    "echeances": installments_table,
    "ecritures": ledger_table,
    "aides": awards_table,
    "enveloppes": programmes_table,
}


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal | int):
        return str(value)  # a dot as decimal separator, no grouping
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _text(str(value))


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.name
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(table.rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, Decimal):
                cell.value = value
                cell.number_format = "0.00" if value.as_tuple().exponent == -2 else "0.###"
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif value is None or value == "":
                cell.value = None
            elif isinstance(value, int):
                cell.value = value
            else:
                cell.value = str(value)
                cell.data_type = "s"  # never a formula
    sheet.freeze_panes = "A2"
    for column, header in enumerate(table.headers, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(header) + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export(what: str, fmt: str, platforms) -> tuple[bytes, str, str]:
    """(content, content type, file name) of one export."""
    table = TABLES[what](platforms)
    content = to_csv(table) if fmt == "csv" else to_xlsx(table)
    filename = f"solimob-{table.name}-{timezone.localdate().isoformat()}.{fmt}"
    return content, FORMATS[fmt], filename
