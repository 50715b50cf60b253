"""The agenda's set-up pages for the platform's staff: the week of an adviser, places,
opening hours (rules) and closures. Each view gets a scoped object, calls one service,
then renders or redirects."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from agenda import forms, selectors, services
from agenda.generation import agenda_tz
from agenda.links import adviser_feed_url
from agenda.models import AgendaClosure, AppointmentKind
from agenda.notifications import place_text
from agenda.permissions import agenda_platforms, appointment_platforms
from core.errors import PermissionDeniedError, get_or_not_found
from core.formatting import day_label, hm
from core.web import page_status, run_service, submit
from partners.enums import WEEKDAY_LABELS


def posted(request):
    """The form's data on a POST (even an empty one: its errors show), else unbound."""
    return request.POST if request.method == "POST" else None


FOR_STAFF = _("L'agenda est réservé à l'équipe de la plateforme.")


def platform_of(user, kind: DataKind = DataKind.AGENDA) -> int:
    """The platform whose agenda the user works on (staff belong to one platform)."""
    ids = agenda_platforms(user) if kind == DataKind.AGENDA else appointment_platforms(user)
    if not ids:
        raise PermissionDeniedError(FOR_STAFF)
    return min(ids)


def advisers_of(platform_id: int):
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation_id=platform_id, memberships__active=True,
            memberships__role__in=[Role.ADVISER, Role.ADMIN], is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )  # fmt: skip


def _week_start(request) -> datetime:
    tz = agenda_tz()
    try:
        day = date.fromisoformat(request.GET.get("semaine", ""))
    except ValueError:
        day = timezone.now().astimezone(tz).date()
    day -= timedelta(days=day.weekday())
    return datetime.combine(day, time(0), tzinfo=tz)


@need_to_know(DataKind.AGENDA, DataKind.APPOINTMENTS, audience=PLATFORM_STAFF)
def agenda_week(request):
    """An adviser's week, day by day: appointments and sessions, with links to each."""
    platform_id = platform_of(request.user)
    advisers = list(advisers_of(platform_id))
    chosen = request.user
    wanted = request.GET.get("conseiller", "")
    if wanted.isdigit():
        chosen = next((a for a in advisers if a.pk == int(wanted)), chosen)
    start = _week_start(request)
    appointments, sessions = selectors.adviser_week(
        user=request.user, adviser_id=chosen.pk, start=start
    )
    tz, today = agenda_tz(), timezone.localdate()
    days = []
    for offset in range(7):
        day = (start + timedelta(days=offset)).date()
        items = [
            {"at": a.starts_at, "appointment": a, "place": a.place.name}
            for a in appointments if a.starts_at.astimezone(tz).date() == day
        ] + [
            {"at": s.starts_at, "session": s, "place": s.place.name}
            for s in sessions if s.starts_at.astimezone(tz).date() == day
        ]  # fmt: skip
        items.sort(key=lambda item: item["at"])
        for item in items:
            item["time"] = hm(item["at"].astimezone(tz).time(), minutes=True)
        days.append({"label": day_label(day, today), "items": items})
    return render(request, "agenda/week.html", {
        "title": _("Agenda"), "days": days, "advisers": advisers, "chosen": chosen,
        "previous": (start - timedelta(days=7)).date().isoformat(),
        "next": (start + timedelta(days=7)).date().isoformat(),
        "feed_url": adviser_feed_url(request.user) if chosen == request.user else "",
    })  # fmt: skip


@need_to_know(DataKind.AGENDA, audience=PLATFORM_STAFF)
def place_list(request):
    platform_id = platform_of(request.user)
    form = forms.PlaceForm(posted(request))
    outcome = submit(request, form, services.place_save, platform_id=platform_id)
    if outcome is not None and outcome.ok:
        return redirect("agenda_places")
    places = selectors.places_for(request.user).order_by("name")
    rows = [{"place": p, "address": place_text(p)} for p in places]
    return render(request, "agenda/places.html", {
        "title": _("Lieux de rendez-vous"), "rows": rows, "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.AGENDA, audience=PLATFORM_STAFF)
def place_edit(request, place_id: int):
    place = selectors.place_get_for(user=request.user, place_id=place_id)
    initial = {
        "name": place.name, "kind": place.kind, "address": place.address,
        "commune": place.commune.name, "accessible": place.accessible,
        "access_notes": place.access_notes, "active": place.active,
    }  # fmt: skip
    form = forms.PlaceForm(posted(request), initial=initial)
    outcome = submit(request, form, services.place_save, platform_id=place.platform_id,
                     place_id=place.pk)  # fmt: skip
    if outcome is not None and outcome.ok:
        return redirect("agenda_places")
    return render(request, "agenda/place_form.html", {
        "title": place.name, "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


def _rule_row(rule) -> dict:
    days = ", ".join(str(dict(WEEKDAY_LABELS)[d]) for d in rule.weekdays)
    return {
        "rule": rule, "days": days,
        "hours": f"{hm(rule.start_time, minutes=True)} – {hm(rule.end_time, minutes=True)}",
    }  # fmt: skip


@need_to_know(DataKind.AGENDA, audience=PLATFORM_STAFF)
def rule_list(request):
    """Opening hours of each adviser at each place, and the form to add one."""
    platform_id = platform_of(request.user)
    services.kinds_ensure(platform_id=platform_id)
    form = forms.RuleForm(
        posted(request), advisers=advisers_of(platform_id),
        places=selectors.places_for(request.user).filter(active=True),
        kinds=AppointmentKind.objects.filter(platform_id=platform_id),
    )  # fmt: skip
    outcome = submit(request, form, services.rule_create)
    if outcome is not None and outcome.ok:
        return redirect("agenda_rules")
    rules = selectors.rules_for(request.user).order_by("adviser__last_name", "start_time")
    return render(request, "agenda/rules.html", {
        "title": _("Horaires des conseillers"), "rows": [_rule_row(r) for r in rules],
        "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.AGENDA, audience=PLATFORM_STAFF)
def rule_edit(request, agenda_rule_id: int):
    """Change an opening rule: its adviser, place, kind, days, hours, dates."""
    rule = get_or_not_found(selectors.rules_for(request.user), agenda_rule_id,
                            _("Horaire introuvable."))  # fmt: skip
    platform_id = rule.place.platform_id
    initial = {
        "adviser": rule.adviser_id, "place": rule.place_id, "kind": rule.kind_id,
        "weekdays": [str(d) for d in rule.weekdays], "start_time": rule.start_time,
        "end_time": rule.end_time, "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
    }  # fmt: skip
    form = forms.RuleForm(
        posted(request), initial=initial, advisers=advisers_of(platform_id),
        places=selectors.places_for(request.user).filter(active=True),
        kinds=AppointmentKind.objects.filter(platform_id=platform_id),
    )  # fmt: skip
    outcome = submit(request, form, services.rule_update, rule_id=rule.pk,
                     success_message=_("Horaire enregistré."))  # fmt: skip
    if outcome is not None and outcome.ok:
        return redirect("agenda_rules")
    return render(request, "agenda/rule_form.html", {
        "title": _("Modifier un horaire"), "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.AGENDA, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def rule_delete(request, agenda_rule_id: int):
    rule = selectors.rules_for(request.user).filter(pk=agenda_rule_id).first()
    if rule is not None:
        run_service(request, services.rule_delete, actor=request.user, rule_id=rule.pk,
                    success_message=_("Horaire supprimé."))  # fmt: skip
    return redirect("agenda_rules")


@need_to_know(DataKind.AGENDA, audience=PLATFORM_STAFF)
def closure_list(request):
    platform_id = platform_of(request.user)
    form = forms.ClosureForm(
        posted(request), advisers=advisers_of(platform_id),
        places=selectors.places_for(request.user),
    )  # fmt: skip
    outcome = submit(request, form, services.closure_create, platform_id=platform_id)
    if outcome is not None and outcome.ok:
        return redirect("agenda_closures")
    closures = AgendaClosure.objects.filter(
        platform_id=platform_id, ends_at__gt=timezone.now()
    ).select_related("adviser", "place")
    return render(request, "agenda/closures.html", {
        "title": _("Fermetures et absences"), "closures": closures, "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.AGENDA, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def closure_delete(request, agenda_closure_id: int):
    closure = AgendaClosure.objects.filter(
        pk=agenda_closure_id, platform_id=platform_of(request.user)
    ).first()
    if closure is not None:
        run_service(request, services.closure_delete, actor=request.user,
                    closure_id=closure.pk, success_message=_("Fermeture supprimée."))  # fmt: skip
    return redirect("agenda_closures")
