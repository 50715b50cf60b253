"""Celery wrappers: every draft of a month, built off the request (a platform with
thousands of partners)."""

from celery import shared_task

from accounts.models import User
from settlements import services


@shared_task
def build_all_drafts(user_id: int, platform_id: int, year: int, month: int) -> int:
    actor = User.objects.get(pk=user_id)
    report = services.settlement_build_all(
        actor=actor, platform_id=platform_id, year=year, month=month
    )
    return len(report.built)
