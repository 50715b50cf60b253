"""Booking API under load (issue: bookings, DESIGN §5).

A real gunicorn (4 workers, DEBUG off, dummy e-mail; Celery eager, or queued on Redis as in
production with `--redis`) on its own database, loaded from this process with threads over
127.0.0.1:

  floor  GET /api/v1/me/ from 32 clients: the cheapest authenticated request, measured for
         half of --floor-duration before (a) and half after, the two rates averaged
         (after a short warm-up of both requests, not measured);
  (a)    32 clients book distinct slots (POST /api/v1/bookings/) for --duration seconds;
  (b)    200 clients race for one slot of capacity 5, in waves released together:
         exactly 5 bookings, every other answer 409 slot_full.

Then: no slot holds more than its capacity, and `check_capacity` finds nothing. Each phase
also reports the CPU the server spent per request (gunicorn workers and their PostgreSQL
backends, from /proc), a cost that does not depend on what else the machine is doing.

    .venv/bin/python -m bench.bookings [--duration 20] [--clients 32] [--racers 200]
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from bench.common import ROOT, setup_django, timed

DATABASE_URL = os.environ.get(
    "BENCH_BOOKINGS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solimob_bench_bookings"
)
HOST = "127.0.0.1"
WORKERS = 4
WAVE = 50  # racing threads released together (the server still runs 4 at a time)
RACE_CAPACITY = 5
FLOOR_SHARE = 0.4  # the target: bookings/s at least this share of the floor's requests/s
HTTP_TIMEOUT = 30
STARTUP_TIMEOUT = 30
WARM_UP_SECONDS = 2
WARM_UP_SLOTS = 1000  # the last slots, booked by the warm-up
ENDPOINT_WAIT = 120  # the endpoint may still be on its way: wait this long for it, no longer


@dataclass
class World:
    token: str
    service_id: int
    beneficiary_ids: list[int]
    slot_ids: list[int]  # capacity 1, for (a)
    race_slot_id: int  # capacity RACE_CAPACITY, for (b)


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer (connection error, timeout)
    code: str
    seconds: float


# --- Set-up -----------------------------------------------------------------------------


def build(*, clients: int, slots: int, racers: int) -> World:
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Membership, Organisation, User
    from beneficiaries.models import Beneficiary
    from partners.models import Partner, PartnerAgreement, Service, Slot

    place = {"address": "1 rue du Banc", "commune": "Moulins", "postcode": "03000",
             "latitude": Decimal("46.5"), "longitude": Decimal("3.3")}  # fmt: skip
    platform = Organisation.objects.create(name="Plateforme bench", kind="platform", **place)
    adviser = User.objects.create_user("conseil.bench@exemple.test", first_name="Alex",
                                       last_name="Banc")  # fmt: skip
    Membership.objects.create(user=adviser, organisation=platform, role="adviser")
    token = Token.objects.create(user=adviser).key
    organisation = Organisation.objects.create(name="Garage bench", kind="partner",
                                               platform=platform, **place)  # fmt: skip
    partner = Partner.objects.create(organisation=organisation, category="garage",
                                     status="published")  # fmt: skip
    PartnerAgreement.objects.create(partner=partner, platform=platform,
                                    since=timezone.localdate() - timedelta(days=30))  # fmt: skip
    garage_manager = User.objects.create_user("atelier.bench@exemple.test")
    Membership.objects.create(user=garage_manager, organisation=organisation,
                              role="partner_manager")  # fmt: skip
    service = Service.objects.create(
        partner=partner, name="Main-d'œuvre", category="garage", unit="hour",
        market_price=Decimal("65"), solidarity_price=Decimal("35"), published=True,
        min_notice_hours=0, max_advance_days=365,
    )  # fmt: skip
    beneficiaries = [
        Beneficiary.objects.create(platform=platform, adviser=adviser, first_name="Personne",
                                   last_name=f"Banc {n}", email=f"personne{n}@exemple.test")
        for n in range(clients + racers)  # one person per client, then one per racer
    ]  # fmt: skip
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    step = timedelta(minutes=10)
    rows = Slot.objects.bulk_create(
        [
            Slot(service=service, starts_at=start + n * step, ends_at=start + (n + 1) * step,
                 capacity=1)
            for n in range(slots)
        ],
        batch_size=5000,
    )  # fmt: skip
    race_start = start + (slots + 1) * step
    race = Slot.objects.create(service=service, starts_at=race_start,
                               ends_at=race_start + step, capacity=RACE_CAPACITY)  # fmt: skip
    return World(token, service.pk, [b.pk for b in beneficiaries], [s.pk for s in rows], race.pk)


# --- The server -------------------------------------------------------------------------


ACCESS_FORMAT = "%(U)s %(s)s %(D)s"  # path, status, gunicorn's time for it in microseconds


def server_times(access_log: str, start: int, end: int, path: str) -> list[float]:
    """Seconds gunicorn took for each answer to `path` written between two offsets of its
    access log."""
    with open(access_log, "rb") as lines:
        lines.seek(start)
        chunk = lines.read(end - start).decode()
    times = []
    for line in chunk.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == path:
            times.append(int(parts[2]) / 1_000_000)
    return times


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, log, redis_url: str = "", access_log: str = "") -> subprocess.Popen:
    """Without `redis_url`, Celery is eager and every notification is sent inside the
    request; with it, as in production, notifications are only queued (no worker needed).
    `access_log`: a file where gunicorn writes each request's path, status and its own time
    (microseconds, from reading the request to writing the answer)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SOLIMOB_TESTING"}}
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        DATABASE_URL=DATABASE_URL, DEBUG="0", SECRET_KEY="bench-only-" + "x" * 50,  # noqa: S106
        ALLOWED_HOSTS=HOST, SECURE_SSL_REDIRECT="0", EMAIL_URL="dummymail://",
        SMS_BACKEND="core.sms.LocMemSmsBackend", LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )  # fmt: skip
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", str(WORKERS),
         "-b", f"{HOST}:{port}", "--timeout", "60", "--graceful-timeout", "5",
         *(["--access-logfile", access_log, "--access-logformat", ACCESS_FORMAT]
           if access_log else [])],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the group we started: master and its workers
        server.wait(5)


def wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        if Client(port, token="").call("GET", "/healthz").status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


# --- The clients ------------------------------------------------------------------------


class Client:
    """One keep-alive connection (reopened when the sync worker closes it)."""

    def __init__(self, port: int, *, token: str):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=HTTP_TIMEOUT)
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def call(self, method: str, path: str, body: dict | None = None) -> Answer:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return Answer(0, "no answer", time.perf_counter() - start)
        seconds = time.perf_counter() - start
        code = ""
        if status >= 400 and response.getheader("Content-Type", "").startswith("application/json"):
            try:
                code = str(json.loads(raw).get("code", ""))
            except (ValueError, AttributeError):
                code = "unparsable"
        return Answer(status, code, seconds)

    def close(self) -> None:
        self.connection.close()


def book_body(world: World, beneficiary_id: int, slot_id: int) -> dict:
    return {"beneficiary": beneficiary_id, "service": world.service_id, "slots": [slot_id]}


def run_for(seconds: float, clients: int, work) -> tuple[list[Answer], float]:
    """`work(client_index, deadline)` from `clients` threads; returns answers and wall time."""
    answers: list[Answer] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def run(index: int) -> None:
        barrier.wait()
        mine = work(index, time.monotonic() + seconds)
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join(seconds + 2 * HTTP_TIMEOUT)
    return answers, time.perf_counter() - start


def floor(port: int, world: World, *, seconds: float, clients: int):
    def work(index, deadline):
        client, mine = Client(port, token=world.token), []
        while time.monotonic() < deadline:
            mine.append(client.call("GET", "/api/v1/me/"))
        client.close()
        return mine

    return run_for(seconds, clients, work)


def distinct_slots(port: int, world: World, *, seconds: float, clients: int, slot_ids=None):
    slot_ids = world.slot_ids if slot_ids is None else slot_ids

    def work(index, deadline):
        client, mine = Client(port, token=world.token), []
        beneficiary = world.beneficiary_ids[index]
        for slot_id in slot_ids[index::clients]:
            if time.monotonic() >= deadline:
                break
            mine.append(client.call("POST", "/api/v1/bookings/",
                                    book_body(world, beneficiary, slot_id)))  # fmt: skip
        client.close()
        return mine

    return run_for(seconds, clients, work)


def race(port: int, world: World, *, racers: int):
    """`racers` bookings of the same slot, each for its own person (one person holds one
    booking of a slot), in waves of WAVE threads released together."""
    answers: list[Answer] = []
    lock = threading.Lock()
    people = world.beneficiary_ids[-racers:]

    def run(barrier: threading.Barrier, person: int) -> None:
        client = Client(port, token=world.token)
        barrier.wait()
        answer = client.call(
            "POST", "/api/v1/bookings/", book_body(world, person, world.race_slot_id)
        )
        client.close()
        with lock:
            answers.append(answer)

    start = time.perf_counter()
    for wave_start in range(0, racers, WAVE):
        size = min(WAVE, racers - wave_start)
        barrier = threading.Barrier(size)
        threads = [
            threading.Thread(target=run, args=(barrier, people[wave_start + n]), daemon=True)
            for n in range(size)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(2 * HTTP_TIMEOUT)
    return answers, time.perf_counter() - start


def endpoint_ready(port: int, world: World) -> bool:
    """The bookings endpoint answers (anything but 404/405) — wait a bounded time for it."""
    deadline = time.monotonic() + ENDPOINT_WAIT
    while True:
        answer = Client(port, token=world.token).call("GET", "/api/v1/bookings/")
        if answer.status not in (0, 404, 405):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(5)


# --- Server CPU -------------------------------------------------------------------------


class ServerCpu:
    """CPU seconds spent by the gunicorn workers and their PostgreSQL backends (from /proc):
    the cost of a request, whatever else the machine is doing at the time."""

    def __init__(self, server: subprocess.Popen):
        self.master = server.pid
        self.tick = os.sysconf("SC_CLK_TCK")

    def _seconds(self, pid: int) -> float:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def _pids(self) -> tuple[list[int], list[int]]:
        import psycopg

        workers = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
                if ppid == self.master:
                    workers.append(int(entry))
        name = DATABASE_URL.rsplit("/", 1)[1]
        admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
        return workers, [row[0] for row in rows]

    def sample(self) -> tuple[float, float]:
        workers, backends = self._pids()
        return (sum(map(self._seconds, workers)), sum(map(self._seconds, backends)))


def cpu_line(before: tuple[float, float], after: tuple[float, float], requests: int) -> str:
    python, database = (after[i] - before[i] for i in (0, 1))
    per = 1000 / max(requests, 1)
    return (f"  server CPU per request: {(python + database) * per:.1f} ms "
            f"(gunicorn {python * per:.1f} ms, PostgreSQL {database * per:.1f} ms)")  # fmt: skip


# --- Report -----------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def report(label: str, answers: list[Answer], wall: float, *, ok: int) -> dict:
    statuses = Counter((a.status, a.code) for a in answers)
    latencies = sorted(a.seconds * 1000 for a in answers if a.status)
    good = sum(1 for a in answers if a.status == ok)
    errors = sum(1 for a in answers if a.status == 0 or a.status >= 500)
    print(
        f"{label}: {len(answers)} requests in {wall:.1f} s = {len(answers) / wall:.0f} req/s; "
        f"{good} × {ok} = {good / wall:.1f}/s; latency ms p50 {percentile(latencies, 0.5):.0f} "
        f"p95 {percentile(latencies, 0.95):.0f} p99 {percentile(latencies, 0.99):.0f} "
        f"(mean {statistics.fmean(latencies) if latencies else float('nan'):.0f}); "
        f"errors (5xx or no answer): {errors}",
        flush=True,
    )
    print(f"  answers: {dict(sorted(statuses.items()))}", flush=True)
    return {"good": good, "errors": errors, "statuses": statuses, "rate": good / wall}


def check_database(world: World, *, booked_201: int) -> bool:
    from django.core.management import CommandError, call_command
    from django.db.models import F, Q, Sum
    from django.db.models.functions import Coalesce

    from bookings.enums import HOLDING
    from bookings.models import Booking
    from partners.models import Slot

    held = Coalesce(Sum("booking_slots__quantity",
                        filter=Q(booking_slots__booking__status__in=HOLDING)), 0)  # fmt: skip
    slots = Slot.objects.filter(service_id=world.service_id).annotate(held=held)
    overbooked = list(slots.filter(held__gt=F("capacity")).values_list("pk", "held", "capacity"))
    race = slots.get(pk=world.race_slot_id)
    bookings = Booking.objects.filter(service_id=world.service_id).count()
    print(f"bookings in the database: {bookings} (201 answers: {booked_201}); "
          f"race slot holds {race.held}/{race.capacity} (reserved {race.reserved}); "
          f"overbooked slots: {len(overbooked)} {overbooked[:5]}", flush=True)  # fmt: skip
    try:
        call_command("check_capacity")
        consistent = True
    except CommandError as exc:
        print(f"check_capacity: {exc}")
        consistent = False
    return not overbooked and bookings == booked_201 and consistent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20, help="seconds of load for (a)")
    parser.add_argument("--floor-duration", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--racers", type=int, default=200)
    parser.add_argument("--slots", type=int, default=12000)
    parser.add_argument("--redis", default="", help="REDIS_URL for the server (async Celery)")
    args = parser.parse_args()
    assert args.clients <= 60, "keep PostgreSQL connections for the server and others"
    setup_django(DATABASE_URL)
    from django.db import connection

    results: dict[str, float] = {}
    with timed("set-up (platform, adviser, token, service, slots)", results):
        world = build(clients=args.clients, slots=args.slots, racers=args.racers)
    connection.close()  # the server owns the database during the load

    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-bookings-gunicorn-", suffix=".log",
                                      delete=False)  # fmt: skip
    server = start_server(port, log, args.redis)
    try:
        wait_ready(port, server)
        print(f"gunicorn: {WORKERS} workers on {HOST}:{port} (log {log.name})", flush=True)
        if not endpoint_ready(port, world):
            print("BLOCKED: POST /api/v1/bookings/ does not exist yet (404): set-up and load "
                  "are ready; run again once the endpoint is in.")  # fmt: skip
            return
        cpu = ServerCpu(server)

        def measured(label: str, run, ok: int) -> dict:
            before = cpu.sample()
            answers, wall = run()
            after = cpu.sample()
            result = report(label, answers, wall, ok=ok)
            print(cpu_line(before, after, len(answers)), flush=True)
            return result

        # The floor is measured before and after the bookings and averaged, so a change in
        # what else the machine is doing weighs on both sides alike.
        def floor_run():
            return floor(port, world, seconds=args.floor_duration / 2, clients=args.clients)

        # Warm-up, not measured: every worker has served both kinds of request once.
        warm_slots = world.slot_ids[-WARM_UP_SLOTS:]
        floor(port, world, seconds=WARM_UP_SECONDS, clients=args.clients)
        warm_answers, _ = distinct_slots(port, world, seconds=WARM_UP_SECONDS,
                                         clients=args.clients, slot_ids=warm_slots)  # fmt: skip
        warm_booked = sum(1 for answer in warm_answers if answer.status == 201)
        me_before = measured("floor GET /api/v1/me/ (before)", floor_run, 200)
        a = measured(
            f"(a) {args.clients} clients, distinct slots",
            lambda: distinct_slots(
                port,
                world,
                seconds=args.duration,
                clients=args.clients,
                slot_ids=world.slot_ids[:-WARM_UP_SLOTS],
            ),  # fmt: skip
            201,
        )
        me_after = measured("floor GET /api/v1/me/ (after)", floor_run, 200)
        me = {
            "errors": me_before["errors"] + me_after["errors"],
            "rate": (me_before["rate"] + me_after["rate"]) / 2,
        }
        race_answers, wall = race(port, world, racers=args.racers)
        b = report(f"(b) {args.racers} racers, one slot of {RACE_CAPACITY}", race_answers,
                   wall, ok=201)  # fmt: skip
    finally:
        stop_server(server)
        log.close()
    if me["errors"] + a["errors"] + b["errors"]:  # keep the server's log to read
        with open(log.name) as server_log:
            print("gunicorn log (last lines):", *server_log.readlines()[-30:], sep="\n  ")
    else:
        os.unlink(log.name)

    unexpected_a = sum(n for (status, _), n in a["statuses"].items() if status != 201)
    expected_b = b["statuses"][(409, "slot_full")] == args.racers - RACE_CAPACITY
    race_ok = b["good"] == RACE_CAPACITY and expected_b
    consistent = check_database(world, booked_201=warm_booked + a["good"] + b["good"])
    no_errors = not (me["errors"] + a["errors"] + b["errors"])
    print(
        f"TARGETS no 5xx: {'OK' if no_errors else 'MISSED'}; "
        f"(a) every answer 201: {'OK' if not unexpected_a else f'MISSED ({unexpected_a})'}; "
        f"(b) exactly {RACE_CAPACITY} booked, the rest 409 slot_full: "
        f"{'OK' if race_ok else 'MISSED'}; "
        f"no overbooking and capacity consistent: {'OK' if consistent else 'MISSED'}; "
        f"booking throughput ≥ {FLOOR_SHARE:.0%} of the floor: "
        f"{'OK' if a['rate'] >= me['rate'] * FLOOR_SHARE else 'MISSED'} "
        f"({a['rate']:.1f}/s against {me['rate']:.1f}/s: {a['rate'] / me['rate']:.2f}×)",
        flush=True,
    )
    if not (no_errors and not unexpected_a and race_ok and consistent):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
