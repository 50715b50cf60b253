"""The platform's appointment kinds, set by its admins (issue 16: diagnostic 90 min,
follow-up 45 min, collective session of at most 5 seats...), with the audit log like the
platform's other rules. Advisers, partners and the others get 403."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know, platforms_where
from agenda import forms, services_kinds
from agenda.enums import KindCategory
from agenda.models import AppointmentKind
from agenda.views_staff import posted
from core.errors import get_or_not_found
from core.web import page_status, submit

ADMINS = {"mode": Mode.WRITE, "audience": PLATFORM_STAFF}
SAVED = gettext_lazy("Type de rendez-vous enregistré.")


def _platform(user) -> int:
    ids = platforms_where(user, DataKind.RULES, Mode.WRITE)
    if not ids:
        raise services_kinds.admins_only()
    return min(ids)


@need_to_know(DataKind.RULES, **ADMINS)
def kind_list(request):
    """The platform's kinds, and the form to add the kind of a category it lacks."""
    platform_id = _platform(request.user)
    kinds = list(AppointmentKind.objects.filter(platform_id=platform_id))
    missing = set(KindCategory.values) - {k.category for k in kinds}
    form = forms.KindCreateForm(posted(request), missing=missing) if missing else None
    outcome = None
    if form is not None:
        outcome = submit(request, form, services_kinds.kind_save, platform_id=platform_id,
                         success_message=SAVED)  # fmt: skip
    if outcome is not None and outcome.ok:
        return redirect("agenda_kinds")
    return render(request, "agenda/kinds.html", {
        "title": _("Types de rendez-vous"), "kinds": kinds, "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.RULES, **ADMINS)
def kind_edit(request, appointment_kind_id: int):
    platform_id = _platform(request.user)
    kind = get_or_not_found(
        AppointmentKind.objects.filter(platform_id=platform_id), appointment_kind_id,
        _("Type de rendez-vous introuvable."),
    )  # fmt: skip
    initial = {field: getattr(kind, field) for field in services_kinds.FIELDS}
    form = forms.KindForm(posted(request), initial=initial)
    outcome = submit(request, form, services_kinds.kind_save, platform_id=platform_id,
                     kind_id=kind.pk, success_message=SAVED)  # fmt: skip
    if outcome is not None and outcome.ok:
        return redirect("agenda_kinds")
    return render(request, "agenda/kind_form.html", {
        "title": kind.name, "kind": kind, "form": form,
    }, status=page_status(form, outcome))  # fmt: skip
