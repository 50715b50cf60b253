"""The funder's view: its programmes only, aggregated, no person, small counts hidden."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.need_to_know import DataKind, need_to_know
from core.errors import NotFoundError
from reporting.display import text
from reporting.exports import period_text
from reporting.forms import PeriodForm
from reporting.permissions import admin_platform_ids, funder_ids_of
from reporting.selectors_funder import funder_report


@need_to_know(DataKind.FUNDER_REPORT)
def funder_dashboard(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    funders = funder_ids_of(request.user)
    platforms = None
    if not funders:  # a platform admin sees what the funders of its programmes see
        platforms = admin_platform_ids(request.user)
        if not platforms:
            raise NotFoundError("Aucun financeur.")
        funders = None
    figures, tables = funder_report(funder_ids=funders, platform_ids=platforms,
                                    start=start, end=end)  # fmt: skip
    return render(request, "reporting/funder.html", {
        "title": _("Bilan financeur"), "form": form, "period": period_text(start, end),
        "figures": [(f, text(f.value, f.unit, mask=True)) for f in figures],
        "tables": [{"table": t, "rows": [[text(v, u, mask=True) for v, u in zip(row, t.units,
                                                                              strict=False)]
                                         for row in t.rows]} for t in tables],
    }, status=400 if form.is_bound and not form.is_valid() else 200)  # fmt: skip
