"""Stripe webhooks under load (issue 13): 10,000 signed deliveries, a third of them replays,
out of order, through gunicorn and a Celery worker on PostgreSQL and Redis. The worker
re-reads each PaymentIntent from a recorded Stripe (`RecordedStripe`, below) or, with
`--localstripe`, from localstripe (loopback, free port).

  set-up   --payments share payments, each with a PaymentIntent at localstripe: most paid by
           card, some declined, some never paid, some cancelled. For each intent, events
           whose last one (by Stripe's `created`) says its true state, with noise before it
           (`processing`, an earlier `payment_failed`); then the list of deliveries is the
           events plus replays (a third of the deliveries), shuffled.
  floor    GET /api/v1/me/ from --clients threads for --floor-duration seconds; then the
           same request at the rate (a) offers, for 10 s, as a reference for latencies.
  (a)      latency: the first --paced deliveries at --rate a second (default: half the floor's
           rate, a busy server but not a saturated one), Poisson arrivals from enough senders,
           each latency counted from when the delivery was due (a slow answer that delays the
           next ones counts against the server); the worker processes them meanwhile.
  (b)      throughput: the other deliveries from --clients threads, as fast as the server
           answers, the worker stopped (SIGSTOP, as during the floor): deliveries/s against the
           floor (the latencies there are mostly queueing: 16 clients for 4 gunicorn workers).
  (c)      processing: the worker resumed (SIGCONT) drains what (b) stored: events/s, each
           PaymentIntent re-read from the recorded Stripe (--stripe-latency adds a delay to
           each read, as Stripe's round trip would).
  CPU      gunicorn's CPU a delivery and the worker's an event (from /proc), less noisy than
           rates on a shared machine.

The worker runs with a lower CPU weight than gunicorn (--worker-nice, 10), as the README
deploys it: sharing two cores, a batch being processed would otherwise make the webhook's
answers wait (--worker-nice 0 shows it).

Then it proves: one `StripeEvent` per event id, every one processed (or set aside) exactly
once (one audit row each), each payment moved at most once to each status, and no payment in
a state its last event — and Stripe — contradicts.

    .venv/bin/python -m bench.webhooks [--deliveries 10000] [--payments 2000] [--clients 16]
        [--paced 4000] [--rate 0] [--stripe-latency 0] [--worker-nice 10]
        [--localstripe]   # re-read from localstripe instead of the recorded Stripe
"""

import argparse
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta

from bench import bookings as server_bench
from bench.common import ROOT, setup_django

WEBHOOK_PATH = "/payments/stripe/webhook/"

DATABASE_URL = os.environ.get(
    "BENCH_WEBHOOKS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solimob_pay_bench"
)
REDIS_URL = os.environ.get("BENCH_WEBHOOKS_REDIS_URL", "redis://127.0.0.1:6379/6")
HOST = "127.0.0.1"
SECRET_KEY = "sk_test_bench"
WEBHOOK_SECRET = "whsec_bench"
TARGET_P95_MS = 20
TARGET_EVENTS_PER_S = 200
WORKER_CONCURRENCY = 4
WORKER_NICE = 10  # the worker yields the CPU to the web, as deployed (README)
PACED_SHARE = 0.5  # (a) offers half the floor's rate: a busy server, not a saturated one
SEED = 13


def sign(payload: bytes, at: int) -> str:
    digest = hmac.new(WEBHOOK_SECRET.encode(), b"%d.%s" % (at, payload), hashlib.sha256)
    return f"t={at},v1={digest.hexdigest()}"


def start_localstripe() -> tuple[subprocess.Popen, str]:
    import requests

    port = server_bench.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.payments.localstripe_server", "--port", str(port),
         "--key", SECRET_KEY],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    for _ in range(100):
        try:
            if requests.get(f"{base}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("localstripe did not start")


class RecordedStripe:
    """A stand-in for Stripe's API that answers the webhook's re-reads (GET
    /v1/payment_intents/<id>) from the states given, from many threads: localstripe, a
    single-threaded fake that scans its whole store to export a charge, answers a few dozen
    requests a second on this machine and would measure itself rather than us (`--localstripe`
    runs the bench against it anyway)."""

    def __init__(self, latency: float = 0.0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.intents: dict[str, dict] = {}
        intents = self.intents

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave as two writes: without TCP_NODELAY the body waits for the
            # client's delayed ACK (40 ms a read on Linux), which Stripe does not do to anyone.
            disable_nagle_algorithm = True

            def do_GET(self):  # noqa: N802
                if latency:
                    time.sleep(latency)  # Stripe's round trip, if asked (--stripe-latency)
                intent = intents.get(self.path.split("?")[0].rsplit("/", 1)[-1])
                body = json.dumps(intent or {"error": {"message": "No such intent"}}).encode()
                self.send_response(200 if intent else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://{HOST}:{self.server.server_address[1]}"

    def add(self, intent_id: str, fate: str) -> None:
        status = {"succeeded": "succeeded", "failed": "requires_payment_method",
                  "pending": "requires_payment_method", "cancelled": "canceled"}[fate]  # fmt: skip
        error = {"code": "card_declined", "message": "Your card was declined."}
        self.intents[intent_id] = {
            "id": intent_id, "object": "payment_intent", "status": status, "amount": 700,
            "currency": "eur", "client_secret": f"{intent_id}_secret_x",
            "payment_method_types": ["card"],
            "last_payment_error": error if fate == "failed" else None,
            "latest_charge": {"id": f"ch_{intent_id}", "object": "charge", "amount_refunded": 0}
            if fate in ("succeeded", "failed") else None,
        }  # fmt: skip

    def stop(self) -> None:
        self.server.shutdown()


# --- Set-up -----------------------------------------------------------------------------------


def build(base: str, *, payments: int, recorded: "RecordedStripe | None" = None):
    """The token of a signed-in user for the floor, the events (id, type, intent, created) and
    each intent's true state ("succeeded", "failed", "pending", "cancelled")."""
    import requests
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Membership, Organisation, User
    from beneficiaries.models import Beneficiary
    from bookings.models import Booking
    from partners.models import Partner, Service
    from payments.models import Payment

    session = requests.Session()
    session.auth = (SECRET_KEY, "")

    def api(path, **data):
        return session.post(f"{base}{path}", data=data, timeout=10).json()

    place = {"address": "1 rue du Banc", "commune": "Moulins", "postcode": "03000"}
    platform = Organisation.objects.create(name="Plateforme bench", kind="platform", **place)
    user = User.objects.create_user("finance.bench@exemple.test")
    Membership.objects.create(user=user, organisation=platform, role="finance_officer")
    token = Token.objects.create(user=user).key
    person = Beneficiary.objects.create(platform=platform, first_name="Camille", last_name="Banc")
    organisation = Organisation.objects.create(name="Garage bench", kind="partner", **place)
    partner = Partner.objects.create(organisation=organisation, category="garage")
    service = Service.objects.create(partner=partner, name="Atelier", category="garage",
                                     unit="hour", market_price=40, solidarity_price=20)  # fmt: skip
    rng = random.Random(SEED)
    events, truth = [], {}
    now = int(time.time())
    for n in range(payments):
        start = timezone.now() + timedelta(days=3, hours=n)
        booking = Booking.objects.create(
            platform=platform, beneficiary=person, service=service, booked_by=user, quantity=1,
            units=1, unit_price=20, market_unit_price=40, total_price=20, market_total=40,
            status="confirmed", starts_at=start, ends_at=start + timedelta(hours=1),
        )  # fmt: skip
        payment = Payment.objects.create(
            platform=platform, beneficiary=person, booking=booking,
            purpose="beneficiary_share", amount=7, status="pending",
        )  # fmt: skip
        fate = rng.choices(["succeeded", "failed", "pending", "cancelled"], [70, 15, 10, 5])[0]
        if recorded is not None:
            intent = {"id": f"pi_bench_{n}"}
            recorded.add(intent["id"], fate)
        else:
            intent = api(
                "/v1/payment_intents", amount=700, currency="eur",
                **{"payment_method_types[]": "card", "metadata[payment]": payment.pk},
            )  # fmt: skip
        Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=intent["id"])
        if recorded is not None:
            pass
        elif fate in ("succeeded", "failed"):
            card = "4242424242424242" if fate == "succeeded" else "4000000000000341"
            method = api("/v1/payment_methods", type="card", **{
                "card[number]": card, "card[exp_month]": "12", "card[exp_year]": "2034",
                "card[cvc]": "123"})  # fmt: skip
            api(f"/v1/payment_intents/{intent['id']}", payment_method=method["id"])
            api(f"/v1/payment_intents/{intent['id']}/confirm")
        elif fate == "cancelled":
            api(f"/v1/payment_intents/{intent['id']}/cancel")
        truth[intent["id"]] = fate
        last = {"succeeded": "payment_intent.succeeded", "failed": "payment_intent.payment_failed",
                "pending": "payment_intent.processing",
                "cancelled": "payment_intent.canceled"}[fate]  # fmt: skip
        noise = rng.sample(["payment_intent.processing", "payment_intent.payment_failed",
                            "payment_intent.processing"], k=rng.randint(2, 3))  # fmt: skip
        kinds = [*noise, "charge.refunded" if rng.random() < 0.02 else None, last]
        for k, kind in enumerate(k for k in kinds if k):
            events.append({"id": f"evt_bench_{n}_{k}", "type": kind, "intent": intent["id"],
                           "created": now + k})  # fmt: skip
    return token, events, truth


def deliveries_from(events: list[dict], total: int) -> list[dict]:
    """The events (to `total` × 2/3, cycling with fresh ids if there are too few) and replays
    of random ones to make up the rest, shuffled: out of order, some three times."""
    rng = random.Random(SEED)
    unique, by_intent = [], defaultdict(list)
    for event in events:
        by_intent[event["intent"]].append(event)
    for group in by_intent.values():  # whole intents: each one's last event is sent
        if len(unique) + len(group) > total * 2 // 3:
            break
        unique.extend(group)
    chosen = list(unique)
    while len(chosen) < total:
        chosen.append(rng.choice(unique))
    rng.shuffle(chosen)
    return chosen


def payload(event: dict) -> bytes:
    obj = {"id": event["intent"], "object": "payment_intent"}
    if event["type"] == "charge.refunded":
        obj = {"id": "ch_unknown", "object": "charge", "payment_intent": event["intent"]}
    return json.dumps({"id": event["id"], "object": "event", "type": event["type"],
                       "created": event["created"], "data": {"object": obj}}).encode()  # fmt: skip


# --- Load ---------------------------------------------------------------------------------------


def _status(connection: http.client.HTTPConnection, method: str, path: str, **request) -> int:
    """One request on the connection; its HTTP status (0: no answer, the connection closed)."""
    try:
        connection.request(method, path, **request)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        connection.close()
        return 0


def post(connection: http.client.HTTPConnection, event: dict) -> int:
    """Deliver one event, signed now, as Stripe does; its HTTP status (0: no answer)."""
    body = payload(event)
    headers = {"Content-Type": "application/json",
               "Stripe-Signature": sign(body, int(time.time()))}  # fmt: skip
    return _status(connection, "POST", WEBHOOK_PATH, body=body, headers=headers)


def get_me(token: str):
    def send(connection: http.client.HTTPConnection, _item) -> int:
        return _status(connection, "GET", "/api/v1/me/",
                       headers={"Authorization": f"Token {token}"})  # fmt: skip

    return send


def deliver_paced(port: int, deliveries: list, rate: float, senders: int = 32, send=None):
    """Deliveries at `rate` a second on average (Poisson arrivals, as independent events
    come), whatever the server does: each one's latency runs from when it was due, so a slow
    answer that delays the next sends counts against the server (no coordinated omission)."""
    rng = random.Random(SEED)
    start = time.perf_counter() + 0.2
    due, jobs = start, queue.SimpleQueue()
    for event in deliveries:
        due += rng.expovariate(rate)
        jobs.put((due, event))
    latencies, statuses, late = [], Counter(), [0]
    lock = threading.Lock()

    def run() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, codes, behind = [], Counter(), 0
        while True:
            try:
                at, event = jobs.get_nowait()
            except queue.Empty:
                break
            wait = at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.001:
                behind += 1  # no sender was free when it was due
            codes[(send or post)(connection, event)] += 1
            mine.append(time.perf_counter() - at)
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)
            late[0] += behind

    threads = [threading.Thread(target=run) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - start, late[0]


def deliver_all(port: int, deliveries: list[dict], clients: int):
    latencies, statuses = [], Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, codes = [], Counter()
        for event in deliveries[index::clients]:
            start = time.perf_counter()
            codes[post(connection, event)] += 1
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - start


def start_worker(env: dict, log, nice: int) -> subprocess.Popen:
    """The Celery worker, once it answers a ping (so that (a) does not time its start-up), with
    a lower CPU weight than gunicorn, as deployed (README, « Production »): `nice` for its
    processes and, where the kernel shares the CPU between sessions first (autogroup), for its
    session too. `nice` 0 gives it gunicorn's weight."""
    from celery import Celery

    worker = subprocess.Popen(
        ["nice", "-n", str(nice), str(ROOT / ".venv/bin/celery"), "-A", "config", "worker",
         "-c", str(WORKER_CONCURRENCY), "--loglevel=WARNING", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        with open(f"/proc/{worker.pid}/autogroup", "w") as group:
            group.write(str(nice))
    except OSError:
        pass  # no autogroup here: the processes' own nice is what counts
    control = Celery(broker=REDIS_URL).control
    deadline = time.monotonic() + 120
    while not control.ping(timeout=1.0):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the Celery worker did not start")
    return worker


class Cpu:
    """CPU seconds of the gunicorn workers and of the Celery worker (all its processes), from
    /proc: what a delivery and an event cost, whatever else the machine does meanwhile."""

    def __init__(self, server: subprocess.Popen, worker: subprocess.Popen):
        self.server, self.worker = server_bench.ServerCpu(server), server_bench.ServerCpu(worker)

    def sample(self) -> tuple[float, float]:
        workers = [self.worker.master, *self.worker._pids()[0]]
        return (sum(map(self.server._seconds, self.server._pids()[0])),
                sum(map(self.worker._seconds, workers)))  # fmt: skip

    @staticmethod
    def line(before, after, deliveries: int, events: int) -> str:
        gunicorn, worker = (1000 * (b - a) for a, b in zip(before, after, strict=True))
        parts = [f"gunicorn {gunicorn / deliveries:.1f} ms a delivery" if deliveries else "",
                 f"worker {worker / events:.1f} ms an event" if events else ""]  # fmt: skip
        return "  CPU: " + ", ".join(p for p in parts if p)


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


# --- Proof ----------------------------------------------------------------------------------------


def prove(events: list[dict], truth: dict[str, str]) -> list[str]:
    from django.db.models import Count

    from core.models import AuditLog
    from payments.models import Payment, StripeEvent

    problems = []
    ids = {e["id"] for e in events}
    stored = set(StripeEvent.objects.values_list("stripe_id", flat=True))
    if stored - ids:
        problems.append(f"{len(stored - ids)} events stored that were never sent")
    statuses = Counter(StripeEvent.objects.values_list("status", flat=True))
    if statuses.get("received") or statuses.get("failed"):
        problems.append(f"events not processed: {dict(statuses)}")
    done = AuditLog.objects.filter(action__in=["stripe_event.processed", "stripe_event.ignored"])
    twice = done.values("target_id").annotate(n=Count("id")).filter(n__gt=1).count()
    if twice:
        problems.append(f"{twice} events processed more than once")
    if done.count() != len(stored):
        problems.append(f"{len(stored)} events stored, {done.count()} processed")
    moves = (AuditLog.objects.filter(action__startswith="payment.", target_type="payments.payment")
             .values("target_id", "action").annotate(n=Count("id")).filter(n__gt=1))  # fmt: skip
    if moves.exists():
        problems.append(f"{moves.count()} payment transitions written twice")
    expected = {"succeeded": "succeeded", "failed": "failed", "pending": "pending",
                "cancelled": "cancelled"}  # fmt: skip
    last_event = {}
    for event in sorted(events, key=lambda e: e["created"]):
        if event["id"] in stored and event["type"] != "charge.refunded":
            last_event[event["intent"]] = event["type"]
    said = {
        "payment_intent.succeeded": "succeeded", "payment_intent.payment_failed": "failed",
        "payment_intent.processing": "pending", "payment_intent.canceled": "cancelled",
    }  # fmt: skip
    wrong = []
    for intent, status in Payment.objects.values_list("stripe_payment_intent_id", "status"):
        delivered_last = last_event.get(intent)
        if delivered_last is None:
            continue  # none of its events was delivered: nothing to contradict
        if status != expected[truth[intent]] or status != said[delivered_last]:
            wrong.append((intent, status, truth[intent], delivered_last))
    if wrong:
        problems.append(f"{len(wrong)} payments contradict their last event, e.g. {wrong[:3]}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients of (b)")
    parser.add_argument("--paced", type=int, default=4000, help="deliveries sent at --rate")
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="deliveries/s offered in (a) (default: half the floor's rate)",
    )
    parser.add_argument("--stripe-latency", type=float, default=0, help="ms per Stripe read")
    parser.add_argument("--floor-duration", type=float, default=10)
    parser.add_argument("--localstripe", action="store_true", help="re-read from localstripe")
    parser.add_argument("--worker-nice", type=int, default=WORKER_NICE,
                        help="the worker's nice (0: the same CPU weight as gunicorn)")  # fmt: skip
    parser.add_argument("--wait", type=float, default=1800, help="at most this long for (b)")
    args = parser.parse_args()

    recorded = None
    if args.localstripe:
        localstripe, base = start_localstripe()
    else:
        localstripe, recorded = None, RecordedStripe(args.stripe_latency / 1000)
        base = recorded.base
    os.environ.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_PUBLISHABLE_KEY="pk_test_bench",
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=base)  # fmt: skip
    setup_django(DATABASE_URL)
    server = worker = None
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-webhooks-", suffix=".log", delete=False)
    try:
        started = time.perf_counter()
        token, events, truth = build(base, payments=args.payments, recorded=recorded)
        deliveries = deliveries_from(events, args.deliveries)
        sent = {e["id"] for e in deliveries}
        events = [e for e in events if e["id"] in sent]
        print(f"set-up: {args.payments} payments, {len(events)} events, {len(deliveries)} "
              f"deliveries ({len(deliveries) - len(sent)} replays) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

        server_bench.DATABASE_URL = DATABASE_URL
        port = server_bench.free_port()
        access_log = tempfile.NamedTemporaryFile(prefix="bench-webhooks-access-", suffix=".log",
                                                 delete=False).name  # fmt: skip
        server = server_bench.start_server(port, log, redis_url=REDIS_URL, access_log=access_log)
        server_bench.wait_ready(port, server)
        env = {k: v for k, v in os.environ.items() if k != "SOLIMOB_TESTING"}
        env.update(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, DEBUG="0",
                   SECRET_KEY="bench-only-" + "x" * 50, LOG_LEVEL="WARNING",
                   EMAIL_URL="dummymail://", ALLOWED_HOSTS=HOST)  # fmt: skip
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        from django.conf import settings
        from django.db.models import Max, Min
        from django.utils import timezone

        from payments.models import StripeEvent

        def waiting() -> int:
            return StripeEvent.objects.filter(status="received").count()

        world = server_bench.World(token, 0, [], [], 0)
        server_bench.floor(port, world, seconds=1, clients=args.clients)  # warm-up
        answers, wall = server_bench.floor(port, world, seconds=args.floor_duration,
                                           clients=args.clients)  # fmt: skip
        floor_rate = sum(1 for a in answers if a.status == 200) / wall
        print(f"floor: GET /api/v1/me/ {floor_rate:.0f} requests/s", flush=True)

        offered = args.rate or floor_rate * PACED_SHARE
        latencies, statuses, wall, late = deliver_paced(
            port, [None] * int(offered * 10), offered, send=get_me(token)
        )
        print(f"reference: GET /api/v1/me/ at {offered:.0f}/s offered for 10 s (Poisson; "
              f"{late} sent late): answers {dict(statuses)}; "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms", flush=True)  # fmt: skip

        worker = start_worker(env, log, args.worker_nice)
        cpu = Cpu(server, worker)
        paced, burst = deliveries[: args.paced], deliveries[args.paced :]
        before = cpu.sample(), StripeEvent.objects.count(), waiting()
        logged = os.path.getsize(access_log)
        latencies, statuses, wall, late = deliver_paced(port, paced, offered)
        time.sleep(0.5)  # gunicorn writes its access log after each answer
        served = server_bench.server_times(access_log, logged, os.path.getsize(access_log),
                                           WEBHOOK_PATH)  # fmt: skip
        print(f"(a) latency: {len(paced)} deliveries at {offered:.0f}/s offered (Poisson; "
              f"{len(paced) / wall:.0f}/s done, {late} sent late), the worker (nice "
              f"{args.worker_nice}) processing them meanwhile: answers {dict(statuses)}; "
              f"webhook p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms "
              f"(target p95 ≤ {TARGET_P95_MS} ms); events still waiting at the end: {waiting()}",
              flush=True)  # fmt: skip
        if served:
            print(f"  gunicorn's own time for the {len(served)} webhook answers (from reading "
                  f"the request to writing the answer, without the wait for a free worker): "
                  f"p50 {statistics.median(served) * 1000:.1f} ms, "
                  f"p95 {percentile(served, 0.95) * 1000:.1f} ms", flush=True)  # fmt: skip
        stored, left = StripeEvent.objects.count(), waiting()
        print(Cpu.line(before[0], cpu.sample(), len(paced), stored - before[1] - left + before[2]))

        # (b) with the worker stopped (as during the floor), so that (c) has a backlog to
        # measure what processing can do, rather than the rate events arrive at.
        os.killpg(worker.pid, signal.SIGSTOP)
        before = cpu.sample()
        latencies, statuses, wall = deliver_all(port, burst, args.clients)
        rate = len(burst) / wall
        print(f"(b) throughput: {len(burst)} deliveries from {args.clients} clients as fast as "
              f"answered, the worker stopped: {rate:.0f}/s ({rate / floor_rate:.0%} of the "
              f"floor), answers {dict(statuses)}; at saturation (queueing included) "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms", flush=True)  # fmt: skip
        print(Cpu.line(before, cpu.sample(), len(burst), 0))

        backlog = waiting()
        before = cpu.sample()
        resumed = timezone.now()
        os.killpg(worker.pid, signal.SIGCONT)
        deadline = time.monotonic() + args.wait
        while waiting():
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        span = StripeEvent.objects.aggregate(first=Min("received_at"), last=Max("processed_at"))
        seconds = (span["last"] - resumed).total_seconds()
        print(f"(c) processing: the {backlog} events (b) left, drained in {seconds:.1f} s: "
              f"{backlog / seconds:.0f} events/s (target ≥ {TARGET_EVENTS_PER_S}/s; a worker "
              f"of {WORKER_CONCURRENCY} processes, {settings.STRIPE_EVENT_PROCESSORS} batches "
              f"at once); all {StripeEvent.objects.count()} events from the first stored to "
              f"the last processed: {(span['last'] - span['first']).total_seconds():.1f} s",
              flush=True)  # fmt: skip
        print(Cpu.line(before, cpu.sample(), 0, backlog))
        problems = prove(events, truth)
        kinds = defaultdict(int)
        for status in StripeEvent.objects.values_list("status", flat=True):
            kinds[status] += 1
        print(f"events by status: {dict(kinds)}")
        if problems:
            print("PROBLEMS:\n- " + "\n- ".join(problems))
            raise SystemExit(1)
        print("proof: every event processed exactly once; every payment agrees with its last "
              "event and with Stripe")  # fmt: skip
    finally:
        for process in (worker, server):
            if process is not None:
                server_bench.stop_server(process)
        if localstripe is not None:
            localstripe.terminate()
            localstripe.wait(10)
        if recorded is not None:
            recorded.stop()
        print(f"logs: {log.name}")


if __name__ == "__main__":
    main()
