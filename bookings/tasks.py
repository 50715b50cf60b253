from celery import shared_task

from bookings import services


@shared_task
def bookings_expire() -> int:
    return services.bookings_expire()


@shared_task
def bookings_remind() -> int:
    return services.bookings_remind()


@shared_task(acks_late=True)
def booking_event_announce(event_id: int) -> bool:
    return services.booking_event_announce(event_id=event_id)


@shared_task
def bookings_announce_pending() -> int:
    return services.bookings_announce_pending()
