"""The shared world of the concurrency tests and what they check on it."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
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
    people: list[Beneficiary]  # one per racing worker: a person holds one booking of a slot

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


@contextmanager
def held_open(work, *, wait: float = 30):
    """Run `work()` in a transaction of its own, in another thread, and keep that
    transaction open (its locks held) while the with-block runs; the thread's error, if any,
    fails the test."""
    ready, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run():
        try:
            with transaction.atomic():
                work()
                ready.set()
                assert release.wait(wait)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
            ready.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(wait) and not errors, errors
    try:
        yield
    finally:
        release.set()
        thread.join(wait)
    assert not thread.is_alive() and not errors, errors


@contextmanager
def lock_timeout(value: str):
    """Waiting longer than `value` for a lock fails the statement (and so the test)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{value}'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def collective_session(world: World, *, seats: int, days: int):
    """A collective session of the agenda `days` days ahead with `seats` seats, at a town
    hall of the world's platform."""
    from agenda.enums import KindCategory
    from agenda.models import Place
    from agenda.services import kinds_ensure, session_create
    from core.models import Commune

    town, _created = Commune.objects.get_or_create(
        insee_code="03310", defaults={"name": "Vichy", "search_name": "vichy",
                                      "department": "03", "latitude": "46.1278",
                                      "longitude": "3.4258"},
    )  # fmt: skip
    kinds = {k.category: k for k in kinds_ensure(platform_id=world.platform.pk)}
    place, _created = Place.objects.get_or_create(
        platform=world.platform, name="Mairie de Vichy",
        defaults={"kind": "town_hall", "commune": town, "latitude": town.latitude,
                  "longitude": town.longitude},
    )  # fmt: skip
    return session_create(
        actor=world.adviser, platform_id=world.platform.pk,
        kind_id=kinds[KindCategory.COLLECTIVE].pk, place_id=place.pk,
        adviser_id=world.adviser.pk, starts_at=timezone.now() + timedelta(days=days),
        theme="Le budget d'une voiture", seats=seats,
    )  # fmt: skip


def seats_held(session) -> int:
    """The session's seats its appointments hold (what `reserved` must count besides the
    places its waiting-list offers hold)."""
    from agenda.enums import HOLDING as APPOINTMENT_HOLDING
    from agenda.models import Appointment

    return Appointment.objects.filter(
        slot=session, holding=True, status__in=APPOINTMENT_HOLDING
    ).count()
