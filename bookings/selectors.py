"""Bookings each user may see (need-to-know table): platform staff their platform's; partner
members their partner's; a beneficiary their own. Anything else is 404."""

from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from accounts.need_to_know import DataKind, organisations_where, platforms_where
from accounts.scoping import partner_organisation_ids
from beneficiaries.models import Beneficiary
from bookings.enums import BookingStatus
from bookings.models import Booking
from core.errors import NotFoundError
from core.rows import Columns, fetch_one
from partners.enums import PartnerStatus
from partners.models import Partner, PartnerAgreement, Service


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


# What a booking reads of its service, partner and organisation (other fields load on first
# use), and all of the person. Hand-written SQL (core.rows): on the booking's hot path,
# compiling these reads with the ORM cost ten times what PostgreSQL spends answering them.
_PERSON = Columns(Beneficiary, "b")
_SERVICE = Columns(Service, "s", (
    "partner_id", "name", "category", "unit", "market_price", "solidarity_price",
    "booking_mode", "auto_confirm", "min_notice_hours", "max_advance_days",
    "cancellation_cutoff_hours", "published",
))  # fmt: skip
_PARTNER = Columns(Partner, "p", ("organisation_id", "status", "timezone"))
_ORGANISATION = Columns(Organisation, "o", ("name",))
_AGREEMENT = Columns(PartnerAgreement, "a")
# The agreement is in force as `partners.selectors.agreement_in_force` says: active, begun,
# not ended (tests/bookings/test_parties.py holds the two to the same answers).
_PARTIES = (
    f"SELECT {_PERSON.sql}, {_SERVICE.sql}, {_PARTNER.sql}, {_ORGANISATION.sql}"
    f" FROM {_PERSON.table} LEFT JOIN ({_SERVICE.table}"
    f" JOIN {_PARTNER.table} ON p.id = s.partner_id AND p.status = %s"
    f" JOIN {_ORGANISATION.table} ON o.id = p.organisation_id"
    f" JOIN {_AGREEMENT.table} ON a.partner_id = p.id AND a.active AND a.since <= %s"
    " AND (a.until IS NULL OR a.until >= %s))"
    " ON s.id = %s AND s.published AND a.platform_id = b.platform_id"
    " WHERE b.id = %s AND b.anonymised_at IS NULL"
)


def booking_parties(
    *, beneficiary_id: int, service_id: int
) -> tuple[Beneficiary | None, Service | None]:
    """In one query: the person a booking is for (None once their file is anonymised), and
    the service (None unless it is published, by a published partner, with an agreement in
    force with the person's platform), with its partner and organisation. No scoping: the
    caller checks that the actor may book for the person."""
    today = timezone.localdate()
    row = fetch_one(
        _PARTIES, [PartnerStatus.PUBLISHED.value, today, today, service_id, beneficiary_id],
        _PERSON, _SERVICE, _PARTNER, _ORGANISATION,
    )  # fmt: skip
    if row is None:
        return None, None
    person, service, partner, organisation = row
    if service is not None:
        partner.organisation = organisation
        service.partner = partner
    return person, service
