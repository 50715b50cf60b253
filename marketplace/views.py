"""The catalogue (HTML, French): platform staff and partner members search the published
services of the partners they may see, then open one to read its prices, its partner and
its free slots. The filters live in the URL; with HTMX only the results are redrawn."""

from datetime import timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from accounts.need_to_know import DataKind, need_to_know
from core.errors import NotFoundError
from core.formatting import day_label, euros
from core.paging import page_context
from marketplace import display
from marketplace.forms import SearchForm
from marketplace.selectors import (
    SearchFilters,
    SearchPaginator,
    bookable_next_places,
    service_search,
)
from partners.display import per_unit
from partners.enums import PartnerStatus
from partners.selectors import service_base_for, service_get_for, slot_list

PAGE_SIZE = 20
# Ids the templates give the two HTMX targets: the results list, and the whole search area
# (form and results) that an invalid search or the search after it redraws.
RESULTS_ID = "resultats-liste"
CATALOGUE_ID = "catalogue"


def _signed_in(view):
    """`login_required`; an HTMX request whose session has expired sends the whole page to
    the login form (rather than drawing the login page inside the results)."""
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
        return protected(request, *args, **kwargs)

    return wrapper


def _catalogue(view):
    """The catalogue's pages show partners' services (need-to-know table)."""
    return need_to_know(
        DataKind.CATALOGUE,
        refusal=gettext_lazy(
            "Le catalogue est réservé aux équipes des plateformes et des partenaires."
        ),
    )(view)


def _catalogue_services(user):
    """What the catalogue lists: published services of published partners the user sees."""
    return service_base_for(user=user).filter(
        published=True, partner__status=PartnerStatus.PUBLISHED
    )


def _results_context(request, form: SearchForm) -> dict:
    filters = form.filters() if form.is_bound else SearchFilters()
    services = service_search(_catalogue_services(request.user), filters)
    paging = page_context(request, services, PAGE_SIZE, paginator=SearchPaginator)
    page = paging["page_obj"]
    today = timezone.localdate()
    count = page.paginator.count
    person_id = form.cleaned_data.get("beneficiary") if form.is_bound else None
    places = bookable_next_places(page.object_list, timezone.now())
    return {
        **paging,
        "person_id": person_id,
        "rows": [
            display.result_row(service, today, person_id, places.get(service.pk))
            for service in page.object_list
        ],
        "count": count,
        "status_text": display.count_text(count),
        "filters": filters,
        "chips": display.active_filters(form, request.GET) if form.is_bound else [],
        "wider": display.wider_radius_url(form, request.GET) if not count else None,
    }


@require_GET
@_signed_in
@_catalogue
@vary_on_headers("HX-Request", "HX-Target")
def catalogue_search(request):
    form = display.present_search_form(SearchForm(request.GET or None, user=request.user))
    valid = not form.is_bound or form.is_valid()
    context = {
        "form": form,
        "valid": valid,
        "hidden_place": [f for f in form.hidden_fields() if f.value() and not f.errors],
        "results_id": RESULTS_ID,
        "catalogue_id": CATALOGUE_ID,
    }
    if valid:
        context.update(_results_context(request, form))
    else:
        context["errors"] = display.error_summary(form)
        context["place_errors"] = [
            error for name in display.HIDDEN_PLACE_FIELDS for error in form[name].errors
        ]
        context["status_text"] = _("La recherche est à corriger : aucun résultat affiché.")
    status = 200 if valid else 400

    htmx = request.htmx
    if htmx and not htmx.history_restore_request:
        if valid and htmx.target != CATALOGUE_ID:
            context["oob"] = True  # also update the live region announcing the count
            return render(request, "marketplace/_results.html", context, status=status)
        # The form must be redrawn: to show its errors, or to clear them once corrected.
        response = render(request, "marketplace/_catalogue.html", context, status=status)
        if htmx.target != CATALOGUE_ID:
            response = retarget(reswap(response, "outerHTML"), f"#{CATALOGUE_ID}")
        return response
    return render(request, "marketplace/search.html", context, status=status)


@require_GET
@_signed_in
@_catalogue
def catalogue_service(request, service_id: int):
    service = service_get_for(user=request.user, service_id=service_id)
    partner = service.partner
    if not (service.published and partner.status == PartnerStatus.PUBLISHED):
        raise NotFoundError(_("Service introuvable."))
    tz = ZoneInfo(partner.timezone)
    now = timezone.now()
    today = now.astimezone(tz).date()
    first = display.slot_window_first_day(request.GET.get("debut"), today)
    after = first + timedelta(days=display.SLOT_WINDOW_DAYS)
    start = max(now, display.local_midnight(first, tz))
    slots = slot_list(service=service, start=start, end=display.local_midnight(after, tz))
    base_url = reverse("catalogue_service", args=[service.pk])
    limit = today + timedelta(days=display.SLOT_PAGING_LIMIT_DAYS)
    previous = max(today, first - timedelta(days=display.SLOT_WINDOW_DAYS))
    bookable_from = now + timedelta(hours=service.min_notice_hours)
    next_free = next(
        (s.starts_at for s in slots if s.remaining > 0 and s.starts_at >= bookable_from), None
    )
    person = request.GET.get("beneficiary", "")
    person_id = int(person) if person.isdigit() and len(person) < 12 else None
    return render(
        request,
        "marketplace/service.html",
        {
            "service": service,
            "partner": partner,
            "organisation": partner.organisation,
            "price": display.price_sentence(service),
            "solidarity": euros(service.solidarity_price),
            "market": euros(service.market_price),
            "saving": euros(service.saving),
            "deposit": euros(service.deposit) if service.deposit else "",
            "per_unit": per_unit(service.unit),
            "accessibility": display.accessibility_text(partner),
            "languages": display.languages_text(partner.languages),
            "days": display.free_days(slots, tz, today, service.booking_mode),
            "book_next": display.book_next(service, next_free, person_id),
            "person_id": person_id,
            "first_label": day_label(first, today),
            "last_label": day_label(after - timedelta(days=1), today),
            "timezone_name": partner.timezone,
            "next_url": f"{base_url}?debut={after.isoformat()}" if after <= limit else "",
            "previous_url": (f"{base_url}?debut={previous.isoformat()}" if first > today else ""),
        },
    )
