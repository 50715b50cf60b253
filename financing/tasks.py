from celery import shared_task

from financing import loans, notifications


@shared_task
def arrears_daily() -> dict:
    updated = loans.arrears_update_all()
    return {
        "loans": updated,
        "late_notified": notifications.late_loans_notify(),
        "due_soon_notified": notifications.installments_due_soon_notify(),
    }
