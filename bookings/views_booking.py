"""Booking a partner's service for a person (HTML, French): choose the person and the slots
(or the days of a rental), see the price, confirm. Advisers and platform admins only; every
write goes through `bookings.services`."""

import uuid

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from beneficiaries.selectors import search_label
from bookings import idempotency, pricing, services
from bookings.booking_page import PICKER_ID, BookingPage, people_for, read_ids
from bookings.capacity import SlotFull
from bookings.enums import BookingStatus
from bookings.forms import BookingForm
from bookings.wording import person_label, price_rows, slot_text, units_text
from core.errors import NotFoundError
from core.formatting import euros
from core.web import run_service
from partners.enums import PartnerStatus
from partners.selectors import service_base_for

PAGE_SIZE = 25
TEMPLATES = "bookings/"
CANCELLABLE = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


# --- Booking a service ----------------------------------------------------------------------


def _bookable_service(user, value):
    try:
        service_id = int(value or "")
    except ValueError:
        return None
    return (
        service_base_for(user=user)
        .filter(pk=service_id, published=True, partner__status=PartnerStatus.PUBLISHED)
        .first()
    )


def _booking_form(request, service, page: BookingPage, data=None, initial=None) -> BookingForm:
    tz = page.window.tz
    form = BookingForm(
        data, initial=initial, service=service, people=people_for(request.user),
        slots=page.form_slots(), tz=tz, today=page.window.today,
    )  # fmt: skip
    for name in ("first_day", "last_day"):
        form.fields[name].widget.attrs.update(
            min=page.window.first_day.isoformat(), max=page.window.last_day.isoformat()
        )
    return form


def _chosen_person(request, form):
    """The person shown prefilled (from the form, or `?beneficiary=` of the link)."""
    if form.is_bound:
        if form.person is None and "beneficiary" not in form.errors:
            value = form.data.get("beneficiary", "")
            if str(value).isdigit():
                return people_for(request.user).filter(pk=int(value)).first()
        return form.person
    value = form.initial.get("beneficiary")
    return people_for(request.user).filter(pk=value).first() if value else None


def _change_person_url(service, form) -> str:
    query = QueryDict(mutable=True)
    query["service"] = service.pk
    for pk in form.chosen_ids() if form.is_bound else form.initial.get("slots", []):
        query.appendlist("slots", pk)
    return f"{reverse('booking_new')}?{query.urlencode()}#id_beneficiary"


def _render_new(request, service, page: BookingPage, form, *, status=200, quote=None):
    tz = page.window.tz
    person = _chosen_person(request, form)
    context = {
        "service": service,
        "partner": service.partner,
        "form": form,
        "period": form.period,
        "notice": page.notice,
        "person": person,
        "person_label": person_label(person) if person else "",
        "change_person_url": _change_person_url(service, form),
        "search_url": reverse("beneficiary_search"),
        "service_price": euros(service.solidarity_price),
        "form_url": f"{reverse('booking_new')}?service={service.pk}",
    }
    if quote is None:
        if form.period:
            context["calendar"] = page.calendar(form)
        else:
            context["picker"] = page.picker(form, person_id=person.pk if person else None)
        if request.htmx and request.htmx.target == PICKER_ID and "picker" in context:
            return render(request, "core/week_picker.html", {"picker": context["picker"]})
        if person is None and form.is_bound and form.data.get("personne", "").strip():
            context["matches"] = [
                (match.pk, search_label(match)) for match in page.person_matches()
            ]
            context["searched"] = True
        return render(request, TEMPLATES + "booking_new.html", context, status=status)
    data = form.cleaned_data
    slots = data["slot_objects"]
    today = page.window.today
    context.update(
        {
            "quote": quote,
            "price": price_rows(
                quantity=data["quantity"],
                units=quote.units,
                unit=service.unit,
                unit_price=quote.unit_price,
                market_unit_price=quote.market_unit_price,
                total=quote.total_price,
                market_total=quote.market_total,
            ),  # fmt: skip
            "deposit": euros(service.deposit) if service.deposit else "",
            "chosen": [slot_text(slot, tz, today, service.booking_mode) for slot in slots],
            "chosen_count": len(slots),
            "hidden": form.hidden_values(),
            "units_label": units_text(quote.units, service.unit),
            "request_key": uuid.uuid4().hex,
        }
    )
    return render(request, TEMPLATES + "booking_confirm.html", context, status=status)


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def booking_new(request):
    """Choose (GET, or POST `action=edit`), see the price (POST `action=quote`), then book
    (POST `action=confirm`). A slot that filled up meanwhile brings the form back, with
    everything else kept."""
    service = _bookable_service(request.user, request.GET.get("service"))
    if service is None:
        if request.GET.get("service"):
            raise NotFoundError(_("Service introuvable."))
        messages.info(request, _("Choisissez d'abord le service à réserver dans le catalogue."))
        return redirect("catalogue_search")

    now = timezone.now()
    if request.method != "POST":
        page = BookingPage(
            service=service, user=request.user, source=request.GET, query=request.GET, now=now
        )
        initial = {"quantity": 1, **page.read_place()}
        slots = read_ids(request.GET.getlist("slots")) or initial.get("slots", [])
        if slots:
            initial["slots"] = slots
        if request.GET.get("beneficiary", "").isdigit():
            initial["beneficiary"] = int(request.GET["beneficiary"])
        return _render_new(
            request, service, page, _booking_form(request, service, page, initial=initial)
        )

    page = BookingPage(
        service=service, user=request.user, source=request.POST, query=request.GET, now=now
    )
    form = _booking_form(request, service, page, data=request.POST)
    action = request.POST.get("action")
    if action in ("edit", "find_person") or not form.is_valid():
        status = 200 if action in ("edit", "find_person") else 409 if form.full_slot else 400
        return _render_new(request, service, page, form, status=status)
    data = form.cleaned_data
    if action != "confirm":
        quoted = run_service(
            request, pricing.quote, form=form, service=service, slots=data["slot_objects"],
            quantity=data["quantity"], units=data.get("units"),
        )  # fmt: skip
        if not quoted.ok:
            return _render_new(request, service, page, form, status=quoted.status)
        return _render_new(request, service, page, form, quote=quoted.value)

    def book() -> tuple[int, dict]:
        booking = services.booking_create(
            actor=request.user, beneficiary_id=data["beneficiary"], service_id=service.pk,
            slot_ids=data["slot_ids"], quantity=data["quantity"], units=data.get("units"),
            note=data["note"],
        )  # fmt: skip
        return 201, {"id": booking.pk, "status": booking.status}

    # The confirmation step carries a key: a second click (or a second tab) lands on the
    # booking the first one made instead of making another (bookings.idempotency).
    key = request.POST.get("request_key", "").strip()[: idempotency.KEY_MAX_LENGTH]
    try:
        if key:
            asked = sorted(
                (name, request.POST.getlist(name)) for name in request.POST
                if name not in {"csrfmiddlewaretoken", "action", "request_key"}
            )  # fmt: skip
            created = run_service(
                request, idempotency.run_once, form=form, user=request.user, key=key,
                digest=idempotency.request_hash(asked), run=book,
            )  # fmt: skip
        else:
            created = run_service(request, book, form=form)
    except NotFoundError as exc:  # the person chosen in the form
        form.add_error("beneficiary", exc.message)
        return _render_new(request, service, page, form, status=400)
    if isinstance(created.error, SlotFull):
        # Read the slots again: the one that filled up is named next to the slots, and the
        # picker opens on its week.
        form = _booking_form(request, service, page, data=request.POST)
        if form.is_valid():  # freed again in between: say what the service said
            form.add_error(None, created.error.message)
    if not created.ok:
        return _render_new(request, service, page, form, status=created.status)
    _code, booking = created.value
    if booking["status"] == BookingStatus.CONFIRMED:
        messages.success(
            request, _("Confirmée automatiquement : le partenaire et la personne sont prévenus.")
        )
    else:
        messages.success(
            request,
            _("Demande envoyée au partenaire. Vous serez prévenu·e de sa réponse par e-mail."),
        )
    return redirect("booking_detail", booking_id=booking["id"])
