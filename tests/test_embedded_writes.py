"""The embedded default (SQLite, no DATABASE_URL) holds concurrent writes: a real server
(gunicorn, 2 workers of 4 threads) on a fresh SQLite file takes 20 writers at once —
bookings racing for the same slots, cancellations, profile edits — and answers every one
with a 2xx or a clean 4xx, never a 500 ("database is locked" before WAL, IMMEDIATE
transactions and a busy timeout). It stops by itself within a minute, PostgreSQL or not
in the environment (CI): the server's environment drops DATABASE_URL and REDIS_URL."""

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITERS, BOOKINGS_EACH = 20, 3
DROPPED = {"DATABASE_URL", "REDIS_URL", "SOLIMOB_TESTING", "SMS_BACKEND", "EMAIL_URL",
           "DJANGO_ALLOW_ASYNC_UNSAFE"}  # fmt: skip


def embedded_environment(database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    # `make run`'s mode, on a file of its own instead of the checkout's db.sqlite3
    env.update(
        DEBUG="1", DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.settings"
    )
    return env


def call(method: str, url: str, body=None, token: str = "", timeout: float = 20):
    """(status, text) of one request; what no answer came to raises OSError."""
    request = urllib.request.Request(url, method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """(base URL, the ids of the world, env) of a gunicorn serving a fresh SQLite file."""
    env = embedded_environment(tmp_path / "db.sqlite3")
    setup = subprocess.run(
        [sys.executable, "-m", "tests.embedded_world"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=40,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr[-3000:]
    world = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2",
         "--threads", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if call("GET", f"{base}/healthz", timeout=2)[0] == 200:
                    break
            except OSError:  # not listening yet, or no worker ready
                pass
            assert process.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)
        yield base, world, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def writer(base: str, token: str, world: dict, person: int, answers: list, start) -> None:
    """Book a few random slots for one person, edit the person between bookings, cancel
    the first booking."""
    rng = random.Random(person)
    start.wait()

    def write(kind, method, path, body):
        try:
            status, text = call(method, f"{base}{path}", body, token)
        except OSError as exc:  # no answer at all (a worker killed, a timeout): a failure
            status, text = 599, repr(exc)
        answers.append((kind, status, text[:200]))
        return status, text

    booked = []
    # Distinct slots: a person never books one slot twice (that is 409 `already_booked`).
    for n, slot in enumerate(rng.sample(world["slots"], BOOKINGS_EACH)):
        body = {"beneficiary": person, "service": world["service"], "slots": [slot]}
        status, text = write("book", "POST", "/api/v1/bookings/", body)
        if status == 201:
            booked.append(json.loads(text)["id"])
        write("edit", "PATCH", f"/api/v1/beneficiaries/{person}/", {"household": f"écrit {n}"})
    for booking in booked[:1]:
        write("cancel", "POST", f"/api/v1/bookings/{booking}/cancel/", {"reason": "Empêchement"})


@pytest.mark.timeout(60)
def test_twenty_writers_at_once_get_no_500(server):
    base, world, env = server
    credentials = {"email": world["email"], "password": world["password"]}
    status, text = call("POST", f"{base}/api/v1/auth/token/", credentials)
    assert status == 200, text
    answers, start = [], threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=writer, args=(base, json.loads(text)["token"], world, person,
                                              answers, start), daemon=True)
        for person in world["people"][:WRITERS]
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "writers still waiting"

    errors = [answer for answer in answers if answer[1] >= 500]
    assert not errors, f"{len(errors)} of {len(answers)} writes failed: {errors[:3]}"
    assert len(answers) >= WRITERS * BOOKINGS_EACH * 2  # every write was answered
    unclean = [a for a in answers if not (200 <= a[1] < 300 or a[1] in (400, 409))]
    assert not unclean, unclean[:5]
    booked = sum(1 for kind, status, _text in answers if kind == "book" and status == 201)
    full = [text for kind, status, text in answers if kind == "book" and status == 409]
    assert booked >= len(world["slots"]) and full  # they raced, and the slots filled up
    assert all('"slot_full"' in text for text in full), [t for t in full if '"slot_full"' not in t]
    assert all(status == 200 for kind, status, _text in answers if kind in ("edit", "cancel"))
    # and the places the slots hold are the places the bookings take
    check = subprocess.run(
        [sys.executable, "manage.py", "check_capacity"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
