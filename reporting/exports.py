"""The annual bilan as XLSX (one sheet per indicator family: its figures with their
definitions, then its tables) and as PDF (reportlab, as the vouchers), and each table as
CSV. Counts of people under 5 are written "< 5"; tables that name people are never
exported."""

import csv
import io
from datetime import date
from xml.sax.saxutils import escape

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from bookings.documents import pdf_text
from core.formatting import long_date
from reporting.display import masked, text
from reporting.selectors import FamilyReport, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value, unit):
    """A spreadsheet cell: numbers stay numbers, small counts of people become "< 5"."""
    value = masked(value, unit) if unit else value
    if isinstance(value, Promise):  # a label of a choice
        value = str(value)
    return _safe(value)


def period_text(start: date, end: date) -> str:
    return _("du %(start)s au %(end)s") % {"start": long_date(start), "end": long_date(end)}


def _p(value, style) -> Paragraph:
    return Paragraph(escape(pdf_text(value)), style)


def exported_tables(families: list[FamilyReport]):
    for family in families:
        for table in family.tables:
            if not table.personal:
                yield family, table


def xlsx(families: list[FamilyReport], *, title: str, start: date, end: date) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for family in families:
        sheet = book.create_sheet(str(family.title)[:31])
        sheet.append([_safe(f"{title} — {period_text(start, end)}")])
        sheet.append([])
        sheet.append([_("Indicateur"), _("Valeur"), _("Définition")])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for figure in family.figures:
            sheet.append([str(figure.label), _cell(figure.value, figure.unit),
                          str(figure.definition)])  # fmt: skip
        for table in family.tables:
            if table.personal:
                continue
            sheet.append([])
            sheet.append([str(table.title)])
            sheet[sheet.max_row][0].font = bold
            sheet.append([str(h) for h in table.headers])
            for row in table.rows:
                sheet.append([_cell(v, u) for v, u in zip(row, table.units, strict=False)])
        sheet.column_dimensions["A"].width = 48
        sheet.column_dimensions["C"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_table(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_cell(v, u) for v, u in zip(row, table.units, strict=False)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def pdf(families: list[FamilyReport], *, title: str, start: date, end: date) -> bytes:
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    margin = 1.6 * cm
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=margin,
                            rightMargin=margin, topMargin=margin, bottomMargin=margin)  # fmt: skip
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
    ])  # fmt: skip
    story = [_p(title, styles["Title"]),
             _p(_("Bilan %(period)s") % {"period": period_text(start, end)},
                styles["Heading3"])]  # fmt: skip
    for number, family in enumerate(families):
        if number:
            story.append(PageBreak())
        story.append(_p(family.title, styles["Heading2"]))
        rows = [[_("Indicateur"), _("Valeur"), _("Définition")]] + [
            [_p(f.label, small), pdf_text(text(f.value, f.unit, mask=True)),
             _p(f.definition, small)]
            for f in family.figures
        ]  # fmt: skip
        story += [PdfTable(rows, colWidths=[5.5 * cm, 3 * cm, 9 * cm], style=grid,
                           repeatRows=1), Spacer(1, 8)]  # fmt: skip
        for table in family.tables:
            if table.personal or not table.rows:
                continue
            story.append(_p(table.title, styles["Heading4"]))
            body = [[_p(h, small) for h in table.headers]] + [
                [_p(text(v, u, mask=True), small) for v, u in zip(row, table.units, strict=False)]
                for row in table.rows
            ]
            story += [PdfTable(body, style=grid, repeatRows=1), Spacer(1, 8)]
    doc.build(story)
    return out.getvalue()
