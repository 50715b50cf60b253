"""Partner portal (HTML, French). Partner managers run their profile, services, opening rules,
closures and calendar; partner staff read the same pages; platform admins act on the partners
they manage. Each view gets a scoped object, calls one service, then renders or redirects."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as account_permissions
from accounts.need_to_know import DataKind, Mode, need_to_know
from core.errors import NotFoundError, PermissionDeniedError
from core.web import page_status, run_service, submit
from partners import availability, display, permissions, selectors, services
from partners.enums import BookingMode
from partners.forms import AgreementForm, ClosureForm, PartnerProfileForm
from partners.forms_services import RuleForm, ServiceForm
from partners.hooks import partner_dashboard_panels
from partners.models import Partner, Service

# --- Access ---------------------------------------------------------------------------------


def portal_partners(user) -> list[Partner]:
    """Partners whose portal this user may open."""
    return selectors.portal_partner_list(user=user)


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
    service = selectors.service_get(service_id=service_id)
    try:
        partner, can_manage = _partner(user, service.partner_id, manage=manage)
    except NotFoundError:
        raise NotFoundError(_("Service introuvable.")) from None
    service.partner = partner
    return service, can_manage


def _act(request, service_function, success: str, **kwargs) -> bool:
    """Call a one-button service; say what happened in a message."""
    return run_service(
        request, service_function, success_message=success, actor=request.user, **kwargs
    ).ok


# --- Pages ----------------------------------------------------------------------------------


@need_to_know(DataKind.PARTNER_PROFILE)
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


@need_to_know(DataKind.PARTNER_PROFILE)
def dashboard(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id)
    return render(
        request,
        "partners/dashboard.html",
        {
            "partner": partner,
            "can_manage": can_manage,
            "status_help": display.STATUS_HELP.get(partner.status, ""),
            "services": selectors.partner_service_list(partner=partner),
            "conflicts": selectors.conflict_list(partner=partner),
            "agreements": _agreement_rows(partner),
            "can_set_agreement": account_permissions.is_platform_admin(request.user),
            "panels": partner_dashboard_panels(partner=partner, request=request),
        },
    )


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
def profile_edit(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id, manage=True)
    form = PartnerProfileForm(request.POST or None, partner=partner)
    saved = submit(request, form, services.partner_update_profile, partner_id=partner.pk)
    if saved and saved.ok:
        messages.success(request, _("Profil enregistré."))
        return redirect("partner_dashboard", partner_id=partner.pk)
    return render(
        request,
        "partners/profile_form.html",
        {
            "title": _("Profil et adresse"),
            "partner": partner,
            "can_manage": can_manage,
            "form": form,
        },
        status=page_status(form, saved),
    )


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
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


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
def service_create(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id, manage=True)
    form = ServiceForm(request.POST or None)
    saved = submit(request, form, services.service_create, partner_id=partner.pk)
    if saved and saved.ok:
        messages.success(
            request,
            _("Service créé. Ajoutez ses horaires d'ouverture, puis publiez-le."),
        )
        return redirect("service_detail", service_id=saved.value.pk)
    return render(
        request,
        "partners/service_form.html",
        {"partner": partner, "can_manage": can_manage, "form": form, "service": None},
        status=page_status(form, saved),
    )


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
def service_edit(request, service_id: int):
    service, can_manage = _service(request.user, service_id, manage=True)
    form = ServiceForm(request.POST or None, service=service)
    saved = submit(request, form, services.service_update, service_id=service.pk)
    if saved and saved.ok:
        messages.success(request, _("Service enregistré."))
        return redirect("service_detail", service_id=service.pk)
    return render(
        request,
        "partners/service_form.html",
        {"partner": service.partner, "can_manage": can_manage, "form": form, "service": service},
        status=page_status(form, saved),
    )


@need_to_know(DataKind.PARTNER_PROFILE)
def service_detail(request, service_id: int):
    """Everything about one service; a POST adds an opening rule."""
    service, can_manage = _service(request.user, service_id, manage=request.method == "POST")
    form = RuleForm(request.POST or None, service=service) if can_manage else None
    saved = submit(request, form, availability.rule_create, service_id=service.pk)
    if saved and saved.ok:
        messages.success(request, _("Horaires ajoutés : les créneaux sont créés."))
        return redirect("service_detail", service_id=service.pk)
    today = timezone.now().astimezone(ZoneInfo(service.partner.timezone)).date()
    rules = [
        display.rule_row(rule, service, today) for rule in selectors.rule_list(service=service)
    ]
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
        status=page_status(form, saved),
    )


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
@require_POST
def service_publication(request, service_id: int, *, publish: bool):
    """Publish the service (`publish`, at publier/) or withdraw it (at depublier/)."""
    service, _can_manage = _service(request.user, service_id, manage=True)
    function = services.service_publish if publish else services.service_unpublish
    done = (
        _("Service publié : les conseillers peuvent le réserver.")
        if publish
        else _("Service retiré : il n'est plus proposé aux conseillers.")
    )
    _act(request, function, done, service_id=service.pk)
    return redirect("service_detail", service_id=service.pk)


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
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


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
@require_POST
def rule_delete(request, service_id: int, rule_id: int):
    service, _can_manage = _service(request.user, service_id, manage=True)
    rule = selectors.rule_get(service=service, rule_id=rule_id)
    _act(request, availability.rule_delete, _("Horaires supprimés."), rule_id=rule.pk)
    return redirect("service_detail", service_id=service.pk)


@need_to_know(DataKind.PARTNER_PROFILE)
def closures(request, partner_id: int):
    """Closures, upcoming first; a POST adds one."""
    partner, can_manage = _partner(request.user, partner_id, manage=request.method == "POST")
    form = ClosureForm(request.POST or None, partner=partner) if can_manage else None
    saved = submit(request, form, availability.closure_create, partner_id=partner.pk)
    if saved and saved.ok:
        messages.success(request, _("Fermeture enregistrée : les créneaux sont mis à jour."))
        return redirect("partner_closures", partner_id=partner.pk)
    tz = ZoneInfo(partner.timezone)
    now = timezone.now()
    return render(
        request,
        "partners/closures.html",
        {
            "title": _("Fermetures et congés"),
            "partner": partner,
            "can_manage": can_manage,
            "form": form,
            "upcoming": [
                display.closure_row(c, tz)
                for c in selectors.closure_list_upcoming(partner=partner, now=now)
            ],
            "past": [
                display.closure_row(c, tz)
                for c in selectors.closure_list_past(partner=partner, now=now)
            ],
        },
        status=page_status(form, saved),
    )


@need_to_know(DataKind.PARTNER_PROFILE, mode=Mode.WRITE)
@require_POST
def closure_delete(request, partner_id: int, closure_id: int):
    partner, _can_manage = _partner(request.user, partner_id, manage=True)
    closure = selectors.closure_get(partner=partner, closure_id=closure_id)
    _act(request, availability.closure_delete, _("Fermeture supprimée."), closure_id=closure.pk)
    return redirect("partner_closures", partner_id=partner.pk)


# --- Calendar -------------------------------------------------------------------------------


@need_to_know(DataKind.PARTNER_PROFILE)
def service_calendar(request, service_id: int):
    service, can_manage = _service(request.user, service_id)
    tz = ZoneInfo(service.partner.timezone)
    today = timezone.now().astimezone(tz).date()
    period = display.calendar_period(request.GET.get("vue"), request.GET.get("date"), today)
    start, end = period.bounds(tz)
    slots = selectors.slot_list(service=service, start=start, end=end)
    return render(
        request,
        "partners/calendar.html",
        {
            "partner": service.partner,
            "service": service,
            "can_manage": can_manage,
            "timezone_name": service.partner.timezone,
            **display.calendar_context(
                period,
                slots,
                base_url=reverse("service_calendar", args=[service.pk]),
                tz=tz,
                today=today,
            ),
        },
    )


# --- Agreements -----------------------------------------------------------------------------


def _agreement_rows(partner: Partner) -> list[dict]:
    today = timezone.localdate()  # the day the selectors and permissions judge agreements by
    return [display.agreement_row(a, today) for a in selectors.agreement_list(partner=partner)]


@need_to_know(DataKind.AGREEMENTS)
def partner_agreement(request, partner_id: int):
    """The partner's agreements; a platform admin creates or changes theirs (POST)."""
    partner, can_manage = _partner(request.user, partner_id)
    can_set = account_permissions.is_platform_admin(request.user)
    if request.method == "POST" and not can_set:
        raise PermissionDeniedError(_("Seule la plateforme peut modifier une convention."))
    agreements = _agreement_rows(partner)
    form = None
    if can_set:
        form = AgreementForm(
            request.POST or None,
            platforms=selectors.agreement_platforms_for(user=request.user),
            agreements=[row["agreement"] for row in agreements],
        )
    saved = submit(request, form, services.agreement_set, partner=partner)
    if saved and saved.ok:
        messages.success(request, _("Convention enregistrée."))
        try:
            selectors.partner_get_for(user=request.user, partner_id=partner.pk)
        except NotFoundError:  # the admin ended what let their platform see the partner
            return redirect("partner_portal")
        return redirect("partner_dashboard", partner_id=partner.pk)
    return render(
        request,
        "partners/agreement.html",
        {
            "title": _("Conventions avec les plateformes"),
            "partner": partner,
            "can_manage": can_manage,
            "agreements": agreements,
            "form": form,
        },
        status=page_status(form, saved),
    )
