from celery import shared_task

from bookings import services


@shared_task
def bookings_expire() -> int:
    return services.bookings_expire()


@shared_task
def bookings_remind() -> int:
    return services.bookings_remind()
