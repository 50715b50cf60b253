"""A statement as documents: PDF (reportlab, the voucher's writer and fonts from
`bookings.documents`) and XLSX (openpyxl). Pure functions of the statement and its lines.

Partners read these documents: a line names the booking by its reference only — never the
person (no name, no initial, nothing of their situation). The grants are named by their
programme (the partner knows who funds the platform), loans and the platform's share as
amounts.
"""

from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from bookings.documents import BOLD, BRAND, INK, MUTED, REGULAR, pdf_text
from bookings.wording import units_text
from core.formatting import euros, short_date
from partners.services_bank import masked_iban

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 36
# (title, width in points, right-aligned)
COLUMNS = (
    (_("Date"), 58, False), (_("Référence"), 80, False), (_("Service"), 150, False),
    (_("Quantité"), 70, False), (_("Total solidaire"), 62, True), (_("Aides"), 56, True),
    (_("Prêt"), 52, True), (_("Plateforme"), 56, True), (_("Payé en ligne"), 56, True),
    (_("Payé direct."), 56, True), (_("Dû"), 62, True),
)  # fmt: skip


def line_cells(line) -> list[str]:
    what = line.service_name or line.note
    if line.kind == "no_show":
        what = _("%(service)s (absence due)") % {"service": what}
    elif line.kind == "adjustment":
        what = _("Régularisation : %(reason)s") % {"reason": line.note}
    quantity = units_text(line.units, line.unit) if line.unit else ""
    money = (line.solidarity_total, line.grant, line.loan, line.platform_share, line.paid_online,
             line.paid_directly)  # fmt: skip
    cells = [short_date(line.day), line.reference, what, quantity]
    if line.kind == "adjustment":
        cells += [""] * len(money)
    else:
        cells += [euros(x) for x in money]
    return [*cells, euros(line.owed)]


def _fit(text: str, width: float, font: str, size: float) -> str:
    """The text cut (with « … ») to fit its column."""
    text = pdf_text(text)
    while text and stringWidth(text, font, size) > width - 4:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


class _Table:
    def __init__(self, canvas: Canvas, top: float):
        self.c, self.y = canvas, top

    def row(self, cells, *, font=REGULAR, size=8, color=INK, rule=False) -> None:
        if self.y - 14 < MARGIN:
            self.c.showPage()
            self.y = PAGE_H - MARGIN
        self.y -= 13
        self.c.setFont(font, size)
        self.c.setFillColorRGB(*color)
        x = MARGIN
        for (_title, width, right), cell in zip(COLUMNS, cells, strict=True):
            text = _fit(cell, width, font, size)
            if right:
                self.c.drawRightString(x + width - 4, self.y, text)
            else:
                self.c.drawString(x, self.y, text)
            x += width
        if rule:
            self.c.setStrokeColorRGB(*MUTED)
            self.c.line(MARGIN, self.y - 4, PAGE_W - MARGIN, self.y - 4)
            self.y -= 4


def statement_pdf(settlement, lines) -> bytes:
    partner = settlement.partner
    buffer = BytesIO()
    c = Canvas(buffer, pagesize=landscape(A4))
    title = _("Relevé %(ref)s") % {"ref": settlement.reference or _("(brouillon)")}
    c.setTitle(pdf_text(title))
    c.setAuthor("Solimob")
    y = PAGE_H - MARGIN
    c.setFont(BOLD, 18)
    c.setFillColorRGB(*BRAND)
    c.drawString(MARGIN, y - 14, pdf_text(title))
    c.setFont(REGULAR, 10)
    c.setFillColorRGB(*INK)
    facts = [
        _("Partenaire : %(name)s") % {"name": partner.name},
        _("Période : du %(start)s au %(end)s") % {
            "start": short_date(settlement.period_start), "end": short_date(settlement.period_end)},
        _("Statut : %(status)s") % {"status": settlement.get_status_display()},
        _("Payé par : %(platform)s (%(account)s)") % {
            "platform": settlement.platform.name,
            "account": settings.SETTLEMENT_DEBTOR_NAME or _("compte non configuré")},
        _("Versé sur : IBAN %(iban)s, BIC %(bic)s") % {
            "iban": masked_iban(settlement.iban or partner.iban) or "—",
            "bic": settlement.bic or partner.bic or "—"},
    ]  # fmt: skip
    if settlement.paid_on:
        facts.append(_("Payé le %(day)s") % {"day": short_date(settlement.paid_on)})
    for i, fact in enumerate(facts):
        c.drawString(MARGIN, y - 34 - 13 * i, pdf_text(fact))
    table = _Table(c, y - 40 - 13 * len(facts))
    table.row([str(t) for t, _w, _r in COLUMNS], font=BOLD, color=MUTED, rule=True)
    for line in lines:
        table.row(line_cells(line))
    totals = ["", "", _("Totaux"), "", "", "", "", "", euros(settlement.total_online),
              euros(settlement.total_direct), euros(settlement.total)]  # fmt: skip
    table.row([""] * len(COLUMNS), rule=True)
    table.row(totals, font=BOLD, size=9)
    table.y -= 14
    c.setFont(BOLD, 12)
    c.setFillColorRGB(*INK)
    c.drawString(MARGIN, max(table.y, MARGIN), pdf_text(
        _("Total dû par la plateforme : %(total)s (financements %(funding)s + payé en ligne "
          "%(online)s)") % {"total": euros(settlement.total),
                             "funding": euros(settlement.total_funding),
                             "online": euros(settlement.total_online)}))  # fmt: skip
    c.setFont(REGULAR, 8)
    c.setFillColorRGB(*MUTED)
    c.drawString(MARGIN, MARGIN - 18, pdf_text(
        _("Édité le %(day)s par Solimob. Les réservations sont désignées par leur référence "
          "seule.") % {"day": short_date(timezone.localdate())}))  # fmt: skip
    c.showPage()
    c.save()
    return buffer.getvalue()


def statement_xlsx(settlement, lines) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = (settlement.reference or "brouillon")[:31]
    sheet.append([str(_("Relevé")), settlement.reference or str(_("brouillon"))])
    sheet.append([str(_("Partenaire")), settlement.partner.name])
    sheet.append([str(_("Période")), settlement.period_start, settlement.period_end])
    sheet.append([str(_("Statut")), str(settlement.get_status_display())])
    sheet.append([])
    headers = [_("Date"), _("Référence"), _("Type"), _("Service"), _("Unités"), _("Unité"),
               _("Total solidaire"), _("Aides"), _("Détail des aides"), _("Prêt"),
               _("Plateforme"), _("Part de la personne"), _("Payé en ligne"),
               _("Payé directement"), _("Dû"), _("Motif")]  # fmt: skip
    sheet.append([str(h) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in lines:
        grants = "; ".join(f"{g.programme_name} {g.amount}" for g in line.grants.all())
        sheet.append([
            line.day, line.reference, str(line.get_kind_display()), line.service_name,
            line.units, line.unit, line.solidarity_total, line.grant, grants, line.loan,
            line.platform_share, line.beneficiary_share, line.paid_online, line.paid_directly,
            line.owed, line.note,
        ])  # fmt: skip
    sheet.append([])
    sheet.append([str(_("Total dû")), settlement.total])
    sheet.append([str(_("dont financements")), settlement.total_funding])
    sheet.append([str(_("dont payé en ligne")), settlement.total_online])
    for row in sheet.iter_rows(min_row=7):
        for cell in row:
            if hasattr(cell.value, "as_tuple"):
                cell.number_format = "#,##0.00"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
