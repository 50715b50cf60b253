"""Run the same call from many threads at once, each on its own database connection.

Each worker opens its connection and prepares its own objects *before* the barrier, so that
when the barrier lets go every worker is already at the line that races. A barrier is cyclic:
`rounds` > 1 releases all workers together again for each round.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection

BARRIER_TIMEOUT = 60  # seconds; a broken barrier fails the race instead of hanging
JOIN_TIMEOUT = 240
MAX_WORKERS = 60  # PostgreSQL allows 100 connections and CI runs other things


@dataclass(frozen=True)
class Outcome:
    worker: int
    round: int
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def race(
    workers: int,
    attempt: Callable[[Any, int, int], Any],
    *,
    prepare: Callable[[int], Any] = lambda worker: None,
    rounds: int = 1,
) -> list[Outcome]:
    """Call `attempt(prepared, worker, round)` from `workers` threads, `rounds` times each."""
    assert 1 <= workers <= MAX_WORKERS, f"at most {MAX_WORKERS} connections at once"
    barrier = threading.Barrier(workers)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    setup_errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            connection.ensure_connection()
            prepared = prepare(worker)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            setup_errors.append(exc)
            barrier.abort()
            connection.close()
            return
        try:
            for round_ in range(rounds):
                barrier.wait(timeout=BARRIER_TIMEOUT)
                try:
                    outcome = Outcome(worker, round_, value=attempt(prepared, worker, round_))
                except Exception as exc:  # noqa: BLE001 - every exception is an outcome
                    outcome = Outcome(worker, round_, error=exc)
                with lock:
                    outcomes.append(outcome)
        except threading.BrokenBarrierError as exc:
            setup_errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker is still running"
    assert not setup_errors, f"the race did not run: {setup_errors[:3]!r}"
    assert len(outcomes) == workers * rounds
    return outcomes


def errors_other_than(outcomes: list[Outcome], kind: type, code: str) -> list[BaseException]:
    """Errors that are not `kind` with `code`: there must be none."""
    return [
        o.error
        for o in outcomes
        if o.error is not None
        and not (isinstance(o.error, kind) and getattr(o.error, "code", None) == code)
    ]
