"""Who may do what with a booking (pure predicates over the need-to-know table: those who
may change bookings on the booking's platform or at its partner are its parties)."""

from accounts.need_to_know import PARTNERS, PLATFORM_STAFF, DataKind, Mode, may
from bookings.enums import ActorRole


def _acts_for(user, organisation_id: int, audience) -> bool:
    return may(user, DataKind.BOOKINGS, Mode.WRITE, organisation=organisation_id,
               audience=audience)  # fmt: skip


def can_book_for(user, beneficiary) -> bool:
    return _acts_for(user, beneficiary.platform_id, PLATFORM_STAFF)


def is_booking_partner(user, booking) -> bool:
    return _acts_for(user, booking.service.partner.organisation_id, PARTNERS)


def is_booking_staff(user, booking) -> bool:
    return _acts_for(user, booking.platform_id, PLATFORM_STAFF)


def is_booking_beneficiary(user, booking) -> bool:
    return bool(user and user.is_authenticated and booking.beneficiary.user_id == user.pk)


def role_of(user, booking) -> str | None:
    """The side the user acts for on this booking, or None when they are not a party."""
    if user is None:
        return None
    if is_booking_partner(user, booking):
        return ActorRole.PARTNER
    if is_booking_staff(user, booking):
        return ActorRole.ADVISER
    if is_booking_beneficiary(user, booking):
        return ActorRole.BENEFICIARY
    return None
