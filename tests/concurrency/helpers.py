"""The shared world of the concurrency tests and what they check on it."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.scoping import memberships
from beneficiaries.models import Beneficiary
from bookings.enums import HOLDING
from bookings.models import BookingSlot
from partners.models import Service, Slot


@dataclass
class World:
    platform: Organisation
    adviser: User
    manager: User
    service: Service
    rental: Service
    beneficiary: Beneficiary

    def slot(self, day: int, *, capacity: int = 1, service: Service | None = None) -> Slot:
        """A slot `day` days ahead (a 1-hour slot, or a whole day for the rental)."""
        service = service or self.service
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=day)
        length = timedelta(days=1) if service == self.rental else timedelta(hours=1)
        return Slot.objects.create(
            service=service, starts_at=start, ends_at=start + length, capacity=capacity
        )


def held(slot: Slot) -> int:
    """Places the holding bookings of the slot take (what `reserved` must equal)."""
    total = BookingSlot.objects.filter(slot=slot, booking__status__in=HOLDING).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


def fresh_user(user_id: int) -> User:
    """The user as the thread's own object (the membership cache lives on the instance)."""
    user = User.objects.get(pk=user_id)
    memberships(user)
    return user
