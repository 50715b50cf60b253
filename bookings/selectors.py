"""Bookings each user may see (need-to-know table): platform staff their platform's; partner
members their partner's; a beneficiary their own. Anything else is 404."""

from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from accounts.enums import OrganisationKind
from accounts.need_to_know import DataKind, organisations_where, platforms_where
from accounts.scoping import partner_organisation_ids
from beneficiaries.models import Beneficiary
from beneficiaries.privacy import export_rows
from bookings.enums import BookingStatus
from bookings.models import Booking
from core.errors import NotFoundError
from partners.models import Service
from partners.selectors import bookable_services


def booking_list_for(*, user) -> QuerySet[Booking]:
    if not user.is_authenticated:
        return Booking.objects.none()
    partners = organisations_where(user, DataKind.BOOKINGS, org_kind=OrganisationKind.PARTNER)
    visible = Q(platform_id__in=platforms_where(user, DataKind.BOOKINGS)) | Q(
        service__partner__organisation_id__in=partners
    )
    visible |= Q(beneficiary__user_id=user.pk)  # a person's own (their user is theirs alone)
    return Booking.objects.filter(visible).select_related(
        "service__partner__organisation", "beneficiary", "booked_by"
    )


def booking_get_for(*, user, booking_id: int) -> Booking:
    booking = booking_list_for(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError("Réservation introuvable.")
    return booking


# --- Lists ----------------------------------------------------------------------------------

# Still on, for the person: the partner has not answered yet, or is expecting them.
ACTIVE = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


def upcoming_q(now: datetime) -> Q:
    """The one definition of an upcoming booking: it has not ended yet (one under way still
    counts). Used by the API's `upcoming=true`, the platform's list and the person's page."""
    return Q(ends_at__gt=now)


def booking_list_filtered(
    *,
    user,
    platforms_only: bool = False,
    status: str = "",
    upcoming: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    beneficiary_id: int | None = None,
    person: str = "",
    now: datetime | None = None,
) -> QuerySet[Booking]:
    """The bookings the user may see, narrowed by the filters that the API
    (`GET /api/v1/bookings/`) and the platform's list page offer alike; unordered.

    `platforms_only` keeps those of the user's platforms (the page is for platform staff,
    even when they are also a partner's member). `date_from`/`date_to` are local days
    (the current time zone), both included, on the start. `person` matches every word
    against the first or last name."""
    bookings = booking_list_for(user=user)
    if platforms_only:
        bookings = bookings.filter(platform_id__in=platforms_where(user, DataKind.BOOKINGS))
    if status:
        bookings = bookings.filter(status=status)
    if upcoming:
        bookings = bookings.filter(upcoming_q(now or timezone.now()))
    tz = timezone.get_current_timezone()
    if date_from:
        bookings = bookings.filter(starts_at__gte=datetime.combine(date_from, time(0), tz))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time(0), tz)
        bookings = bookings.filter(starts_at__lt=end)
    if beneficiary_id:
        bookings = bookings.filter(beneficiary_id=beneficiary_id)
    for word in person.split():
        bookings = bookings.filter(
            Q(beneficiary__last_name__icontains=word) | Q(beneficiary__first_name__icontains=word)
        )
    return bookings


def bookings_of_beneficiary(*, beneficiary_id: int) -> QuerySet[Booking]:
    """A person's own bookings, unordered (`bookings_of_beneficiary_in_order` sorts them)."""
    return Booking.objects.filter(beneficiary_id=beneficiary_id).select_related(
        "service__partner__organisation"
    )


BOOKING_EXPORT_FIELDS = (
    "reference", "service_name", "partner_name", "starts_at", "ends_at", "status", "quantity",
    "units", "unit_price", "total_price", "note_for_partner", "decline_reason",
    "cancellation_reason", "cancelled_by", "created_at", "confirmed_at", "cancelled_at",
    "completed_at", "no_show_at",
)  # fmt: skip


def bookings_export_rows(*, beneficiary_id: int) -> list[dict]:
    """A person's bookings with the partners, for their data export."""
    bookings = (
        Booking.objects.filter(beneficiary_id=beneficiary_id)
        .annotate(service_name=F("service__name"),
                  partner_name=F("service__partner__organisation__name"))
        .order_by("starts_at", "pk")
    )  # fmt: skip
    return export_rows(bookings, *BOOKING_EXPORT_FIELDS)


def bookings_of_beneficiary_in_order(
    *, beneficiary_id: int, now: datetime, with_slots: bool = False
) -> tuple[list[Booking], list[Booking]]:
    """A person's bookings as « Mes rendez-vous » and `GET /api/v1/me/bookings/` show them,
    in one query: those to come (upcoming and still on), soonest first; then the others
    (past, cancelled, declined...), latest first."""
    bookings = bookings_of_beneficiary(beneficiary_id=beneficiary_id).annotate(
        to_come=ExpressionWrapper(
            upcoming_q(now) & Q(status__in=ACTIVE), output_field=BooleanField()
        )
    )
    if with_slots:
        bookings = bookings.prefetch_related("booking_slots")
    bookings = list(bookings)
    coming = sorted((b for b in bookings if b.to_come), key=lambda b: (b.starts_at, b.pk))
    others = sorted(
        (b for b in bookings if not b.to_come), key=lambda b: (b.starts_at, b.pk), reverse=True
    )
    return coming, others


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
