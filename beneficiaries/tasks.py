from celery import shared_task

from beneficiaries import journey, privacy, services


@shared_task
def referrals_remind_and_expire() -> dict:
    return services.referrals_remind_and_expire()


@shared_task
def follow_ups_overdue_notify() -> int:
    return journey.follow_ups_overdue_notify()


@shared_task
def anonymise_inactive() -> int:
    return privacy.anonymise_inactive()
