"""Partner portal (HTML, French). Partner managers run their profile, services, opening rules,
closures and calendar; partner staff read the same pages; platform admins act on the partners
they manage. Each view gets a scoped object, calls one service, then renders or redirects."""

from calendar import monthrange
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions as account_permissions
from core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from partners import permissions, selectors, services
from partners.enums import WEEKDAY_LABELS, BookingMode, PartnerStatus
from partners.forms import ClosureForm, PartnerProfileForm, RuleForm, ServiceForm
from partners.models import Partner, Service

STATUS_HELP = {
    PartnerStatus.DRAFT: gettext_lazy(
        "Votre profil n'est pas encore visible des conseillers. Complétez-le, puis publiez-le."
    ),
    PartnerStatus.PUBLISHED: gettext_lazy(
        "Votre profil est visible des conseillers de la plateforme : ils peuvent réserver vos "
        "services publiés pour les personnes qu'ils accompagnent."
    ),
    PartnerStatus.SUSPENDED: gettext_lazy(
        "La plateforme a suspendu votre profil : il n'est plus visible et personne ne peut "
        "réserver. Contactez la coordination de la plateforme."
    ),
}
CALENDAR_VIEWS = ("semaine", "mois")
# Calendar dates outside this range fall back to today (and never overflow).
CALENDAR_BOUNDS = (date(2000, 1, 1), date(2100, 12, 31))


# --- Access ---------------------------------------------------------------------------------


def portal_partners(user) -> list[Partner]:
    """Partners whose portal this user may open: their own; those a platform admin manages."""
    is_admin = account_permissions.is_platform_admin(user)
    if not (is_admin or account_permissions.is_partner_member(user)):
        return []
    partners = selectors.partner_list_for(user=user)
    if is_admin:
        partners = partners.prefetch_related("agreements")
    return [p for p in partners if permissions.can_view_partner_portal(user, p)]


def _partner(user, partner_id: int, *, manage: bool = False) -> tuple[Partner, bool]:
    """The partner and whether the user may change it. Invisible → 404; read-only → 403."""
    partner = selectors.partner_get_for(user=user, partner_id=partner_id)
    can_manage = permissions.can_manage_partner(user, partner)
    if not (can_manage or permissions.can_view_partner_portal(user, partner)):
        raise NotFoundError(_("Partenaire introuvable."))
    if manage and not can_manage:
        raise PermissionDeniedError(
            _("Votre rôle permet de consulter ces informations, pas de les modifier.")
        )
    return partner, can_manage


def _service(user, service_id: int, *, manage: bool = False) -> tuple[Service, bool]:
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise NotFoundError(_("Service introuvable."))
    try:
        partner, can_manage = _partner(user, service.partner_id, manage=manage)
    except NotFoundError:
        raise NotFoundError(_("Service introuvable.")) from None
    service.partner = partner
    return service, can_manage


def _submit(form, service_function, **kwargs):
    """Call a service with a valid form's data; its errors go next to the fields.
    Returns what the service returns, or None when it refused."""
    try:
        return service_function(**kwargs)
    except ValidationError as exc:
        form.add_service_error(exc)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    return None


def _act(request, service_function, success: str, **kwargs) -> bool:
    """Call a one-button service; say what happened in a message."""
    try:
        service_function(actor=request.user, **kwargs)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


# --- Plain French -----------------------------------------------------------------------


def _hm(at: time, *, minutes: bool = False) -> str:
    """« 9 h », « 9 h 30 » (« 9 h 00 » with minutes=True)."""
    if at.minute or minutes:
        return f"{at.hour} h {at.minute:02d}"
    return f"{at.hour} h"


def _weekdays_label(days) -> str:
    names = dict(WEEKDAY_LABELS)
    days = sorted(set(days))
    if not days:
        return ""
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return _("du %(first)s au %(last)s") % {
            "first": names[days[0]],
            "last": names[days[-1]],
        }
    labels = [str(names[d]) for d in days]
    if len(labels) == 1:
        return labels[0]
    return _("%(list)s et %(last)s") % {"list": ", ".join(labels[:-1]), "last": labels[-1]}


def _long_date(day: date) -> str:
    return date_format(day, "l j F Y")


def _rule_row(rule, service: Service, today: date) -> dict:
    if rule.valid_until:
        validity = _("du %(start)s au %(end)s") % {
            "start": _long_date(rule.valid_from),
            "end": _long_date(rule.valid_until),
        }
    else:
        validity = _("à partir du %(start)s, sans date de fin") % {
            "start": _long_date(rule.valid_from)
        }
    return {
        "rule": rule,
        "days": _weekdays_label(rule.weekdays),
        "hours": f"{_hm(rule.start_time)} – {_hm(rule.end_time)}",
        "slot": (
            _("%(minutes)s minutes") % {"minutes": rule.slot_minutes}
            if service.booking_mode == BookingMode.SLOT
            else _("la journée")
        ),
        "validity": validity,
        "expired": rule.valid_until is not None and rule.valid_until < today,
    }


def _closure_row(closure, tz: ZoneInfo) -> dict:
    """« du lundi 24 décembre 2026 au vendredi 1 janvier 2027 inclus », in local time."""
    start = closure.starts_at.astimezone(tz)
    end = closure.ends_at.astimezone(tz)
    start_text = _long_date(start.date())
    if start.time() != time(0):
        start_text += ", " + _hm(start.time(), minutes=True)
    if end.time() == time(0):  # midnight: the closure ends with the day before
        end_text = _("%(day)s inclus") % {"day": _long_date(end.date() - timedelta(days=1))}
    else:
        end_text = _long_date(end.date()) + ", " + _hm(end.time(), minutes=True)
    return {
        "closure": closure,
        "period": _("du %(start)s au %(end)s") % {"start": start_text, "end": end_text},
    }


# --- Pages ----------------------------------------------------------------------------------


@login_required
def portal(request):
    user = request.user
    if not (
        account_permissions.is_partner_member(user) or account_permissions.is_platform_admin(user)
    ):
        raise NotFoundError(_("Page introuvable."))
    partners = portal_partners(user)
    if len(partners) == 1:
        return redirect("partner_dashboard", partner_id=partners[0].pk)
    return render(request, "partners/portal.html", {"partners": partners})


@login_required
def dashboard(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id)
    service_list = partner.services.annotate(
        next_available_at=selectors.next_available_subquery(timezone.now())
    ).order_by("name", "pk")
    return render(
        request,
        "partners/dashboard.html",
        {
            "partner": partner,
            "can_manage": can_manage,
            "status_help": STATUS_HELP.get(partner.status, ""),
            "services": service_list,
            "conflicts": selectors.conflict_list(partner=partner),
        },
    )


@login_required
def profile_edit(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id, manage=True)
    form = PartnerProfileForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        updated = _submit(
            form,
            services.partner_update_profile,
            actor=request.user,
            partner_id=partner.pk,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, _("Profil enregistré."))
            return redirect("partner_dashboard", partner_id=partner.pk)
    return render(
        request,
        "partners/profile_form.html",
        {"partner": partner, "can_manage": can_manage, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def partner_publish(request, partner_id: int):
    partner, _can_manage = _partner(request.user, partner_id, manage=True)
    if _act(
        request,
        services.partner_publish,
        _("Votre profil est publié : les conseillers peuvent maintenant le voir."),
        partner_id=partner.pk,
    ):
        return redirect("partner_dashboard", partner_id=partner.pk)
    return redirect("partner_profile_edit", partner_id=partner.pk)


@login_required
def service_create(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id, manage=True)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = _submit(
            form,
            services.service_create,
            actor=request.user,
            partner_id=partner.pk,
            **form.cleaned_data,
        )
        if service is not None:
            messages.success(
                request,
                _("Service créé. Ajoutez ses horaires d'ouverture, puis publiez-le."),
            )
            return redirect("service_detail", service_id=service.pk)
    return render(
        request,
        "partners/service_form.html",
        {"partner": partner, "can_manage": can_manage, "form": form, "service": None},
        status=400 if form.errors else 200,
    )


@login_required
def service_edit(request, service_id: int):
    service, can_manage = _service(request.user, service_id, manage=True)
    form = ServiceForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        updated = _submit(
            form,
            services.service_update,
            actor=request.user,
            service_id=service.pk,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, _("Service enregistré."))
            return redirect("service_detail", service_id=service.pk)
    return render(
        request,
        "partners/service_form.html",
        {"partner": service.partner, "can_manage": can_manage, "form": form, "service": service},
        status=400 if form.errors else 200,
    )


@login_required
def service_detail(request, service_id: int):
    """Everything about one service; a POST adds an opening rule."""
    service, can_manage = _service(request.user, service_id, manage=request.method == "POST")
    form = RuleForm(request.POST or None, service=service) if can_manage else None
    if request.method == "POST" and form.is_valid():
        rule = _submit(
            form,
            services.rule_create,
            actor=request.user,
            service_id=service.pk,
            **form.service_fields(),
        )
        if rule is not None:
            messages.success(request, _("Horaires ajoutés : les créneaux sont créés."))
            return redirect("service_detail", service_id=service.pk)
    today = timezone.now().astimezone(ZoneInfo(service.partner.timezone)).date()
    rules = [_rule_row(rule, service, today) for rule in service.rules.all()]
    return render(
        request,
        "partners/service_detail.html",
        {
            "partner": service.partner,
            "service": service,
            "can_manage": can_manage,
            "rules": rules,
            "form": form,
            "gaps": [] if service.published else selectors.publication_gaps(service=service),
            "is_period": service.booking_mode == BookingMode.PERIOD,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def service_publish(request, service_id: int):
    service, _can_manage = _service(request.user, service_id, manage=True)
    _act(
        request,
        services.service_publish,
        _("Service publié : les conseillers peuvent le réserver."),
        service_id=service.pk,
    )
    return redirect("service_detail", service_id=service.pk)


@login_required
@require_POST
def service_unpublish(request, service_id: int):
    service, _can_manage = _service(request.user, service_id, manage=True)
    _act(
        request,
        services.service_unpublish,
        _("Service retiré : il n'est plus proposé aux conseillers."),
        service_id=service.pk,
    )
    return redirect("service_detail", service_id=service.pk)


@login_required
@require_POST
def service_delete(request, service_id: int):
    service, _can_manage = _service(request.user, service_id, manage=True)
    deleted = _act(
        request,
        services.service_delete,
        _("Service « %(name)s » supprimé.") % {"name": service.name},
        service_id=service.pk,
    )
    if deleted:
        return redirect("partner_dashboard", partner_id=service.partner_id)
    return redirect("service_detail", service_id=service.pk)


@login_required
@require_POST
def rule_delete(request, service_id: int, rule_id: int):
    service, _can_manage = _service(request.user, service_id, manage=True)
    rule = service.rules.filter(pk=rule_id).first()
    if rule is None:
        raise NotFoundError(_("Règle introuvable."))
    _act(request, services.rule_delete, _("Horaires supprimés."), rule_id=rule.pk)
    return redirect("service_detail", service_id=service.pk)


@login_required
def closures(request, partner_id: int):
    """Closures, upcoming first; a POST adds one."""
    partner, can_manage = _partner(request.user, partner_id, manage=request.method == "POST")
    form = ClosureForm(request.POST or None, partner=partner) if can_manage else None
    if request.method == "POST" and form.is_valid():
        closure = _submit(
            form,
            services.closure_create,
            actor=request.user,
            partner_id=partner.pk,
            **form.service_fields(),
        )
        if closure is not None:
            messages.success(request, _("Fermeture enregistrée : les créneaux sont mis à jour."))
            return redirect("partner_closures", partner_id=partner.pk)
    tz = ZoneInfo(partner.timezone)
    now = timezone.now()
    listed = partner.closures.select_related("service")
    return render(
        request,
        "partners/closures.html",
        {
            "partner": partner,
            "can_manage": can_manage,
            "form": form,
            "upcoming": [
                _closure_row(c, tz) for c in listed.filter(ends_at__gt=now).order_by("starts_at")
            ],
            "past": [
                _closure_row(c, tz)
                for c in listed.filter(ends_at__lte=now).order_by("-starts_at")[:20]
            ],
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def closure_delete(request, partner_id: int, closure_id: int):
    partner, _can_manage = _partner(request.user, partner_id, manage=True)
    closure = partner.closures.filter(pk=closure_id).first()
    if closure is None:
        raise NotFoundError(_("Fermeture introuvable."))
    _act(request, services.closure_delete, _("Fermeture supprimée."), closure_id=closure.pk)
    return redirect("partner_closures", partner_id=partner.pk)


# --- Calendar -------------------------------------------------------------------------------


def _calendar_params(request, today: date) -> tuple[str, date]:
    view = request.GET.get("vue")
    if view not in CALENDAR_VIEWS:
        view = CALENDAR_VIEWS[0]
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = today
    if not CALENDAR_BOUNDS[0] <= day <= CALENDAR_BOUNDS[1]:
        day = today
    return view, day


def _slot_row(slot, tz: ZoneInfo) -> dict:
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    return {
        "start": _hm(start.time(), minutes=True),
        "end": _hm(end.time(), minutes=True),
        "reserved": slot.reserved,
        "capacity": slot.capacity,
        "full": slot.reserved >= slot.capacity,
    }


@login_required
def service_calendar(request, service_id: int):
    service, can_manage = _service(request.user, service_id)
    tz = ZoneInfo(service.partner.timezone)
    today = timezone.now().astimezone(tz).date()
    view, day = _calendar_params(request, today)
    if view == "mois":
        first = day.replace(day=1)
        after = first + timedelta(days=monthrange(first.year, first.month)[1])
        previous, following = (first - timedelta(days=1)).replace(day=1), after
    else:
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
        previous, following = first - timedelta(days=7), after

    def local_midnight(d: date) -> datetime:
        return datetime.combine(d, time(0)).replace(tzinfo=tz)

    by_day: dict[date, list] = defaultdict(list)
    for slot in selectors.slot_list(
        service=service, start=local_midnight(first), end=local_midnight(after)
    ):
        by_day[slot.starts_at.astimezone(tz).date()].append(slot)

    days = []
    for offset in range((after - first).days):
        d = first + timedelta(days=offset)
        slots = by_day.get(d, [])
        capacity = sum(s.capacity for s in slots)
        reserved = sum(s.reserved for s in slots)
        days.append(
            {
                "date": d,
                "iso": d.isoformat(),
                "is_today": d == today,
                "slots": [_slot_row(s, tz) for s in slots],
                "count": len(slots),
                "capacity": capacity,
                "reserved": reserved,
                "full": bool(slots) and reserved >= capacity,
            }
        )
    weeks = []
    if view == "mois":  # a Monday-first grid, blank cells around the month
        cells = [None] * first.weekday() + days
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]

    base = reverse("service_calendar", args=[service.pk])
    return render(
        request,
        "partners/calendar.html",
        {
            "partner": service.partner,
            "service": service,
            "can_manage": can_manage,
            "view": view,
            "first": first,
            "last": after - timedelta(days=1),
            "days": days,
            "weeks": weeks,
            "weekday_names": [label for _day, label in WEEKDAY_LABELS],
            "total_slots": sum(d["count"] for d in days),
            "previous_url": f"{base}?vue={view}&date={previous.isoformat()}",
            "next_url": f"{base}?vue={view}&date={following.isoformat()}",
            "today_url": f"{base}?vue={view}",
            "week_url": f"{base}?vue=semaine&date={day.isoformat()}",
            "month_url": f"{base}?vue=mois&date={day.isoformat()}",
            "week_base": f"{base}?vue=semaine&date=",
            "timezone_name": service.partner.timezone,
        },
    )
