"""Booking a partner's service for a person (HTML, French): choose the person and the slots
(or the days of a rental), see the price, confirm. Advisers and platform admins only; every
write goes through `bookings.services`."""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.selectors import beneficiary_list_for
from bookings import idempotency, pricing, services
from bookings.capacity import SlotFull
from bookings.enums import BookingStatus
from bookings.forms import BookingForm
from bookings.views_adviser import local_today, service_tz
from bookings.wording import (
    price_rows,
    slot_text,
    units_text,
)
from core.errors import NotFoundError
from core.formatting import euros
from core.web import run_service
from partners.enums import BookingMode, PartnerStatus
from partners.selectors import service_base_for, slot_list

PAGE_SIZE = 25
TEMPLATES = "bookings/"
# Timed slots are offered three weeks ahead; a rental may run longer (up to ~3 months).
SLOT_WINDOW_DAYS = 21
PERIOD_WINDOW_DAYS = 93
CANCELLABLE = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


def _local_midnight(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0)).replace(tzinfo=tz)


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


def _window(service, now: datetime) -> list:
    """The slots the page offers: from the partner's notice period, three weeks of timed
    slots (longer for a rental), never beyond what the service lets book ahead."""
    tz = service_tz(service)
    start = now + timedelta(hours=service.min_notice_hours)
    days = PERIOD_WINDOW_DAYS if service.booking_mode == BookingMode.PERIOD else SLOT_WINDOW_DAYS
    end = min(
        _local_midnight(local_today(tz) + timedelta(days=days), tz),
        now + timedelta(days=service.max_advance_days, seconds=1),
    )
    return list(slot_list(service=service, start=start, end=end))


def _booking_form(request, service, data=None, initial=None) -> BookingForm:
    tz = service_tz(service)
    people = (
        beneficiary_list_for(user=request.user)
        .exclude(status=BeneficiaryStatus.CLOSED)
        .order_by("last_name", "first_name", "pk")
    )
    return BookingForm(
        data, initial=initial, service=service, people=people,
        slots=_window(service, timezone.now()), tz=tz, today=local_today(tz),
    )  # fmt: skip


def _render_new(request, service, form, *, status=200, quote=None):
    tz = service_tz(service)
    context = {
        "service": service,
        "partner": service.partner,
        "form": form,
        "period": form.period,
        "days": form.slot_days(),
        "slot_length": "" if form.period else form.slot_length(),
        "timezone_name": service.partner.timezone,
        "window_days": PERIOD_WINDOW_DAYS if form.period else SLOT_WINDOW_DAYS,
        "min_notice_hours": service.min_notice_hours,
        "service_price": euros(service.solidarity_price),
        "form_url": f"{reverse('booking_new')}?service={service.pk}",
    }
    if quote is not None:
        data = form.cleaned_data
        slots = data["slot_objects"]
        today = local_today(tz)
        person = next(
            (label for value, label in form.fields["beneficiary"].choices
             if str(value) == str(data["beneficiary"])),
            "",
        )  # fmt: skip
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
                "person": person,
                "chosen": [slot_text(slot, tz, today, service.booking_mode) for slot in slots],
                "chosen_count": len(slots),
                "hidden": form.hidden_values(),
                "units_label": units_text(quote.units, service.unit),
                "request_key": uuid.uuid4().hex,
            }
        )
        template = "booking_confirm.html"
    else:
        template = "booking_new.html"
    return render(request, TEMPLATES + template, context, status=status)


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

    if request.method != "POST":
        initial = {"quantity": 1}
        if request.GET.get("beneficiary", "").isdigit():
            initial["beneficiary"] = int(request.GET["beneficiary"])
        return _render_new(request, service, _booking_form(request, service, initial=initial))

    form = _booking_form(request, service, data=request.POST)
    action = request.POST.get("action")
    if action == "edit" or not form.is_valid():
        status = 200 if action == "edit" else 409 if form.full_slot else 400
        return _render_new(request, service, form, status=status)
    data = form.cleaned_data
    if action != "confirm":
        quoted = run_service(
            request, pricing.quote, form=form, service=service, slots=data["slot_objects"],
            quantity=data["quantity"], units=data.get("units"),
        )  # fmt: skip
        if not quoted.ok:
            return _render_new(request, service, form, status=quoted.status)
        return _render_new(request, service, form, quote=quoted.value)

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
        return _render_new(request, service, form, status=400)
    if isinstance(created.error, SlotFull):
        # Read the slots again: the one that filled up is named next to the slots.
        form = _booking_form(request, service, data=request.POST)
        if form.is_valid():  # freed again in between: say what the service said
            form.add_error(None, created.error.message)
    if not created.ok:
        return _render_new(request, service, form, status=created.status)
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
