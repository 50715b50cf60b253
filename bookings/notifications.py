"""Who is told what about a booking (DESIGN §8). Partners get the person's name and phone
and the booking — never their situation, diagnosis or finances."""

from django.conf import settings
from django.urls import reverse

from accounts.enums import PARTNER_ROLES
from accounts.models import Membership
from bookings.enums import ActorRole, BookingStatus
from bookings.links import my_bookings_url, partner_answer_url
from core.notifications import notify
from core.phones import can_receive_sms, display_phone


def _when(booking) -> str:
    """In the partner's time zone, in plain French (« mardi 3 mars 2026, de 9 h 30 à … »)."""
    from bookings.documents import when_sentence

    return when_sentence(booking)


def _context(booking) -> dict:
    service = booking.service
    organisation = service.partner.organisation
    return {
        "reference": booking.reference,
        "service": service.name,
        "partner": organisation.name,
        "address": ", ".join(
            filter(None, [organisation.address, organisation.postcode, organisation.commune])
        ),  # fmt: skip
        "when": _when(booking),
        "status": booking.get_status_display(),
    }


def _partner_users(booking):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=booking.service.partner.organisation_id, role__in=PARTNER_ROLES,
            active=True, user__is_active=True,
        ).select_related("user")
    ]  # fmt: skip


def _tell_beneficiary(booking, template: str, **extra) -> None:
    person = booking.beneficiary
    context = {**_context(booking), "url": my_bookings_url(person), **extra}
    if person.user_id:
        notify(template=template, user=person.user, context=context)
    elif can_receive_sms(person.phone):
        notify(template=template, channel="sms", recipient=person.phone, context=context)
    elif person.email:
        notify(template=template, channel="email", recipient=person.email, context=context)


def _tell_adviser(booking, template: str, **extra) -> None:
    adviser = booking.booked_by or booking.beneficiary.adviser
    if adviser is not None:
        url = settings.SITE_URL + reverse("booking_detail", kwargs={"booking_id": booking.pk})
        notify(template=template, user=adviser, channel="email",
               context={**_context(booking), "url": url, **extra})  # fmt: skip


# The partner's answers, and the message the person and their adviser get for each.
ANSWERS = {
    BookingStatus.CONFIRMED: "bookings/confirmed",
    BookingStatus.DECLINED: "bookings/declined",
}
TOLD = set(ANSWERS) | {BookingStatus.CANCELLED, BookingStatus.EXPIRED}


def tells_someone(from_status: str, to_status: str) -> bool:
    """Whether a transition has notifications (a new booking always does)."""
    return not from_status or to_status in TOLD


def announce(booking, *, from_status: str, to_status: str) -> None:
    """The notifications of one transition, worded for the status it reached (the booking
    may have moved on since)."""
    if not from_status:
        booking_requested(booking)
        if to_status == BookingStatus.CONFIRMED:  # an auto-confirmed service
            booking_answered(booking, status=to_status)
    elif to_status in ANSWERS:
        booking_answered(booking, status=to_status)
    elif to_status == BookingStatus.CANCELLED:
        booking_cancelled(booking)
    elif to_status == BookingStatus.EXPIRED:
        booking_expired(booking)


def booking_requested(booking) -> None:
    person = booking.beneficiary
    for user in _partner_users(booking):
        notify(
            template="bookings/requested",
            user=user,
            channel="email",
            context={
                **_context(booking),
                "person": f"{person.first_name} {person.last_name}",
                "phone": display_phone(person.phone),
                "quantity": booking.quantity,
                "note": booking.note_for_partner,
                "confirm_url": partner_answer_url(booking, "confirm"),
                "decline_url": partner_answer_url(booking, "decline"),
                "needs_answer": booking.status == BookingStatus.REQUESTED,
            },
        )


def booking_answered(booking, *, status: str) -> None:
    template = ANSWERS[status]
    _tell_adviser(booking, template, reason=booking.decline_reason)
    _tell_beneficiary(booking, template, reason=booking.decline_reason)


def booking_cancelled(booking) -> None:
    extra = {"reason": booking.cancellation_reason, "by": booking.get_cancelled_by_display()}
    _tell_adviser(booking, "bookings/cancelled", **extra)
    _tell_beneficiary(booking, "bookings/cancelled", **extra)
    if booking.cancelled_by != ActorRole.PARTNER:
        for user in _partner_users(booking):
            notify(template="bookings/cancelled", user=user, channel="email",
                   context={**_context(booking), **extra, "url": ""})  # fmt: skip


def booking_expired(booking) -> None:
    _tell_adviser(booking, "bookings/expired")


def booking_reminder(booking) -> None:
    _tell_beneficiary(booking, "bookings/reminder")
