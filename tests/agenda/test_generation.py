"""Golden agenda generation: weekly rules at places in the platform's time zone, closures
(an adviser away, a place closed), both clock changes; then the diff never loses a slot
that holds an appointment."""

from datetime import UTC, date, datetime

import pytest

from agenda.enums import KindCategory
from agenda.generation import agenda_regenerate
from agenda.models import AgendaClosure, AgendaSlot
from agenda.services_appointments import appointment_book
from tests.agenda.conftest import make_rule

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rows(adviser):
    return [
        (s.starts_at, s.ends_at, s.place.name, s.kind.category, s.capacity)
        for s in AgendaSlot.objects.filter(adviser=adviser).select_related("place", "kind")
        .order_by("starts_at")
    ]  # fmt: skip


def test_golden_week_across_the_autumn_clock_change(platform, adviser, places, kinds):
    """Friday 23 October 2026 is summer time (UTC+2), Monday 26 winter time (UTC+1)."""
    diag, follow = kinds[KindCategory.DIAGNOSTIC], kinds[KindCategory.FOLLOW_UP]
    make_rule(adviser, places["montlucon"], diag, (0, 1, 4), 9, 12)  # 90 min: 9 h, 10 h 30
    make_rule(adviser, places["vichy"], follow, (0,), 14, 16)  # 45 min: 14 h, 14 h 45
    # The adviser is away all Tuesday; Vichy's town hall closes on Monday at 14 h 45.
    AgendaClosure.objects.create(
        platform=platform,
        adviser=adviser,
        starts_at=utc(2026, 10, 26, 23),
        ends_at=utc(2026, 10, 27, 23),
    )
    AgendaClosure.objects.create(
        platform=platform,
        place=places["vichy"],
        starts_at=utc(2026, 10, 26, 13, 45),
        ends_at=utc(2026, 10, 27),
    )
    report = agenda_regenerate([adviser.pk], now=utc(2026, 10, 22, 12), days=6)  # fmt: skip
    montlucon, vichy = "France Services Montluçon", "Mairie de Vichy"
    assert rows(adviser) == [
        (utc(2026, 10, 23, 7), utc(2026, 10, 23, 8, 30), montlucon, "diagnostic", 1),
        (utc(2026, 10, 23, 8, 30), utc(2026, 10, 23, 10), montlucon, "diagnostic", 1),
        (utc(2026, 10, 26, 8), utc(2026, 10, 26, 9, 30), montlucon, "diagnostic", 1),
        (utc(2026, 10, 26, 9, 30), utc(2026, 10, 26, 11), montlucon, "diagnostic", 1),
        (utc(2026, 10, 26, 13), utc(2026, 10, 26, 13, 45), vichy, "follow_up", 1),
    ]
    assert report.created == 5
    # Run again: nothing to do.
    again = agenda_regenerate([adviser.pk], now=utc(2026, 10, 22, 12), days=6)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_the_hour_skipped_in_spring_gives_no_slot(adviser, places, kinds):
    """Sunday 29 March 2026, 2 h → 3 h: a 45-minute rule from 1 h loses 2 h 30 only."""
    make_rule(adviser, places["moulins"], kinds[KindCategory.FOLLOW_UP], (6,), 1, 4,
              valid_from=date(2026, 3, 1))  # fmt: skip
    agenda_regenerate([adviser.pk], now=utc(2026, 3, 28, 12), days=2)
    assert [r[0] for r in rows(adviser)] == [
        utc(2026, 3, 29, 0, 0),  # 1 h 00 CET
        utc(2026, 3, 29, 0, 45),  # 1 h 45 CET (2 h 30 does not exist)
        utc(2026, 3, 29, 1, 15),  # 3 h 15 CEST
    ]


def test_a_kind_with_more_seats_gives_slots_with_those_seats(adviser, places, kinds):
    diag = kinds[KindCategory.DIAGNOSTIC]
    diag.seats = 2
    diag.save()
    make_rule(adviser, places["moulins"], diag, (2,), 9, 11)
    agenda_regenerate([adviser.pk], now=utc(2026, 11, 2, 12), days=7)
    assert [r[4] for r in rows(adviser)] == [2]


def test_a_booked_slot_survives_its_rule_and_a_closure(adviser, places, kinds, person):
    rule = make_rule(adviser, places["moulins"], kinds[KindCategory.DIAGNOSTIC], (2,), 9, 12)
    now = utc(2026, 11, 2, 12)
    agenda_regenerate([adviser.pk], now=now, days=7)
    first, second = AgendaSlot.objects.order_by("starts_at")
    appointment_book(actor=adviser, slot_id=first.pk, beneficiary_id=person.pk, now=now)
    rule.delete()
    report = agenda_regenerate([adviser.pk], now=now, days=7)
    assert (report.deleted, report.kept) == (1, 1)
    assert list(AgendaSlot.objects.values_list("pk", "reserved")) == [(first.pk, 1)]
    assert not AgendaSlot.objects.filter(pk=second.pk).exists()


def test_sessions_are_not_the_rules_business(platform, adviser, places, kinds):
    session = AgendaSlot.objects.create(
        platform=platform, adviser=adviser, place=places["vichy"],
        kind=kinds[KindCategory.COLLECTIVE], starts_at=utc(2026, 11, 4, 13),
        ends_at=utc(2026, 11, 4, 15), capacity=5, session=True, theme="Le budget voiture",
    )  # fmt: skip
    agenda_regenerate([adviser.pk], now=utc(2026, 11, 2, 12), days=7)
    assert AgendaSlot.objects.get() == session
