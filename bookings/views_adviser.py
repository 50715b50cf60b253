"""The platform's booking pages (HTML, French): an adviser books a partner's service for a
person (choose, see the price, confirm), the platform's bookings with their filters, and
one booking with its history, which an adviser may cancel.

Booking is for advisers and platform admins (others: 403). The list and the detail are for
the platform's staff; partners have their own pages (`views_partner`) and get 404 here, so
that nothing of a person's file can reach them through a shared link. Every write goes
through `bookings.services`."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import permissions as account_permissions
from accounts.need_to_know import PARTNERS, PLATFORM_STAFF, DataKind, Mode, need_to_know
from accounts.scoping import platform_ids
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.selectors import beneficiary_list_for
from bookings import hooks, pricing, selectors, services
from bookings.capacity import SlotFull
from bookings.enums import ActorRole, BookingStatus
from bookings.forms import BookingFilterForm, BookingForm, ReasonForm
from bookings.permissions import role_of
from bookings.wording import (
    booking_price,
    booking_title,
    person_label,
    price_rows,
    slot_text,
    stamp_text,
    units_text,
    when_text,
)
from core.errors import NotFoundError, PermissionDeniedError
from core.formatting import euros
from core.paging import page_context
from core.web import run_service
from partners.enums import BookingMode, PartnerStatus
from partners.selectors import service_base_for, slot_list

PAGE_SIZE = 25
TEMPLATES = "bookings/"
# Timed slots are offered three weeks ahead; a rental may run longer (up to ~3 months).
SLOT_WINDOW_DAYS = 21
PERIOD_WINDOW_DAYS = 93
CANCELLABLE = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


# --- Access ---------------------------------------------------------------------------------


def _staff_booking(user, booking_id: int):
    """A booking of one of the user's platforms; anyone else (partners too) gets 404."""
    booking = (
        selectors.booking_list_for(user=user)
        .filter(pk=booking_id, platform_id__in=platform_ids(user))
        .first()
    )
    if booking is None:
        raise NotFoundError(_("Réservation introuvable."))
    return booking


def _tz(service) -> ZoneInfo:
    return ZoneInfo(service.partner.timezone)


def _today(tz: ZoneInfo):
    return timezone.now().astimezone(tz).date()


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
    tz = _tz(service)
    start = now + timedelta(hours=service.min_notice_hours)
    days = PERIOD_WINDOW_DAYS if service.booking_mode == BookingMode.PERIOD else SLOT_WINDOW_DAYS
    end = min(
        _local_midnight(_today(tz) + timedelta(days=days), tz),
        now + timedelta(days=service.max_advance_days, seconds=1),
    )
    return list(slot_list(service=service, start=start, end=end))


def _booking_form(request, service, data=None, initial=None) -> BookingForm:
    tz = _tz(service)
    people = (
        beneficiary_list_for(user=request.user)
        .exclude(status=BeneficiaryStatus.CLOSED)
        .order_by("last_name", "first_name", "pk")
    )
    return BookingForm(
        data, initial=initial, service=service, people=people,
        slots=_window(service, timezone.now()), tz=tz, today=_today(tz),
    )  # fmt: skip


def _render_new(request, service, form, *, status=200, quote=None):
    tz = _tz(service)
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
        today = _today(tz)
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

    try:
        created = run_service(
            request, services.booking_create, form=form, actor=request.user,
            beneficiary_id=data["beneficiary"], service_id=service.pk, slot_ids=data["slot_ids"],
            quantity=data["quantity"], units=data.get("units"), note=data["note"],
        )  # fmt: skip
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
    booking = created.value
    if booking.status == BookingStatus.CONFIRMED:
        messages.success(
            request, _("Confirmée automatiquement : le partenaire et la personne sont prévenus.")
        )
    else:
        messages.success(
            request,
            _("Demande envoyée au partenaire. Vous serez prévenu·e de sa réponse par e-mail."),
        )
    return redirect("booking_detail", booking_id=booking.pk)


# --- The platform's bookings ----------------------------------------------------------------


def _row(booking) -> dict:
    tz = _tz(booking.service)
    return {
        "booking": booking,
        "when": when_text(booking, tz, _today(tz)),
        "person": person_label(booking.beneficiary),
        "total": euros(booking.total_price),
    }


@need_to_know(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, audience=PLATFORM_STAFF | PARTNERS)
def booking_list(request):
    user = request.user
    if not account_permissions.is_platform_staff(user):
        if account_permissions.is_partner_member(user):
            return redirect("partner_booking_inbox")
        raise PermissionDeniedError(
            _("Ces pages sont réservées aux équipes de la plateforme de mobilité.")
        )
    form = BookingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    bookings = selectors.booking_list_filtered(
        user=user,
        platforms_only=True,
        status=filters.get("status") or "",
        upcoming=bool(filters.get("upcoming")),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        beneficiary_id=filters.get("beneficiary"),
        person=filters.get("person") or "",
    )
    # What is coming in date order; otherwise the latest first (the oldest are the least read).
    if filters.get("upcoming"):
        bookings = bookings.order_by("starts_at", "pk")
    else:
        bookings = bookings.order_by("-starts_at", "-pk")
    paging = page_context(request, bookings, PAGE_SIZE)
    page = paging["page_obj"]
    count = page.paginator.count
    filtered = any(filters.get(name) for name in form.fields)
    return render(
        request,
        TEMPLATES + "booking_list.html",
        {
            **paging,
            "title": _("Réservations"),
            "form": form,
            "rows": [_row(booking) for booking in page.object_list],
            "count_text": ngettext("%(count)s réservation", "%(count)s réservations", count)
            % {"count": count},
            "filtered": filtered,
            "can_book": account_permissions.is_adviser(user)
            or account_permissions.is_platform_admin(user),
        },
    )


# --- One booking ----------------------------------------------------------------------------


def event_rows(booking) -> list[dict]:
    """The history, oldest first: what happened, who did it, when, and why."""
    rows = []
    for event in booking.events.select_related("actor"):
        if not event.from_status:
            label = (
                _("Réservation confirmée automatiquement")
                if event.to_status == BookingStatus.CONFIRMED
                else _("Demande envoyée au partenaire")
            )
        else:
            label = BookingStatus(event.to_status).label
        actor = (event.actor.get_full_name() or event.actor.email) if event.actor else ""
        rows.append(
            {
                "label": label,
                "when": stamp_text(event.at),
                "who": actor,
                "role": ActorRole(event.actor_role).label if event.actor_role else "",
                "note": event.note,
            }
        )
    return rows


def _detail_context(request, booking, *, cancel_form=None) -> dict:
    service = booking.service
    tz = _tz(service)
    today = _today(tz)
    booking_slots = list(booking.booking_slots.select_related("slot"))
    can_cancel = (
        role_of(request.user, booking) == ActorRole.ADVISER and booking.status in CANCELLABLE
    )
    return {
        "title": booking_title(booking),
        "booking": booking,
        "person": booking.beneficiary,
        "service": service,
        "partner": service.partner,
        "organisation": service.partner.organisation,
        "when": when_text(booking, tz, today),
        "slots": [
            slot_text(bs.slot, tz, today, service.booking_mode) for bs in booking_slots if bs.slot
        ]
        if len(booking_slots) > 1
        else [],
        "price": booking_price(booking),
        "deposit": euros(service.deposit) if service.deposit else "",
        "events": event_rows(booking),
        "booked_by": (
            (booking.booked_by.get_full_name() or booking.booked_by.email)
            if booking.booked_by
            else ""
        ),
        "created": stamp_text(booking.created_at),
        "can_cancel": can_cancel,
        "panels": hooks.page_panels(booking=booking, request=request),
        "cancel_form": cancel_form
        or ReasonForm(
            label=_("Motif de l'annulation"),
            help_text=_("Le partenaire et la personne le liront."),
        ),
    }


@need_to_know(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, audience=PLATFORM_STAFF)
def booking_detail(request, booking_id: int):
    booking = _staff_booking(request.user, booking_id)
    return render(request, TEMPLATES + "booking_detail.html", _detail_context(request, booking))


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def booking_cancel(request, booking_id: int):
    booking = _staff_booking(request.user, booking_id)
    if role_of(request.user, booking) != ActorRole.ADVISER:
        raise PermissionDeniedError(_("Seuls les conseillers et la coordination annulent ici."))
    form = ReasonForm(
        request.POST,
        label=_("Motif de l'annulation"),
        help_text=_("Le partenaire et la personne le liront."),
    )
    if not form.is_valid():
        context = _detail_context(request, booking, cancel_form=form)
        return render(request, TEMPLATES + "booking_detail.html", context, status=400)
    # A refusal is a message: the booking has moved on and the page has no form for it.
    run_service(
        request, services.booking_cancel, actor=request.user, booking_id=booking.pk,
        reason=form.cleaned_data["reason"],
        success_message=_("Réservation annulée. Le partenaire et la personne sont prévenus."),
    )  # fmt: skip
    return redirect("booking_detail", booking_id=booking.pk)
