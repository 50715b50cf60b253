"""Dashboards (HTML, French): the platform's (what the viewer's role sees), the funder's;
the charts as SVG images; the bilan as XLSX and PDF; each table as CSV. The period is in
the URL (`?from=&to=`, this calendar year by default), as is the platform (`?platform=`)
for people of several."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from core.csp import csp_update
from core.errors import PermissionDeniedError
from reporting import charts, exports, services
from reporting.display import text
from reporting.enums import Family
from reporting.forms import PeriodForm
from reporting.permissions import platforms_of, viewer_for
from reporting.selectors import Scope
from reporting.snapshots import report_for, snapshot_key

T = "reporting/"


def _context(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    platform = form.cleaned_data.get("platform") if form.is_valid() else None
    viewer = viewer_for(request.user, platform)
    scope = Scope((viewer.platform_id,), start, end, adviser_id=viewer.adviser_id)
    query = {"from": start.isoformat(), "to": end.isoformat(), "platform": viewer.platform_id}
    return form, viewer, scope, urlencode(query)


def _shown(family_report, viewer):
    """A family as the page shows it: figures in French, tables with their charts."""
    tables = []
    for table in family_report.tables:
        if table.personal and not viewer.sees_people:
            continue
        tables.append({
            "table": table,
            "rows": [[text(v, u) for v, u in zip(row, table.units, strict=False)]
                     + ([row[-1]] if table.personal else []) for row in table.rows],
            "chart": table.key in charts.CHARTS,
        })  # fmt: skip
    return {
        "family": family_report,
        "figures": [(f, text(f.value, f.unit)) for f in family_report.figures],
        "tables": tables,
    }


@need_to_know(DataKind.INDICATORS, audience=PLATFORM_STAFF)
def dashboard(request):
    form, viewer, scope, query = _context(request)
    report = report_for(scope)
    families = [_shown(f, viewer) for f in report.families(viewer.families)]
    platforms = platforms_of(request.user)
    if len(platforms) < 2:  # nothing to choose: the URL keeps the period only
        form.fields.pop("platform")
    title = {
        "admin": _("Indicateurs de la plateforme"),
        "adviser": _("Indicateurs de ma file active"),
        "finance_officer": _("Indicateurs financiers"),
    }[viewer.role]
    return render(request, T + "dashboard.html", {
        "title": title, "form": form, "viewer": viewer, "scope": scope, "query": query,
        "families": families, "platforms": platforms,
        "computed_at": report.computed_at,
        "refreshable": snapshot_key(scope) is not None,
        "period": exports.period_text(scope.start, scope.end),
    }, status=400 if form.is_bound and not form.is_valid() else 200)  # fmt: skip


@need_to_know(DataKind.INDICATORS, mode=Mode.READ, audience=PLATFORM_STAFF)
@require_POST
def refresh(request):
    """« Recalculer maintenant »: the platform's figures of the period (in the URL, as on the
    dashboard) computed at once and stored, then the dashboard. Reading the figures is
    enough: nothing but their snapshot is written."""
    _form, viewer, scope, query = _context(request)
    if snapshot_key(scope) is None:  # an adviser's own file: always live
        raise PermissionDeniedError(_("Ces chiffres sont toujours calculés à l'instant."))
    services.report_snapshot_refresh(
        platform_id=viewer.platform_id, start=scope.start, end=scope.end
    )
    return redirect(reverse("reporting_dashboard") + "?" + query)


@need_to_know(DataKind.INDICATORS, audience=PLATFORM_STAFF)
@csp_update({"style-src": ["'unsafe-inline'"]})
def chart(request, chart: str):
    """One chart, as an SVG image (its own policy allows the SVG's inline <style>; the SVG
    holds no script)."""
    if chart not in charts.CHARTS:
        raise Http404
    _form, viewer, scope, _query = _context(request)
    family, kind = charts.CHARTS[chart]
    if family not in viewer.families:
        raise Http404
    table = report_for(scope).family(family).table(chart)
    response = HttpResponse(charts.render(table, kind), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@need_to_know(DataKind.INDICATORS, audience=PLATFORM_STAFF)
def bilan_xlsx(request):
    _form, viewer, scope, _query = _context(request)
    families = report_for(scope).families(viewer.families)
    title = _("Bilan — %(platform)s") % {"platform": viewer.platform_name}
    content = exports.xlsx(families, title=title, start=scope.start, end=scope.end)
    return _download(content, exports.XLSX, f"bilan-{scope.start}-{scope.end}.xlsx")


@need_to_know(DataKind.INDICATORS, audience=PLATFORM_STAFF)
def bilan_pdf(request):
    _form, viewer, scope, _query = _context(request)
    families = report_for(scope).families(viewer.families)
    title = _("Bilan — %(platform)s") % {"platform": viewer.platform_name}
    content = exports.pdf(families, title=title, start=scope.start, end=scope.end)
    return _download(content, "application/pdf", f"bilan-{scope.start}-{scope.end}.pdf")


@need_to_know(DataKind.INDICATORS, audience=PLATFORM_STAFF)
def table_csv(request, table: str):
    _form, viewer, scope, _query = _context(request)
    family = next((f for f, keys in TABLE_FAMILIES.items() if table in keys), None)
    if family not in viewer.families:
        raise Http404
    found = report_for(scope).family(family).table(table)
    return _download(
        exports.csv_table(found),
        "text/csv; charset=utf-8",
        f"{table}-{scope.start}-{scope.end}.csv",
    )


# Which family holds each table (read from the builders once, by their keys).
TABLE_FAMILIES = {
    Family.REFERRALS: ("entonnoir", "prescripteurs", "refus", "orientations_mois"),
    Family.PEOPLE: ("file_active", "diagnostics"),
    Family.FOLLOW_UP: (),
    Family.OUTCOMES: ("sorties", "objectifs"),
    Family.BOOKINGS: ("categories", "partenaires", "statuts", "reservations_mois"),
    Family.SAVINGS: ("economies_mois", "economies_types"),
    Family.FINANCING: ("enveloppes", "paye_personnes"),
}
