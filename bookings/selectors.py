"""Bookings each user may see: platform staff their platform's; partner members their
partner's; a beneficiary their own. Anything else is 404."""

from django.db.models import Q, QuerySet

from accounts.scoping import partner_organisation_ids, platform_ids
from bookings.enums import BookingStatus
from bookings.models import Booking
from core.errors import NotFoundError


def booking_list_for(*, user) -> QuerySet[Booking]:
    if not user.is_authenticated:
        return Booking.objects.none()
    visible = Q(platform_id__in=platform_ids(user)) | Q(
        service__partner__organisation_id__in=partner_organisation_ids(user)
    )
    visible |= Q(beneficiary__user_id=user.pk)
    return Booking.objects.filter(visible).select_related(
        "service__partner__organisation", "beneficiary", "booked_by"
    )


def booking_get_for(*, user, booking_id: int) -> Booking:
    booking = booking_list_for(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError("Réservation introuvable.")
    return booking


def bookings_of_beneficiary(*, beneficiary_id: int) -> QuerySet[Booking]:
    """A person's own bookings (the pages split them into upcoming and past)."""
    return Booking.objects.filter(beneficiary_id=beneficiary_id).select_related(
        "service__partner__organisation"
    )


def partner_inbox(*, user) -> QuerySet[Booking]:
    return (
        booking_list_for(user=user)
        .filter(
            service__partner__organisation_id__in=partner_organisation_ids(user),
            status=BookingStatus.REQUESTED,
        )
        .order_by("starts_at", "pk")
    )
