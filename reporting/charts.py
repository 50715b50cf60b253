"""Charts drawn on the server as SVG (pygal), served as images (`<img>`) next to the data
table that gives their figures to screen readers (and to everyone).

pygal writes an inline `<script>` (its tooltip configuration) even with `js=[]`: it is cut
out here, so the SVG holds no script at all. Its colours are an inline `<style>` element,
which the page's policy (`style-src 'self'`) would refuse in the page itself: that is why
a chart is its own response (`reporting.views.chart`), whose policy alone allows inline
style — the pages' policy stays strict."""

import re
import sys
from decimal import Decimal

import pygal
from pygal.style import Style

from core.formatting import number_text
from reporting.enums import Family
from reporting.selectors import Table

# pygal puts an import hook on `sys.meta_path` for its map plugins (not used here); left in
# place, it answers every later import of the process with a deprecated call (ImportWarning).
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
STYLE = Style(
    background="white", plot_background="white", foreground="#1f2933",
    foreground_strong="#111", foreground_subtle="#52606d",
    colors=("#1f5fa8", "#c2410c", "#15803d", "#7c3aed", "#a16207"),
    font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13,
    legend_font_size=13, value_font_size=12, title_font_size=16,
)  # fmt: skip

# table key → (family, kind of chart). Every chart draws the numeric columns of its table.
CHARTS: dict[str, tuple[Family, str]] = {
    "entonnoir": (Family.REFERRALS, "funnel"),
    "orientations_mois": (Family.REFERRALS, "bar"),
    "file_active": (Family.PEOPLE, "hbar"),
    "objectifs": (Family.OUTCOMES, "bar"),
    "sorties": (Family.OUTCOMES, "hbar"),
    "reservations_mois": (Family.BOOKINGS, "bar"),
    "categories": (Family.BOOKINGS, "hbar"),
    "economies_mois": (Family.SAVINGS, "bar"),
    "enveloppes": (Family.FINANCING, "hbar"),
    "paye_personnes": (Family.FINANCING, "stacked"),
}
KINDS = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "stacked": pygal.StackedBar,
         "funnel": pygal.HorizontalBar}  # fmt: skip
# Columns not worth drawing (the FTE and the norm are read in the table).
SKIP = {"file_active": {1, 3, 4}, "sorties": {2}, "enveloppes": {2, 3, 4}}


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def render(table: Table, kind: str) -> str:
    """The SVG of a table: its first column as labels, each numeric column a series."""
    chart = KINDS[kind](
        js=[], style=STYLE, width=800, height=max(320, 36 * len(table.rows) + 120),
        legend_at_bottom=True, print_values=kind == "funnel", show_legend=True,
        value_formatter=lambda v: number_text(Decimal(str(v)).normalize()),
        disable_xml_declaration=False, title=table.title, truncate_label=40,
    )  # fmt: skip
    chart.x_labels = [str(row[0]) for row in table.rows]
    skip = SKIP.get(table.key, set())
    for column, (header, unit) in enumerate(zip(table.headers, table.units, strict=True)):
        if column == 0 or unit is None or column in skip:
            continue
        chart.add(str(header), [_number(row[column]) for row in table.rows])
    if kind == "funnel":
        chart.show_legend = False
    if not table.rows:
        chart.no_data_text = "Aucune donnée"
    return SCRIPT.sub("", chart.render(is_unicode=True))
