"""The next free slot stored on each service (`partners.next_free`): whatever changes a slot
leaves a marker, the search never shows a stale value, and a refresh makes it exact again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F

from marketplace.selectors import SearchFilters, service_search
from partners.models import Service, Slot, StaleNextFree
from partners.next_free import next_free_refresh
from partners.slots import slots_regenerate_many
from partners.tasks import refresh_next_free
from tests.partners.factories import PartnerFactory, RuleFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Sunday 22 November 2026, 10:00 in Paris; the rule opens 9:00–12:00 on weekdays.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=PARIS)
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
MONDAY_10 = MONDAY_9 + timedelta(hours=1)
MONDAY_11 = MONDAY_9 + timedelta(hours=2)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def service():
    service = ServiceFactory(partner=PartnerFactory(), published=True)
    RuleFactory(service=service, capacity=1)
    slots_regenerate_many([service.pk], days=14)
    return service


def stored(service):
    service.refresh_from_db()
    return service.next_free_at


def marked(service) -> bool:
    return StaleNextFree.objects.filter(service=service).exists()


def shown(service, **filters):
    """The next free slot the catalogue shows for the service."""
    results = service_search(Service.objects.all(), SearchFilters(**filters))
    return next(s.next_available_at for s in results[0:100] if s.pk == service.pk)


def slot_at(service, at):
    return Slot.objects.get(service=service, starts_at=at)


def test_regeneration_stores_the_next_free_slot(service):
    assert stored(service) == MONDAY_9
    assert service.next_free_checked_at == NOW
    assert not marked(service)
    assert shown(service) == MONDAY_9


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("fill", MONDAY_10),
        ("grow", MONDAY_9),  # more room in a slot that had some: nothing moves
        ("delete", MONDAY_10),
        ("move", MONDAY_10),
    ],
)
def test_any_write_to_the_first_slot_is_seen(service, change, expected):
    first = slot_at(service, MONDAY_9)
    if change == "fill":
        Slot.objects.filter(pk=first.pk).update(reserved=F("capacity"))
    elif change == "grow":
        Slot.objects.filter(pk=first.pk).update(capacity=3)
    elif change == "delete":
        first.delete()
    else:
        first.starts_at = MONDAY_9 + timedelta(days=14)
        first.ends_at = first.starts_at + timedelta(hours=1)
        first.save()

    assert marked(service) == (change != "grow")
    assert shown(service) == expected
    assert refresh_next_free() == (1 if change != "grow" else 0)
    assert stored(service) == expected and not marked(service)
    assert shown(service) == expected


def test_a_new_free_slot_earlier_than_the_stored_one_is_seen(service):
    earlier = NOW + timedelta(hours=1)
    Slot.objects.create(service=service, starts_at=earlier, ends_at=earlier + timedelta(hours=1),
                        capacity=1)  # fmt: skip
    Slot.objects.create(
        service=service,
        starts_at=earlier - timedelta(hours=5),
        ends_at=earlier,
        capacity=1,
        reserved=1,
    )  # full: no marker of its own
    assert marked(service)
    assert shown(service) == earlier
    next_free_refresh()
    assert stored(service) == earlier


def test_a_full_slot_written_or_freed_by_the_admin_or_a_raw_update(service):
    Slot.objects.filter(service=service).update(reserved=F("capacity"))
    assert shown(service) is None
    next_free_refresh()
    assert stored(service) is None and not marked(service)
    assert shown(service) is None
    later = slot_at(service, MONDAY_11 + timedelta(days=2))
    later.reserved = 0
    later.save()
    assert shown(service) == later.starts_at


def test_time_passing_the_stored_slot(service, time_machine):
    time_machine.move_to(MONDAY_9 + timedelta(minutes=1), tick=False)
    # Nothing was written, but Monday 9:00 has started: the next one is 10:00.
    assert not marked(service)
    assert shown(service) == MONDAY_10
    assert refresh_next_free() == 1
    assert stored(service) == MONDAY_10
    assert shown(service) == MONDAY_10


def test_a_value_from_the_future_is_not_trusted(service, time_machine):
    time_machine.move_to(NOW - timedelta(days=3), tick=False)  # checked "after" now
    Slot.objects.create(service=service, starts_at=NOW - timedelta(days=1),
                        ends_at=NOW - timedelta(days=1) + timedelta(hours=1),
                        capacity=1, reserved=1)  # fmt: skip
    StaleNextFree.objects.all().delete()
    assert shown(service) == slot_at(service, MONDAY_9).starts_at  # computed, the same here
    Slot.objects.filter(service=service, starts_at=NOW - timedelta(days=1)).update(reserved=0)
    StaleNextFree.objects.all().delete()  # even without its marker
    assert shown(service) == NOW - timedelta(days=1)


def test_the_search_reads_the_stored_value_when_it_is_exact(service):
    """What makes sorting the whole catalogue cheap: an exact stored value is read, not
    recomputed (here a value written behind the search's back shows it)."""
    Service.objects.filter(pk=service.pk).update(next_free_at=MONDAY_11)
    assert shown(service) == MONDAY_11
    StaleNextFree.objects.create(service=service)
    assert shown(service) == MONDAY_9


def test_a_window_in_the_future_computes_from_its_start(service):
    from datetime import date

    assert shown(service, available_from=date(2026, 11, 24)) == MONDAY_9 + timedelta(days=1)


def test_refresh_forgets_the_markers_of_deleted_services(service):
    other = ServiceFactory(partner=service.partner)
    StaleNextFree.objects.create(service=other)
    other_id = other.pk
    other.delete()
    assert StaleNextFree.objects.filter(service_id=other_id).exists()
    next_free_refresh()
    assert not StaleNextFree.objects.exists()


def test_a_new_service_has_no_stored_value_until_refreshed():
    service = ServiceFactory(partner=PartnerFactory())
    assert service.next_free_checked_at is None
    start = NOW + timedelta(days=1)
    Slot.objects.create(service=service, starts_at=start, ends_at=start + timedelta(hours=1),
                        capacity=1)  # fmt: skip
    assert shown(service) == start
    next_free_refresh()
    assert stored(service) == start


def test_the_slot_triggers_exist():
    """Rebuilding `partners_slot` (as Django does on SQLite for many schema changes) drops
    its triggers: a migration that does so must create them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["partners_slot"],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'partners_slot'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"slot_inserted_stale", "slot_deleted_stale", "slot_changed_stale"}
