from celery import shared_task

from core import notifications


@shared_task(bind=True, max_retries=4, acks_late=True)
def send_notification(self, notification_id: int) -> str:
    outcome = notifications.deliver(notification_id=notification_id)
    retry = outcome == notifications.DeliveryOutcome.RETRY
    # Eager runs (embedded mode) do not retry inline: the periodic sweep sends the row again.
    if retry and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return outcome


@shared_task
def sweep_notifications() -> int:
    """Re-enqueue what is stuck in the outbox; returns how many rows were re-sent."""
    ids = notifications.stuck_notification_ids()
    for notification_id in ids:
        send_notification.delay(notification_id)
    return len(ids)
