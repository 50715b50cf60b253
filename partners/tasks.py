from celery import shared_task

from partners import slots
from partners.models import Service
from partners.next_free import next_free_refresh


@shared_task(acks_late=True)
def regenerate_service_slots(service_id: int) -> dict:
    report = slots.slots_regenerate(service_id)
    return report.__dict__


@shared_task
def regenerate_all_slots(batch_size: int = 200) -> dict:
    """Roll the horizon forward for every service (daily, from beat)."""
    total = slots.RegenerationReport()
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        report = slots.slots_regenerate_many(ids[start : start + batch_size])
        for field in ("created", "updated", "deleted", "conflicts"):
            setattr(total, field, getattr(total, field) + getattr(report, field))
    return total.__dict__


@shared_task
def refresh_next_free() -> int:
    """Recompute the stored next free slot of the services whose value is not exact any
    more (every minute, from beat): a slot changed, or time went past it."""
    return next_free_refresh()
