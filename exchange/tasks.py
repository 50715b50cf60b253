from celery import shared_task

from exchange import delivery as sending


@shared_task(acks_late=True)
def send_webhook_delivery(delivery_id: int) -> str | None:
    return sending.deliver(delivery_id=delivery_id)


def schedule_retry(delivery) -> None:
    """Queue the next attempt at its time. In eager mode (embedded, tests) nothing waits:
    the periodic sweep sends it once due."""
    if send_webhook_delivery.app.conf.task_always_eager:
        return
    send_webhook_delivery.apply_async((delivery.pk,), eta=delivery.next_attempt_at)


@shared_task
def sweep_webhook_deliveries() -> int:
    """Send what is due (retries, deliveries whose task was lost); returns how many."""
    ids = sending.due_delivery_ids()
    for delivery_id in ids:
        send_webhook_delivery.delay(delivery_id)
    return len(ids)
