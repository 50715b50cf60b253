"""« Réserver le … »: the catalogue's booking link names the next place the service lets book
now (past the partner's notice), not merely the next free one."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from marketplace.display import book_next
from marketplace.selectors import bookable_next_places
from partners.models import Slot
from tests.partners.factories import PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=PARIS)


def slot(service, hours_ahead: int, *, reserved=0):
    start = NOW + timedelta(hours=hours_ahead)
    return Slot.objects.create(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1), capacity=1,
        reserved=reserved,
    )  # fmt: skip


def test_the_link_names_the_first_free_place_past_the_notice(django_assert_num_queries):
    partner = PartnerFactory()
    noticed = ServiceFactory(partner=partner, min_notice_hours=24)
    at_once = ServiceFactory(partner=partner, min_notice_hours=0)
    soon = slot(noticed, 2)  # the next free place, but inside the notice
    slot(noticed, 26, reserved=1)  # full
    later = slot(noticed, 30)
    now_free = slot(at_once, 3)
    none = ServiceFactory(partner=partner)
    noticed.next_available_at = soon.starts_at
    at_once.next_available_at = now_free.starts_at
    none.next_available_at = None

    with django_assert_num_queries(1):  # one for all the services inside their notice
        places = bookable_next_places([noticed, at_once, none], NOW)
    assert places == {noticed.pk: later.starts_at, at_once.pk: now_free.starts_at}
    with django_assert_num_queries(0):  # nothing to look up when all are past the notice
        assert bookable_next_places([at_once], NOW) == {at_once.pk: now_free.starts_at}

    with translation.override("fr"):
        link = book_next(noticed, later.starts_at, person_id=7)
    assert link["text"] == "Réserver le lun. 7 déc. à 16 h 00"
    assert link["url"].endswith(
        f"?service={noticed.pk}&place=2026-12-07T16%3A00%3A00%2B01%3A00&beneficiary=7"
    )
    assert book_next(noticed, None) is None
