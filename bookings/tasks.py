from celery import shared_task
from django.core.cache import cache

from bookings import services

ANNOUNCE_QUEUED = "bookings:announce-queued"
ANNOUNCE_QUEUED_SECONDS = 60  # a lost run is replaced after this (the beat sweep also runs)


@shared_task
def bookings_expire() -> int:
    return services.bookings_expire()


@shared_task
def bookings_remind() -> int:
    return services.bookings_remind()


def announce_soon() -> None:
    """After a booking transition commits: make sure a run of `bookings_announce_pending` is
    on its way. While one is queued, later commits ride along with it (it reads the pending
    events when it starts), so a busy hour costs a few broker messages, not one per booking.

    No event is left behind: the run clears the mark *before* it reads the pending events,
    so a commit either finds the mark set (and its event is read by that run) or sets it
    (and queues a run of its own)."""
    if cache.add(ANNOUNCE_QUEUED, True, timeout=ANNOUNCE_QUEUED_SECONDS):
        bookings_announce_pending.delay()


@shared_task(acks_late=True)
def bookings_announce_pending() -> int:
    """Queued by `announce_soon`, and run by beat as a sweep."""
    cache.delete(ANNOUNCE_QUEUED)
    return services.bookings_announce_pending()


# --- waiting lists (issue 16) -------------------------------------------------------------


@shared_task
def waitlist_offer_places(service_id: int | None = None, session_id: int | None = None) -> int:
    """Offer the free places of one service, or one collective session (issue 16)."""
    from bookings.services_waitlist import waitlist_offer_places as offer

    return len(offer(service_id=service_id, session_id=session_id))


@shared_task
def waitlist_sweep() -> dict:
    from bookings.services_waitlist import waitlist_sweep as sweep

    return sweep()
