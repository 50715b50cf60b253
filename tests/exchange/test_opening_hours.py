import re
from datetime import date, time
from types import SimpleNamespace

from exchange.opening_hours import opening_hours

TODAY = date(2026, 3, 2)
# A subset of OSM's opening_hours grammar: rules "days hours[,hours]" joined by "; ".
DAYS = r"(Mo|Tu|We|Th|Fr|Sa|Su)"
SELECTOR = rf"{DAYS}(-{DAYS})?(,{DAYS}(-{DAYS})?)*"
HOURS = r"\d\d:\d\d-\d\d:\d\d(,\d\d:\d\d-\d\d:\d\d)*"
GRAMMAR = re.compile(rf"{SELECTOR} {HOURS}(; {SELECTOR} {HOURS})*")


def rule(days, start, end, *, since=date(2026, 1, 1), until=None):
    return SimpleNamespace(weekdays=days, start_time=time(*start), end_time=time(*end),
                           valid_from=since, valid_until=until)  # fmt: skip


def test_a_working_week_with_a_lunch_break():
    rules = [rule([0, 1, 2, 3, 4], (9, 0), (12, 0)), rule([0, 1, 2, 3, 4], (14, 0), (17, 30))]
    assert opening_hours(rules, today=TODAY) == "Mo-Fr 09:00-12:00,14:00-17:30"


def test_days_with_other_hours_are_their_own_rule_in_week_order():
    rules = [rule([5], (9, 0), (12, 0)), rule([0, 1, 2, 3, 4], (8, 30), (18, 0))]
    assert opening_hours(rules, today=TODAY) == "Mo-Fr 08:30-18:00; Sa 09:00-12:00"


def test_days_apart_with_the_same_hours_are_listed():
    rules = [rule([0, 2, 4], (9, 0), (12, 0)), rule([1], (9, 0), (10, 0))]
    assert opening_hours(rules, today=TODAY) == "Mo,We,Fr 09:00-12:00; Tu 09:00-10:00"


def test_two_days_in_a_row_are_a_list_three_a_range():
    assert opening_hours([rule([5, 6], (10, 0), (12, 0))], today=TODAY) == "Sa,Su 10:00-12:00"
    assert opening_hours([rule([0, 1, 2, 4], (10, 0), (12, 0))], today=TODAY) == (
        "Mo-We,Fr 10:00-12:00"
    )


def test_overlapping_and_touching_hours_merge():
    rules = [rule([0], (9, 0), (11, 0)), rule([0], (10, 0), (12, 0)), rule([0], (12, 0), (13, 0))]
    assert opening_hours(rules, today=TODAY) == "Mo 09:00-13:00"


def test_only_rules_in_force_count():
    rules = [
        rule([0], (9, 0), (12, 0), until=date(2026, 2, 1)),  # over
        rule([1], (9, 0), (12, 0), since=date(2026, 4, 1)),  # not yet
        rule([2], (14, 0), (16, 0)),
    ]
    assert opening_hours(rules, today=TODAY) == "We 14:00-16:00"
    assert opening_hours(rules[:2], today=TODAY) is None
    assert opening_hours([], today=TODAY) is None


def test_what_it_writes_follows_the_grammar():
    samples = [
        [rule([0, 1, 2, 3, 4], (9, 0), (12, 0)), rule([5], (8, 0), (9, 0))],
        [rule([0, 3, 6], (7, 15), (19, 45))],
        [rule([d], (h, 0), (h + 1, 0)) for d, h in ((0, 8), (1, 9), (2, 10), (6, 11))],
    ]
    for rules in samples:
        assert GRAMMAR.fullmatch(opening_hours(rules, today=TODAY))
