"""The partner's booking pages (HTML, French): the requests to answer, today's and the coming
bookings, the past ones to close (done, with the distance actually driven, or the person did
not come), one booking, the check of a voucher's reference, and the signed link of the
request e-mail, which works without an account.

Partners see the person's name and phone and the booking — never the person's situation,
diagnosis, notes or finances (DESIGN §10): these pages and their templates read nothing else
of the person. Partner members only (others: 403); a booking of another partner is 404.
Every write goes through `bookings.services`."""

from zoneinfo import ZoneInfo

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.need_to_know import PARTNERS, DataKind, Mode, need_to_know, signed_link
from accounts.scoping import partner_organisation_ids
from bookings import hooks, selectors, services
from bookings.enums import BookingStatus
from bookings.forms import CompleteForm, ReasonForm, ReferenceForm
from bookings.links import partner_answer_from_token
from bookings.models import Booking
from bookings.permissions import is_booking_partner
from bookings.views_adviser import event_rows
from bookings.wording import (
    booking_price,
    booking_title,
    slot_text,
    units_text,
    when_text,
)
from core.errors import ApplicationError, InvalidTransition, get_or_not_found
from core.formatting import number_text
from core.web import run_service
from partners.enums import ServiceUnit

TEMPLATES = "bookings/partner/"
LIST_LIMIT = 50
OPEN = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


# --- Access ---------------------------------------------------------------------------------


def _partner_bookings(user):
    return selectors.booking_list_for(user=user).filter(
        service__partner__organisation_id__in=partner_organisation_ids(user)
    )


def _partner_booking(user, booking_id: int) -> Booking:
    return get_or_not_found(_partner_bookings(user), booking_id, _("Réservation introuvable."))


def _tz(booking) -> ZoneInfo:
    return ZoneInfo(booking.service.partner.timezone)


# --- What a partner sees of a booking -------------------------------------------------------


def _decline_form(data=None) -> ReasonForm:
    return ReasonForm(
        data,
        prefix="decline",
        label=_("Motif du refus"),
        help_text=_("Par exemple : « complet ce jour-là », « pièce indisponible »."),
    )


def _cancel_form(data=None) -> ReasonForm:
    return ReasonForm(
        data,
        prefix="cancel",
        label=_("Motif de l'annulation"),
        help_text=_("Le conseiller ou la conseillère et la personne le liront."),
    )


def partner_row(booking, now) -> dict:
    """One booking as the partner reads it: name and phone of the person, nothing else."""
    tz = _tz(booking)
    person = booking.beneficiary
    started = booking.starts_at <= now
    return {
        "booking": booking,
        "when": when_text(booking, tz, now.astimezone(tz).date()),
        "day": booking.starts_at.astimezone(tz).date(),
        "person": f"{person.first_name} {person.last_name}",
        "phone": person.phone,
        "service": booking.service.name,
        "partner": booking.service.partner.organisation.name,
        "units": units_text(booking.units, booking.service.unit),
        "units_value": number_text(booking.units),
        "is_km": booking.service.unit == ServiceUnit.KM,
        "can_answer": booking.status == BookingStatus.REQUESTED,
        "can_close": booking.status == BookingStatus.CONFIRMED and started,
        "can_cancel": booking.status in OPEN and not started,
    }


def _detail(request, booking, *, status=200, decline_form=None, complete_form=None,
            cancel_form=None):  # fmt: skip
    now = timezone.now()
    tz = _tz(booking)
    today = now.astimezone(tz).date()
    mode = booking.service.booking_mode
    booking_slots = list(booking.booking_slots.select_related("slot"))
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            "title": booking_title(booking),
            "row": partner_row(booking, now),
            "booking": booking,
            "slots": [slot_text(bs.slot, tz, today, mode) for bs in booking_slots if bs.slot]
            if len(booking_slots) > 1
            else [],
            "price": booking_price(booking),
            "events": event_rows(booking),
            "decline_form": decline_form or _decline_form(),
            "complete_form": complete_form or CompleteForm(booking=booking),
            "cancel_form": cancel_form or _cancel_form(),
            "payment": hooks.payment_badges_of(
                bookings=[booking], viewer="partner", request=request
            ).get(booking.pk),
        },
        status=status,
    )


# --- Pages ----------------------------------------------------------------------------------


@need_to_know(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, audience=PARTNERS)
def partner_booking_inbox(request):
    user = request.user
    now = timezone.now()
    requests = [partner_row(b, now) for b in selectors.partner_inbox(user=user)[:LIST_LIMIT]]
    confirmed = _partner_bookings(user).filter(status=BookingStatus.CONFIRMED)
    to_close = [
        partner_row(b, now)
        for b in confirmed.filter(starts_at__lte=now).order_by("starts_at", "pk")[:LIST_LIMIT]
    ]
    coming = [
        partner_row(b, now)
        for b in confirmed.filter(starts_at__gt=now).order_by("starts_at", "pk")[:LIST_LIMIT]
    ]
    today = [row for row in coming if row["day"] == now.astimezone(_tz(row["booking"])).date()]
    later = coming[len(today) :]  # sorted by start: today's come first
    return render(
        request,
        TEMPLATES + "inbox.html",
        {
            "requests": requests,
            "requests_text": ngettext(
                "%(n)s demande à traiter", "%(n)s demandes à traiter", len(requests)
            )
            % {"n": len(requests)},
            "today": today,
            "later": later,
            "to_close": to_close,
            "several_partners": len(partner_organisation_ids(user)) > 1,
            "reference_form": ReferenceForm(),
            "decline_form": _decline_form(),
        },
    )


@need_to_know(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, audience=PARTNERS)
def partner_booking_detail(request, booking_id: int):
    return _detail(request, _partner_booking(request.user, booking_id))


@need_to_know(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, audience=PARTNERS)
def partner_reference_check(request):
    """« Is this voucher ours, and for when? » Only this partner's bookings answer."""
    form = ReferenceForm(request.GET or None)
    found, searched = None, False
    if form.is_valid():
        searched = True
        booking = _partner_bookings(request.user).filter(
            reference=form.cleaned_data["reference"]
        ).first()  # fmt: skip
        if booking is not None:
            found = partner_row(booking, timezone.now())
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        TEMPLATES + "reference.html",
        {"title": _("Vérifier un bon"), "form": form, "found": found, "searched": searched},
        status=status,
    )


# --- Answers and closing --------------------------------------------------------------------


def _back(request, booking):
    if request.POST.get("next") == "inbox":
        return redirect("partner_booking_inbox")
    return redirect("partner_booking_detail", booking_id=booking.pk)


def _act(request, booking, function, success: str, **kwargs):
    """Run the transition, back where the partner came from. A refusal is a message: the
    booking has moved on, and its page no longer has the form that asked."""
    run_service(
        request, function, success_message=success, actor=request.user, booking_id=booking.pk,
        **kwargs,
    )  # fmt: skip
    return _back(request, booking)


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PARTNERS)
@require_POST
def partner_booking_confirm(request, booking_id: int):
    booking = _partner_booking(request.user, booking_id)
    person = booking.beneficiary
    return _act(
        request, booking, services.booking_confirm,
        _("Réservation %(ref)s confirmée : %(name)s et son conseiller ou sa conseillère sont "
          "prévenus.") % {"ref": booking.reference, "name": person.first_name},
    )  # fmt: skip


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PARTNERS)
@require_POST
def partner_booking_decline(request, booking_id: int):
    booking = _partner_booking(request.user, booking_id)
    return _act_with_reason(
        request, booking, "decline_form", _decline_form(request.POST), services.booking_decline,
        _("Demande %(ref)s refusée. Le conseiller ou la conseillère est prévenu·e.")
        % {"ref": booking.reference},
    )  # fmt: skip


def _act_with_reason(request, booking, name: str, form, function, success: str):
    """A transition that needs a reason (decline, cancel): the page again with the form,
    `name` there, showing what is missing; otherwise the transition with that reason."""
    if not form.is_valid():
        return _detail(request, booking, status=400, **{name: form})
    return _act(request, booking, function, success, reason=form.cleaned_data["reason"])


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PARTNERS)
@require_POST
def partner_booking_complete(request, booking_id: int):
    booking = _partner_booking(request.user, booking_id)
    form = CompleteForm(request.POST, booking=booking)
    if not form.is_valid():
        return _detail(request, booking, status=400, complete_form=form)
    return _act(
        request, booking, services.booking_complete,
        _("Réservation %(ref)s notée comme réalisée.") % {"ref": booking.reference},
        units=form.cleaned_data.get("units"),
    )  # fmt: skip


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PARTNERS)
@require_POST
def partner_booking_no_show(request, booking_id: int):
    booking = _partner_booking(request.user, booking_id)
    return _act(
        request, booking, services.booking_no_show,
        _("Réservation %(ref)s : absence de la personne notée.") % {"ref": booking.reference},
    )  # fmt: skip


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=PARTNERS)
@require_POST
def partner_booking_cancel(request, booking_id: int):
    booking = _partner_booking(request.user, booking_id)
    return _act_with_reason(
        request, booking, "cancel_form", _cancel_form(request.POST), services.booking_cancel,
        _("Réservation %(ref)s annulée. Le conseiller ou la conseillère et la personne sont "
          "prévenus.") % {"ref": booking.reference},
    )  # fmt: skip


# --- The signed link of the request e-mail ----------------------------------------------------


def _link_page(request, context: dict, status: int = 200):
    response = render(request, TEMPLATES + "link.html", context, status=status)
    # The token must not leak to other sites; "no-referrer" would also make browsers send
    # `Origin: null` with the form, which the CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@signed_link(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, link_for=PARTNERS)
@never_cache
def booking_partner_link(request, token: str):
    """GET shows the request and a button; only the POST answers (mail scanners open links).
    The link stops working once the request has an answer, and when it expires."""
    try:
        booking_id, action = partner_answer_from_token(token)
    except ApplicationError as exc:
        return _link_page(request, {"error": exc.message}, status=exc.status)
    # The signed token is the authority here, not a session: read the booking as such.
    booking = (
        Booking.objects.select_related("service__partner__organisation", "beneficiary")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return _link_page(request, {"error": _("Ce lien n'est pas valide.")}, status=404)
    context = {
        "row": partner_row(booking, timezone.now()),
        "booking": booking,
        "action": action,
        "form": _decline_form(),
    }
    answered = {**context, "answered": True}
    if booking.status != BookingStatus.REQUESTED:
        return _link_page(request, answered, status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        return _link_page(request, context)

    actor = request.user if is_booking_partner(request.user, booking) else None
    try:
        if action == "confirm":
            services.booking_confirm(actor=actor, booking_id=booking.pk, via_link=True)
        else:
            form = _decline_form(request.POST)
            if not form.is_valid():
                return _link_page(request, {**context, "form": form}, status=400)
            services.booking_decline(
                actor=actor, booking_id=booking.pk, reason=form.cleaned_data["reason"],
                via_link=True,
            )  # fmt: skip
    except InvalidTransition:
        booking.refresh_from_db()
        return _link_page(request, {**answered, "booking": booking}, status=409)
    except ApplicationError as exc:
        return _link_page(request, {"error": exc.message}, status=exc.status)
    booking.refresh_from_db()
    return _link_page(request, {**context, "booking": booking, "done": True})
