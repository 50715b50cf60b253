"""Bookings each user may see: platform staff their platform's; partner members their
partner's; a beneficiary their own. Anything else is 404."""

from django.db.models import Q, QuerySet

from accounts.scoping import partner_organisation_ids, platform_ids
from beneficiaries.models import Beneficiary
from bookings.enums import BookingStatus
from bookings.models import Booking
from core.errors import NotFoundError
from partners.models import Service
from partners.selectors import bookable_services


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


# What the booking's creation and its answer read of the person, and of the service, its
# partner and organisation: on the hot path, fewer columns cost the ORM less to compile and
# to load (any other field still loads on first use).
_PERSON_FIELDS = ("platform_id", "status", "first_name", "last_name", "phone")
_SERVICE_FIELDS = (
    "name", "unit", "market_price", "solidarity_price", "booking_mode", "auto_confirm",
    "min_notice_hours", "max_advance_days", "partner__organisation__name",
)  # fmt: skip


def booking_parties(
    *, beneficiary_id: int, service_id: int
) -> tuple[Beneficiary | None, Service | None]:
    """The person a booking is for (None once their file is anonymised), and the service if
    the person's platform may book it (`partners.selectors.bookable_services`; else None),
    with its partner and organisation. No scoping: the caller checks that the actor may book
    for the person."""
    people = Beneficiary.objects.only(*_PERSON_FIELDS)
    try:
        person = people.get(pk=beneficiary_id, anonymised_at__isnull=True)
    except Beneficiary.DoesNotExist:
        return None, None
    services = bookable_services(platform_id=person.platform_id).select_related(
        "partner__organisation"
    )
    try:  # (one agreement per partner and platform: at most one row)
        return person, services.only(*_SERVICE_FIELDS).get(pk=service_id)
    except Service.DoesNotExist:
        return person, None
