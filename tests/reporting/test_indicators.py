"""Each indicator against the hand-built world of `tests.reporting.world` (2025, seen on 10
January 2026): the expected figures are counted by hand in the comments."""

from datetime import date
from decimal import Decimal as D

import pytest

from reporting.enums import Family
from reporting.selectors import Report, Scope
from reporting.selectors_families import add_months, contract_dates
from tests.reporting.world import END, START

pytestmark = pytest.mark.django_db


def figures(world, family, adviser=None, start=START, end=END):
    scope = Scope((world.platform.pk,), start, end, adviser_id=adviser)
    return {f.key: f.value for f in Report(scope).family(family).figures}


def table(world, family, key, adviser=None):
    scope = Scope((world.platform.pk,), START, END, adviser_id=adviser)
    return Report(scope).family(family).table(key).rows


def test_referrals(world):
    got = figures(world, Family.REFERRALS)
    # 5 received in 2025 (the one of 20 Dec 2024 and the other platform's are not).
    assert {k: got[k] for k in ("received", "answered", "accepted", "refused", "reoriented",
                                "expired", "withdrawn", "waiting")} == {
        "received": 5, "answered": 3, "accepted": 1, "refused": 2, "reoriented": 1,
        "expired": 1, "withdrawn": 0, "waiting": 1,
    }  # fmt: skip
    assert got["median_days_to_answer"] == D("2.0")  # answers after 2, 4 and 1 days
    assert (got["refused_not_eligible"], got["refused_language_level"]) == (1, 1)
    assert got["refused_duplicate"] == 0
    assert got["diagnoses"] == 3  # p1, p3, p7 had a diagnosis in 2025
    assert table(world, Family.REFERRALS, "prescripteurs") == [
        ["France Travail", 3],
        ["Mission Locale", 2],
    ]
    monthly = dict(table(world, Family.REFERRALS, "orientations_mois"))
    assert (monthly["2025-02"], monthly["2025-11"], monthly["2025-12"]) == (1, 1, 0)


def test_people_and_the_norm_per_full_time_referent(world):
    got = figures(world, Family.PEOPLE)
    # Followed in 2025: p1, p2, p3, p4, p6, p7 (p5 left in 2024); 4 new; active on 31 Dec:
    # p1, p2, p6, p7.
    assert (got["followed"], got["new"], got["active"]) == (6, 4, 4)
    assert (got["diagnoses"], got["light_advice"], got["reinforced"]) == (3, 1, 2)
    assert got["fte"] == D("1.5")
    assert got["load"] == D("2.7")  # 4 ÷ (100 × 1.5)
    rows = table(world, Family.PEOPLE, "file_active")
    assert rows == [
        ["Bea Deux", D("0.50"), 1, D("50.0"), D("2.0")],
        ["Ana Un", D("1.00"), 3, D("100.0"), D("3.0")],
    ]


def test_an_advisers_own_file(world):
    a1, a2 = world.advisers
    got = figures(world, Family.PEOPLE, adviser=a2.pk)
    assert (got["followed"], got["active"]) == (3, 1)  # p3, p4, p7; p7 still followed
    assert table(world, Family.PEOPLE, "file_active", adviser=a2.pk) == [
        ["Bea Deux", D("0.50"), 1, D("50.0"), D("2.0")]
    ]
    assert figures(world, Family.BOOKINGS, adviser=a2.pk)["total"] == 2  # b3, b4 of p7
    assert figures(world, Family.BOOKINGS, adviser=a1.pk)["total"] == 3


def test_follow_up_cadence_and_support_contracts(world):
    got = figures(world, Family.FOLLOW_UP)
    # In reinforced support on 31 Dec: p1 (seen 25 Nov), p2 (never seen since June 2024),
    # p7 (last seen 1 June).
    assert (got["reinforced"], got["seen_within_6_weeks"], got["overdue"]) == (3, 1, 2)
    assert got["never_seen"] == 1
    assert got["seen_share"] == D("33.3")
    # Contracts of 6 months from the reinforced diagnosis: p1 (Feb, Aug), p2 (Jun, Dec 2025
    # — its 2024 contract is cut by the period), p4 (Feb 2025, then left in April), p7 (May,
    # Nov): 4 in force during 2025, 7 starts; p2's renewal falls in December.
    assert got["contracts_running"] == 4
    assert got["contracts_started"] == 7
    assert got["renewals_due"] == 1
    overdue = table(world, Family.FOLLOW_UP, "retards")
    assert [row[:3] for row in overdue] == [
        ["VU Jamais", "2024-06-15", 564],
        ["SEPT Lina", "2025-06-01", 213],
    ]


def test_a_period_that_cuts_a_contract(world):
    # First half of 2025 only: p2's contract of 15 Dec 2024 is running, its 15 June renewal
    # is due in June (the reference month).
    got = figures(world, Family.FOLLOW_UP, start=date(2025, 1, 1), end=date(2025, 6, 30))
    assert got["renewals_due"] == 1
    assert got["contracts_started"] == 4  # p1 Feb, p2 Jun, p4 Feb, p7 May (not p1 Aug)
    assert got["contracts_running"] == 4


def test_outcomes_keep_unknown_apart(world):
    got = figures(world, Family.OUTCOMES)
    # Exits in 2025: p3 (unknown), p4 (durable employment).
    assert (got["exits"], got["employment"], got["activity"], got["unknown"]) == (2, 1, 1, 1)
    assert got["employment_exit_rate"] == D("50.0")  # the unknown exit counts as no success
    assert got["activity_rate"] == D("16.7")  # 1 ÷ 6 people followed
    targets = table(world, Family.OUTCOMES, "objectifs")
    assert [row[1:] for row in targets] == [[D("50.0"), D("15")], [D("16.7"), D("15")]]


def test_bookings(world):
    got = figures(world, Family.BOOKINGS)
    assert got["total"] == 5
    assert (got["completed"], got["cancelled"], got["no_show"], got["declined"]) == (2, 1, 1, 1)
    assert got["no_show_rate"] == D("33.3")  # 1 ÷ (2 completed + 1 no-show)
    assert got["median_partner_answer_hours"] == D("12.0")  # 12, 24, 6, 12, 2 hours
    assert got["median_lead_days"] == D("7.0")  # 9, 10, 2, 7, 1 days
    assert table(world, Family.BOOKINGS, "categories") == [
        ["Garage solidaire", 3, 1, 1, 1],
        ["Location solidaire", 2, 1, 0, 0],
    ]
    assert table(world, Family.BOOKINGS, "partenaires")[0] == ["Garage A", 3, 1, 1, 1]


def test_savings_ignore_a_booking_cancelled_after_completion(world):
    got = figures(world, Family.SAVINGS)
    assert got["completed"] == 2
    assert (got["market_total"], got["solidarity_total"]) == (D("165.00"), D("55.00"))
    assert got["savings"] == D("110.00")
    assert got["savings_rate"] == D("66.7")
    monthly = dict(table(world, Family.SAVINGS, "economies_mois"))
    assert (monthly["2025-03"], monthly["2025-07"], monthly["2025-08"]) == (
        D("30.00"), D("80.00"), D("0.00")
    )  # fmt: skip


def test_money(world):
    got = figures(world, Family.FINANCING)
    assert (got["budget"], got["committed"], got["paid"]) == (D("3000.00"), D("350.00"),
                                                             D("100.00"))  # fmt: skip
    assert got["granted"] == D("350.00")  # 200 + 100 + 50; the rejected award is not
    assert got["consumption_rate"] == D("11.7")
    # Outstanding: 1200 − 300, 600 − 100, and the defaulted 400.
    assert (got["loans_outstanding"], got["outstanding"]) == (3, D("1800.00"))
    assert got["par30"] == D("50.0")  # (500 + 400) ÷ 1800
    assert (got["defaults"], got["defaulted_balance"]) == (1, D("400.00"))
    assert (got["disbursed"], got["disbursed_amount"]) == (2, D("1800.00"))
    assert got["own_share"] == D("35.00")  # 15 + 20; the cancelled booking's 35 is not
    assert got["repayments"] == D("400.00")  # the reversed one and the 2024 one are not
    assert got["paid_by_people"] == D("435.00")
    programmes = table(world, Family.FINANCING, "enveloppes")
    assert programmes[0] == ["Aide Région", "Région", D("2000.00"), D("0.00"), D("0.00"),
                             D("0.0"), D("100.0")]  # fmt: skip
    assert programmes[1][:6] == ["Aide réparation", "Département", D("1000.00"), D("350.00"),
                                 D("100.00"), D("35.0")]  # fmt: skip
    months = dict((row[0], row[1:]) for row in table(world, Family.FINANCING, "paye_personnes"))
    assert months["2025-05"] == [D("0.00"), D("200.00")]
    assert months["2025-03"] == [D("15.00"), D("100.00")]
    assert months["2025-06"] == [D("0.00"), D("0.00")]


def test_the_whole_network_counts_every_platform(world):
    scope = Scope(None, START, END)
    assert Report(scope).family(Family.REFERRALS).figure("received").value == 6
    assert Report(scope).family(Family.OUTCOMES).figure("exits").value == 3


def test_an_empty_platform_gives_zeros_not_errors(world):
    from tests.factories import OrganisationFactory

    empty = OrganisationFactory()
    report = Report(Scope((empty.pk,), START, END))
    for family in report.families(Family):
        for figure in family.figures:
            assert figure.value in (0, None, D("0.00"), D("0.0"), D(0)), figure


def test_months_and_contracts_helpers():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert contract_dates(date(2024, 6, 15), date(2025, 12, 31)) == [
        date(2024, 6, 15), date(2024, 12, 15), date(2025, 6, 15), date(2025, 12, 15)
    ]  # fmt: skip
