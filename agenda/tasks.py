from celery import shared_task
from django.contrib.auth import get_user_model

from agenda.generation import agenda_regenerate
from agenda.models import AgendaRule
from agenda.services_appointments import (
    appointments_of_closed_referrals_cancel,
    appointments_remind,
)


@shared_task
def agenda_regenerate_advisers(adviser_ids: list[int]) -> int:
    """After a rule or closure changed: these advisers' slots."""
    return agenda_regenerate(adviser_ids).created


@shared_task
def agenda_regenerate_all() -> int:
    """Daily (beat): roll every adviser's horizon one day on."""
    ids = set(AgendaRule.objects.values_list("adviser_id", flat=True))
    active = (
        get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    )
    return agenda_regenerate(list(active)).created


@shared_task
def agenda_remind() -> int:
    """Every 15 minutes (beat): appointments of referrals closed meanwhile are cancelled,
    then the reminders 48 h and 24 h before go out."""
    appointments_of_closed_referrals_cancel()
    return appointments_remind()
