"""Golden slot-generation tests: rules + closures → exact UTC slots."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from partners.models import Closure, Slot, SlotConflict
from partners.slots import slots_regenerate_many
from tests.partners.factories import PartnerFactory, RuleFactory, ServiceFactory

PARIS = ZoneInfo("Europe/Paris")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_midnight(day: date, tz=PARIS) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def rows(service):
    return list(
        Slot.objects.filter(service=service)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "capacity", "reserved")
    )


def starts(service, tz=PARIS) -> list[str]:
    return [
        s.astimezone(tz).strftime("%a %d %H:%M")
        for s in Slot.objects.filter(service=service)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    ]


@pytest.mark.django_db
def test_a_normal_week():
    rule = RuleFactory(weekdays=[0, 1, 2, 3, 4], start_time=time(9), end_time=time(12), capacity=2)
    monday = date(2026, 11, 23)
    report = slots_regenerate_many([rule.service_id], now=local_midnight(monday), days=7)
    assert report.created == 15
    result = rows(rule.service)
    assert result[:3] == [
        (utc(2026, 11, 23, 8), utc(2026, 11, 23, 9), 2, 0),
        (utc(2026, 11, 23, 9), utc(2026, 11, 23, 10), 2, 0),
        (utc(2026, 11, 23, 10), utc(2026, 11, 23, 11), 2, 0),
    ]
    assert result[-1][0] == utc(2026, 11, 27, 10)  # Friday 11:00 local
    assert not any(s.startswith(("Sat", "Sun")) for s in starts(rule.service))


@pytest.mark.django_db
def test_regeneration_is_idempotent():
    rule = RuleFactory()
    now = local_midnight(date(2026, 11, 23))
    slots_regenerate_many([rule.service_id], now=now, days=14)
    before = rows(rule.service)
    report = slots_regenerate_many([rule.service_id], now=now, days=14)
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    assert rows(rule.service) == before


@pytest.mark.django_db
def test_clocks_go_forward_last_sunday_of_march():
    # 28 March 2027: 02:00 → 03:00 in Europe/Paris; 02:00 and 02:30 do not exist.
    rule = RuleFactory(
        weekdays=[6], start_time=time(1), end_time=time(4), slot_minutes=30, capacity=1,
        valid_from=date(2027, 1, 1),
    )  # fmt: skip
    RuleFactory(service=rule.service, weekdays=[6], start_time=time(9), end_time=time(11),
                valid_from=date(2027, 1, 1))  # fmt: skip
    slots_regenerate_many([rule.service_id], now=local_midnight(date(2027, 3, 28)), days=1)
    assert [s[0] for s in rows(rule.service)] == [
        utc(2027, 3, 28, 0, 0),  # 01:00 CET
        utc(2027, 3, 28, 0, 30),  # 01:30 CET
        utc(2027, 3, 28, 1, 0),  # 03:00 CEST
        utc(2027, 3, 28, 1, 30),  # 03:30 CEST
        utc(2027, 3, 28, 7, 0),  # 09:00 CEST
        utc(2027, 3, 28, 8, 0),  # 10:00 CEST
    ]
    assert starts(rule.service) == [
        "Sun 28 01:00", "Sun 28 01:30", "Sun 28 03:00", "Sun 28 03:30",
        "Sun 28 09:00", "Sun 28 10:00",
    ]  # fmt: skip


@pytest.mark.django_db
def test_clocks_go_back_last_sunday_of_october():
    # 25 October 2026: 03:00 → 02:00; 02:00–02:59 happens twice, each slot is made once.
    rule = RuleFactory(
        weekdays=[6], start_time=time(1), end_time=time(4), slot_minutes=30, capacity=1
    )
    slots_regenerate_many([rule.service_id], now=local_midnight(date(2026, 10, 25)), days=1)
    result = [s[0] for s in rows(rule.service)]
    assert result == [
        utc(2026, 10, 24, 23, 0),  # 01:00 CEST
        utc(2026, 10, 24, 23, 30),  # 01:30 CEST
        utc(2026, 10, 25, 0, 0),  # 02:00 CEST (first occurrence)
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST (first occurrence)
        utc(2026, 10, 25, 2, 0),  # 03:00 CET
        utc(2026, 10, 25, 2, 30),  # 03:30 CET
    ]
    assert len(set(starts(rule.service))) == 6
    # The week after is on winter time: 9:00 local is 08:00 UTC.
    day_rule = RuleFactory(weekdays=[0], start_time=time(9), end_time=time(10))
    slots_regenerate_many([day_rule.service_id], now=local_midnight(date(2026, 10, 25)), days=2)
    assert [s[0] for s in rows(day_rule.service)] == [utc(2026, 10, 26, 8)]


@pytest.mark.django_db
def test_overseas_partner_time_zone():
    partner = PartnerFactory(timezone="Indian/Reunion")  # UTC+4, no daylight saving
    rule = RuleFactory(
        service=ServiceFactory(partner=partner), weekdays=[0, 1, 2, 3, 4, 5, 6],
        start_time=time(8), end_time=time(10),
    )  # fmt: skip
    reunion = ZoneInfo("Indian/Reunion")
    now = local_midnight(date(2027, 3, 28), reunion)
    slots_regenerate_many([rule.service_id], now=now, days=1)
    assert [s[0] for s in rows(rule.service)] == [utc(2027, 3, 28, 4), utc(2027, 3, 28, 5)]


@pytest.mark.django_db
def test_full_and_partial_closures():
    rule = RuleFactory(weekdays=[0, 1, 2], start_time=time(9), end_time=time(11), capacity=3)
    service = rule.service
    tuesday = date(2026, 11, 24)
    Closure.objects.create(  # the whole partner closed on Tuesday
        partner=service.partner,
        starts_at=local_midnight(tuesday),
        ends_at=local_midnight(tuesday + timedelta(days=1)),
    )
    Closure.objects.create(  # this service reduced to 1 place on Wednesday morning
        partner=service.partner,
        service=service,
        starts_at=datetime(2026, 11, 25, 9, tzinfo=PARIS),
        ends_at=datetime(2026, 11, 25, 10, tzinfo=PARIS),
        capacity=1,
        reason="repair",
    )
    slots_regenerate_many([service.pk], now=local_midnight(date(2026, 11, 23)), days=3)
    assert [(s, c) for s, _, c, _ in rows(service)] == [
        (utc(2026, 11, 23, 8), 3),
        (utc(2026, 11, 23, 9), 3),
        (utc(2026, 11, 25, 8), 1),
        (utc(2026, 11, 25, 9), 3),
    ]


@pytest.mark.django_db
def test_another_service_closure_does_not_apply():
    rule = RuleFactory(weekdays=[0], start_time=time(9), end_time=time(10))
    other = ServiceFactory(partner=rule.service.partner)
    Closure.objects.create(
        partner=other.partner,
        service=other,
        starts_at=local_midnight(date(2026, 11, 23)),
        ends_at=local_midnight(date(2026, 11, 24)),
    )
    slots_regenerate_many([rule.service_id], now=local_midnight(date(2026, 11, 23)), days=1)
    assert len(rows(rule.service)) == 1


@pytest.mark.django_db
def test_period_services_get_one_slot_per_day():
    service = ServiceFactory(rental=True)
    RuleFactory(
        service=service, weekdays=[0, 1, 2, 3, 4, 5], start_time=time(9), end_time=time(18),
        capacity=3,
    )  # fmt: skip
    slots_regenerate_many([service.pk], now=local_midnight(date(2026, 11, 23)), days=7)
    result = rows(service)
    assert len(result) == 6
    assert result[0] == (utc(2026, 11, 23, 8), utc(2026, 11, 23, 17), 3, 0)
    assert result[-1][0] == utc(2026, 11, 28, 8)  # Saturday; nothing on Sunday


@pytest.mark.django_db
def test_regeneration_never_drops_a_reservation_and_reports_the_conflict():
    rule = RuleFactory(weekdays=[0], start_time=time(9), end_time=time(11), capacity=3)
    service = rule.service
    now = local_midnight(date(2026, 11, 23))
    slots_regenerate_many([service.pk], now=now, days=1)
    booked = Slot.objects.get(service=service, starts_at=utc(2026, 11, 23, 8))
    Slot.objects.filter(pk=booked.pk).update(reserved=2)

    # Capacity lowered below what is reserved: the slot keeps 2, the partner is told.
    rule.capacity = 1
    rule.save()
    report = slots_regenerate_many([service.pk], now=now, days=1)
    assert report.conflicts == 1
    assert [(c, r) for _, _, c, r in rows(service)] == [(2, 2), (1, 0)]
    conflict = SlotConflict.objects.get()
    assert (conflict.slot_id, conflict.wanted_capacity, conflict.reserved) == (booked.pk, 1, 2)

    # Rule removed: the free slot goes, the booked one stays at its reservations.
    rule.delete()
    slots_regenerate_many([service.pk], now=now, days=1)
    assert rows(service) == [(utc(2026, 11, 23, 8), utc(2026, 11, 23, 9), 2, 2)]
    assert SlotConflict.objects.get().wanted_capacity == 0

    # Capacity back: the conflict is resolved.
    RuleFactory(service=service, weekdays=[0], start_time=time(9), end_time=time(11), capacity=4)
    slots_regenerate_many([service.pk], now=now, days=1)
    assert [(c, r) for _, _, c, r in rows(service)] == [(4, 2), (4, 0)]
    assert not SlotConflict.objects.exists()


@pytest.mark.django_db
def test_past_slots_are_left_alone_and_the_horizon_rolls():
    rule = RuleFactory(weekdays=[0, 1, 2, 3, 4, 5, 6], start_time=time(9), end_time=time(10))
    service = rule.service
    slots_regenerate_many([service.pk], now=local_midnight(date(2026, 11, 23)), days=3)
    rule.delete()
    # Two days later, with no rule left: only future free slots go.
    slots_regenerate_many([service.pk], now=local_midnight(date(2026, 11, 25)), days=3)
    assert [s[0] for s in rows(service)] == [utc(2026, 11, 23, 8), utc(2026, 11, 24, 8)]


@pytest.mark.django_db
def test_rules_outside_their_validity_open_nothing():
    rule = RuleFactory(
        weekdays=[0, 1, 2, 3, 4, 5, 6], start_time=time(9), end_time=time(10),
        valid_from=date(2026, 11, 24), valid_until=date(2026, 11, 25),
    )  # fmt: skip
    slots_regenerate_many([rule.service_id], now=local_midnight(date(2026, 11, 23)), days=5)
    assert [s[0] for s in rows(rule.service)] == [utc(2026, 11, 24, 8), utc(2026, 11, 25, 8)]
