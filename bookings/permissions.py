"""Who may do what with a booking (pure predicates)."""

from accounts import permissions as p
from bookings.enums import ActorRole


def can_book_for(user, beneficiary) -> bool:
    return p.is_adviser(user, beneficiary.platform_id) or p.is_platform_admin(
        user, beneficiary.platform_id
    )


def is_booking_partner(user, booking) -> bool:
    return p.is_partner_member(user, booking.service.partner.organisation_id)


def is_booking_staff(user, booking) -> bool:
    return p.is_adviser(user, booking.platform_id) or p.is_platform_admin(user, booking.platform_id)


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
