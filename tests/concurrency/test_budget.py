"""Grant budgets under concurrency (DESIGN §5), on real PostgreSQL: many threads, each with its
own connection, commit grants against one envelope at the same instant.

The guard is the conditional update `committed = committed + a WHERE committed + a <= budget`.
The control swaps it for a naive read-then-write and must show the envelope overspent: it
proves this race is able to catch a broken guard.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.enums import Role
from beneficiaries.models import Beneficiary
from core.errors import ApplicationError
from financing import services
from financing.enums import AwardStatus
from financing.models import FundingProgramme, GrantAward
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.concurrency.helpers import fresh_user
from tests.concurrency.race import MAX_WORKERS, errors_other_than, race
from tests.factories import OrganisationFactory, member
from tests.services import postgres_or_unavailable

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BUDGET = Decimal("1000.00")
AMOUNT = Decimal("50.00")
WORKERS = 50  # threads (connections) released together, at most MAX_WORKERS
ROUNDS = 2  # two waves: WORKERS × ROUNDS = 100 attempts
CONTROL_TRIES = 5


@pytest.fixture
def envelope(world):
    """A finance officer, a funder's envelope of 1,000 € and 100 people to award."""
    postgres_or_unavailable()
    officer = member(Role.FINANCE_OFFICER, world.platform)
    funder = OrganisationFactory(funder=True, name="Département course", platform=world.platform)
    programme = services.programme_create(
        actor=officer, platform_id=world.platform.pk, funder_id=funder.pk,
        name="Aide à la réparation", budget=BUDGET,
        starts_on=timezone.localdate() - timedelta(days=30),
    )  # fmt: skip
    people = [
        BeneficiaryFactory(platform=world.platform, adviser=world.adviser)
        for _ in range(WORKERS * ROUNDS)
    ]
    return officer, programme, [p.pk for p in people]


class Watcher(threading.Thread):
    """Reads the envelope over and over on its own connection while the race runs."""

    def __init__(self, programme_id: int):
        super().__init__(daemon=True)
        self.programme_id = programme_id
        self.stop = threading.Event()
        self.seen: list[tuple[Decimal, Decimal]] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.seen.append(
                    FundingProgramme.objects.values_list("committed", "budget").get(
                        pk=self.programme_id
                    )
                )
        finally:
            connection.close()


def award_race(officer, programme, people, workers=WORKERS, rounds=ROUNDS):
    def prepare(worker):
        return fresh_user(officer.pk), list(
            Beneficiary.objects.filter(pk__in=people[worker::workers]).order_by("pk")
        )

    def attempt(prepared, worker, round_):
        user, mine = prepared
        return services.award_create(
            actor=user, programme_id=programme.pk, beneficiary=mine[round_], amount=AMOUNT
        ).pk

    return race(workers, attempt, prepare=prepare, rounds=rounds)


def test_the_budget_is_never_overspent(envelope):
    officer, programme, people = envelope
    assert WORKERS <= MAX_WORKERS
    watcher = Watcher(programme.pk)
    watcher.start()

    try:
        outcomes = award_race(officer, programme, people)
    finally:
        watcher.stop.set()
        watcher.join(30)

    assert len(outcomes) == 100
    assert sum(o.ok for o in outcomes) == 20
    assert errors_other_than(outcomes, services.BudgetExceeded, "budget_exceeded") == []
    assert sum(not o.ok for o in outcomes) == 80
    programme.refresh_from_db()
    assert programme.committed == BUDGET
    awards = GrantAward.objects.filter(programme=programme, status=AwardStatus.REQUESTED)
    assert awards.count() == 20
    assert awards.aggregate(total=Sum("amount"))["total"] == programme.committed
    assert sorted(awards.values_list("pk", flat=True)) == sorted(o.value for o in outcomes if o.ok)
    assert watcher.seen, "the watcher never read the envelope"
    assert all(committed <= budget for committed, budget in watcher.seen)


def test_control_without_the_guard_the_same_race_overspends(envelope, monkeypatch):
    """A naive read-then-write loses updates: more awards than the budget pays for, and a
    `committed` that no longer matches them. If this passes, the race above is real."""
    officer, programme, people = envelope

    def naive_commit(programme_id, amount):
        current = FundingProgramme.objects.get(pk=programme_id)
        if current.committed + amount > current.budget:
            raise services.BudgetExceeded("budget")
        FundingProgramme.objects.filter(pk=programme_id).update(
            committed=current.committed + amount
        )

    monkeypatch.setattr(services, "commit", naive_commit)
    for _attempt in range(CONTROL_TRIES):
        GrantAward.objects.filter(programme=programme).delete()
        FundingProgramme.objects.filter(pk=programme.pk).update(committed=Decimal("0"))
        outcomes = award_race(officer, programme, people, rounds=1)
        awarded = sum(o.ok for o in outcomes) * AMOUNT
        if awarded > BUDGET:
            break
    assert awarded > BUDGET, f"no overspend in {CONTROL_TRIES} tries: the race is too weak"
    programme.refresh_from_db()
    assert programme.committed <= BUDGET < awarded  # the lost updates, in the data


def test_the_per_person_cap_holds_when_awards_race(envelope, world):
    """Fifty awards of 600 € at once for one person, cap 1,000 €: one must pass."""
    officer, programme, _people = envelope
    FundingProgramme.objects.filter(pk=programme.pk).update(
        budget=Decimal("100000"), per_beneficiary_cap=Decimal("1000.00")
    )
    person = world.beneficiary

    outcomes = race(
        WORKERS,
        lambda user, worker, round_: (
            services.award_create(
                actor=user, programme_id=programme.pk, beneficiary=person, amount=Decimal("600.00")
            ).pk
        ),
        prepare=lambda worker: fresh_user(officer.pk),
    )

    assert errors_other_than(outcomes, ApplicationError, "cap_exceeded") == []
    assert sum(o.ok for o in outcomes) == 1
