"""The platform's booking pages (HTML, French): an adviser books a partner's service for a
person (choose, see the price, confirm), the platform's bookings with their filters, and
one booking with its history, which an adviser may cancel.

Booking is for advisers and platform admins (others: 403). The list and the detail are for
the platform's staff; partners have their own pages (`views_partner`) and get 404 here, so
that nothing of a person's file can reach them through a shared link. Every write goes
through `bookings.services`."""

from zoneinfo import ZoneInfo

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import permissions as account_permissions
from accounts.need_to_know import PARTNERS, PLATFORM_STAFF, DataKind, Mode, need_to_know
from accounts.scoping import platform_ids
from bookings import hooks, selectors, services
from bookings.enums import ActorRole, BookingStatus
from bookings.forms import BookingFilterForm, ReasonForm
from bookings.permissions import role_of
from bookings.wording import (
    booking_price,
    booking_title,
    person_label,
    slot_text,
    stamp_text,
    when_text,
)
from core.errors import NotFoundError, PermissionDeniedError
from core.formatting import euros
from core.paging import page_context
from core.web import run_service

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


def service_tz(service) -> ZoneInfo:
    return ZoneInfo(service.partner.timezone)


def local_today(tz: ZoneInfo):
    return timezone.now().astimezone(tz).date()


# --- The platform's bookings ----------------------------------------------------------------


def _row(booking) -> dict:
    tz = service_tz(booking.service)
    return {
        "booking": booking,
        "when": when_text(booking, tz, local_today(tz)),
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
    tz = service_tz(service)
    today = local_today(tz)
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
