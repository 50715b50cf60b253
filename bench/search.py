"""Catalogue search benchmark (issue: marketplace search, `GET /api/v1/services/`).

Targets: p95 ≤ 100 ms for a single client; at most 6 SQL queries per search whatever the data
size; EXPLAIN shows index use and no sequential scan of the slots table; throughput reported
for 8 concurrent clients through gunicorn.

    .venv/bin/python -m bench.search [--partners 5000] [--runs 100] [--seconds 20] [--reuse]

The database `solimob_bench_search` is dropped and recreated on each run (unless `--reuse`)
and left in place afterwards for inspection. Only 127.0.0.1 is ever contacted.

The build regenerates the slots (which stores each service's next free slot), fills 30 % of
them with one raw UPDATE (the slot triggers mark the services concerned) and recomputes the
marked services as the beat task `refresh_next_free` does every minute. With `--reuse` the
same refresh runs first: time has passed since the last run, and production refreshes every
minute.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import time as clock
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from bench.common import ROOT, peak_rss_mb, setup_django, timed

DATABASE_URL = os.environ.get(
    "BENCH_SEARCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solimob_bench_search"
)
ADVISER_EMAIL = "conseillere.bench@example.invalid"
API_PATH = "/api/v1/services/"
P95_TARGET_MS = 100
MAX_QUERIES = 6
SEED = 20260101

CATEGORIES = ["garage", "rental", "transport", "driving_school"]
# (name, unit, description) per category: four services per partner.
CATALOGUE = {
    "garage": [
        ("Réparation mécanique", "hour", "Main-d'œuvre au tarif solidaire, pièces en sus."),
        ("Vidange et entretien", "flat", "Vidange, filtres et contrôle des niveaux."),
        ("Diagnostic avant contrôle technique", "flat", "Liste des réparations à prévoir."),
        ("Réparation de carrosserie", "hour", "Petits chocs et remise en état."),
    ],
    "rental": [
        ("Location voiture", "day", "Véhicule assuré, kilométrage limité."),
        ("Location scooter", "week", "Casque fourni, réparations incluses."),
        ("Location vélo à assistance électrique", "month", "Antivol et entretien inclus."),
        ("Location voiture sans permis", "day", "Pour les trajets vers l'emploi."),
    ],
    "transport": [
        ("Transport à la demande", "km", "Prise en charge à domicile."),
        ("Accompagnement aux rendez-vous", "flat", "Rendez-vous médicaux et administratifs."),
        ("Navette emploi", "flat", "Trajet domicile – travail."),
        ("Transport vers la formation", "km", "Trajets vers un organisme de formation."),
    ],
    "driving_school": [
        ("Heure de conduite", "hour", "Véhicule double commande."),
        ("Code de la route", "session", "Séance en salle, supports adaptés."),
        ("Évaluation de départ", "flat", "Bilan avant le parcours de formation."),
        ("Stage permis accéléré", "session", "Une semaine de conduite intensive."),
    ],
}
LANGUAGES = [["fr"], ["fr", "en"], ["fr", "ar"], ["fr", "pt", "es"], ["fr", "tr"], ["fr", "ro"]]
ALLIER = [  # commune, postcode, for the dense cluster's addresses
    ("Montluçon", "03100"), ("Moulins", "03000"), ("Vichy", "03200"), ("Commentry", "03600"),
    ("Yzeure", "03400"), ("Cusset", "03300"), ("Saint-Pourçain-sur-Sioule", "03500"),
    ("Domérat", "03410"), ("Gannat", "03800"), ("Lapalisse", "03120"),
]  # fmt: skip


# --- 1. Set-up ------------------------------------------------------------------------------


def _coordinates(rng: random.Random, n: int, cluster: int) -> tuple[Decimal, Decimal]:
    if n < cluster:  # the Allier, denser
        lat, lon = rng.uniform(46.1, 46.6), rng.uniform(2.5, 3.7)
    else:
        lat, lon = rng.uniform(43.0, 50.5), rng.uniform(-1.5, 7.5)
    q = Decimal("0.000001")
    return Decimal(lat).quantize(q), Decimal(lon).quantize(q)


def build(partners_count: int, rng: random.Random) -> dict:
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.enums import OrganisationKind, Role
    from accounts.models import Membership, Organisation, User
    from core import demo
    from core.communes_import import import_communes
    from core.models import Commune
    from partners.enums import BookingMode, PartnerStatus
    from partners.models import (
        AvailabilityRule,
        Partner,
        PartnerAgreement,
        Service,
        service_search_text,
    )
    from partners.slots import slots_regenerate_many

    today = timezone.localdate()
    import_communes(str(demo.COMMUNES_FILE))
    allier_communes = list(Commune.objects.filter(department="03").values_list("pk", flat=True))

    platform = Organisation.objects.create(
        name="Plateforme mobilité bench", kind=OrganisationKind.PLATFORM, commune="Moulins",
        postcode="03000", address="1 place de la Mairie",
    )  # fmt: skip
    adviser = User.objects.create_user(ADVISER_EMAIL, first_name="Claire", last_name="Bench")
    Membership.objects.create(user=adviser, organisation=platform, role=Role.ADVISER)
    token = Token.objects.create(user=adviser).key

    cluster = round(partners_count * 0.06)  # 300 of 5,000
    organisations = []
    for n in range(partners_count):
        lat, lon = _coordinates(rng, n, cluster)
        commune, postcode = ALLIER[n % len(ALLIER)] if n < cluster else (f"Commune {n}", "")
        organisations.append(
            Organisation(
                name=f"{CATEGORIES[n % 4].replace('_', ' ').title()} solidaire {n:05d}",
                kind=OrganisationKind.PARTNER, platform=platform, commune=commune,
                postcode=postcode or f"{rng.randint(10, 95):02d}{rng.randint(0, 999):03d}",
                address=f"{n % 200 + 1} rue de la Mobilité", latitude=lat, longitude=lon,
            )
        )  # fmt: skip
    organisations = Organisation.objects.bulk_create(organisations, batch_size=2000)
    partners = Partner.objects.bulk_create(
        [
            Partner(
                organisation=o, category=CATEGORIES[n % 4], status=PartnerStatus.PUBLISHED,
                description="Partenaire conventionné.", languages=LANGUAGES[n % len(LANGUAGES)],
                wheelchair_accessible=rng.random() < 0.35,
                service_radius_km=rng.choice([None, None, 10, 20, 30, 50]),
            )
            for n, o in enumerate(organisations)
        ],
        batch_size=2000,
    )  # fmt: skip
    since = today - timedelta(days=400)
    PartnerAgreement.objects.bulk_create(
        [PartnerAgreement(partner=p, platform=platform, since=since) for p in partners],
        batch_size=2000,
    )
    through = Partner.service_area.through
    areas = []
    for partner in partners[:cluster]:  # some Allier partners serve named communes too
        for commune_id in rng.sample(allier_communes, rng.randint(0, 3)):
            areas.append(through(partner_id=partner.pk, commune_id=commune_id))
    through.objects.bulk_create(areas, batch_size=2000)

    services = []
    names = {o.pk: o.name for o in organisations}
    for partner in partners:
        for name, unit, description in CATALOGUE[partner.category]:
            market = Decimal(rng.randrange(15, 121))
            solidarity = (market * Decimal(rng.choice(["0.3", "0.4", "0.5", "0.6"]))).quantize(
                Decimal("0.01")
            )
            services.append(
                Service(
                    partner=partner, name=name, category=partner.category, unit=unit,
                    description=description, market_price=market, solidarity_price=solidarity,
                    booking_mode=BookingMode.PERIOD if partner.category == "rental"
                    else BookingMode.SLOT,
                    auto_confirm=rng.random() < 0.5, published=True,
                    search_text=service_search_text(  # bulk_create skips save()
                        name, description, names[partner.organisation_id]
                    ),
                )
            )  # fmt: skip
    services = Service.objects.bulk_create(services, batch_size=2000)

    valid_from = today - timedelta(days=30)
    rules = []
    for service in services:
        capacity = rng.choice([1, 1, 2, 3])
        if service.booking_mode == BookingMode.PERIOD:  # one whole-day slot, Monday–Saturday
            rules.append(AvailabilityRule(service=service, weekdays=[0, 1, 2, 3, 4, 5],
                         start_time=clock(8), end_time=clock(18), slot_minutes=60,
                         capacity=capacity, valid_from=valid_from))  # fmt: skip
            continue
        count, minutes = rng.randint(1, 4), rng.choice([60, 90])  # 1 to 4 slots per weekday
        start = rng.choice([8 * 60, 9 * 60, 14 * 60])
        end = start + count * minutes
        rules.append(AvailabilityRule(service=service, weekdays=[0, 1, 2, 3, 4],
                     start_time=clock(start // 60, start % 60), end_time=clock(end // 60, end % 60),
                     slot_minutes=minutes, capacity=capacity, valid_from=valid_from))  # fmt: skip
    AvailabilityRule.objects.bulk_create(rules, batch_size=5000)

    ids = [s.pk for s in services]
    created, started = 0, time.perf_counter()
    for batch, first in enumerate(range(0, len(ids), 500), start=1):
        created += slots_regenerate_many(ids[first : first + 500], days=90).created
        if batch % 10 == 0:
            print(f"  slots: {batch * 500} services, {created} slots, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute("UPDATE partners_slot SET reserved = capacity WHERE random() < 0.3")
        full = cursor.rowcount
    refresh_next_free()  # the triggers marked the services whose slots filled up
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"adviser_id": adviser.pk, "token": token, "slots": created, "full": full}


def refresh_next_free() -> None:
    """What the beat task `refresh_next_free` does every minute in production: recompute the
    stored next free slot where time or a slot change made it stale."""
    from partners.next_free import next_free_refresh

    started = time.perf_counter()
    count = next_free_refresh()
    print(f"  next free slot recomputed for {count} services "
          f"({(time.perf_counter() - started) * 1000:.0f} ms, as the beat task does)")  # fmt: skip


def existing() -> dict:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").get(user__email=ADVISER_EMAIL)
    refresh_next_free()
    return {"adviser_id": token.user_id, "token": token.key}


def print_counts() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for label, sql in [
            ("organisations (partner)", "SELECT count(*) FROM accounts_organisation "
                                        "WHERE kind = 'partner'"),
            ("partners (published)", "SELECT count(*) FROM partners_partner "
                                     "WHERE status = 'published'"),
            ("agreements (active)", "SELECT count(*) FROM partners_partneragreement WHERE active"),
            ("service area links", "SELECT count(*) FROM partners_partner_service_area"),
            ("services (published)", "SELECT count(*) FROM partners_service WHERE published"),
            ("services with a stored next free slot checked", "SELECT count(*) FROM "
                                        "partners_service WHERE next_free_checked_at IS NOT NULL"),
            ("stale next-free markers", "SELECT count(*) FROM partners_stalenextfree"),
            ("availability rules", "SELECT count(*) FROM partners_availabilityrule"),
            ("slots", "SELECT count(*) FROM partners_slot"),
            ("slots free", "SELECT count(*) FROM partners_slot WHERE reserved < capacity"),
            ("communes", "SELECT count(*) FROM core_commune"),
            ("slots table + indexes", "SELECT pg_size_pretty(pg_total_relation_size("
                                      "'partners_slot'))"),
        ]:  # fmt: skip
            cursor.execute(sql)
            print(f"  {label}: {cursor.fetchone()[0]}")


# --- The typical searches ---------------------------------------------------------------------


def typical_searches() -> list[tuple[str, dict]]:
    from django.utils import timezone

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    sunday = monday + timedelta(days=6)
    week = {"available_from": monday.isoformat(), "available_to": sunday.isoformat()}
    return [
        ("montlucon-garage-week",
         {"place": "Montluçon", "radius_km": "20", "category": "garage", **week}),
        ("near-lyon-30km", {"near": "45.76,4.83", "radius_km": "30"}),
        ("q-reparation-price", {"q": "réparation", "max_price": "40", "sort": "price"}),
        ("covers-03100", {"place": "03100", "covers": "true"}),
        ("rental-week-wheelchair", {"category": "rental", "wheelchair": "true", **week}),
        ("catalogue-page2-by-next", {"page": "2", "page_size": "50"}),
    ]  # fmt: skip


# --- 2. Queries per search and EXPLAIN --------------------------------------------------------

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def _one_line(sql: str, width: int = 230) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def _query_label(sql: str) -> str:
    if sql.startswith("SELECT COUNT(*)"):
        return "count query"
    if "OVER ()" in sql:
        return "page ids and count query"
    return "page rows query"


def query_report(searches, adviser_id: int, token: str) -> tuple[dict[str, int], list[str]]:
    """Queries of one request per search (printed), and the EXPLAIN of each of them that
    reads the services (as sent: the page's ids with the count, then the page's rows).
    Returns the query counts and the plans that scan the slots table sequentially."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from accounts.models import User

    counted: dict[str, int] = {}
    slot_seq_scans: list[str] = []
    forced = APIClient(SERVER_NAME="127.0.0.1")
    with_token = APIClient(SERVER_NAME="127.0.0.1")
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for name, params in searches:
        # A fresh user object per request: memberships are cached on it, as in production
        # where each request loads its own user.
        forced.force_authenticate(User.objects.get(pk=adviser_id))
        with CaptureQueriesContext(connection) as captured:
            response = forced.get(API_PATH, params)
        body = response.json()
        if response.status_code != 200:
            print(f"\n[{name}] HTTP {response.status_code}: {body}")
            continue
        with CaptureQueriesContext(connection) as over_http:
            response = with_token.get(API_PATH, params)
        counted[name] = len(over_http)
        verdict = "OK" if len(over_http) <= MAX_QUERIES else "MISSED"
        print(f"\n[{name}] ?{urlencode(params)}")
        print(f"  {body['count']} results, {len(body['results'])} on this page; "
              f"{len(captured)} queries with force_authenticate, {len(over_http)} with the "
              f"Token header (target ≤ {MAX_QUERIES}: {verdict})")  # fmt: skip
        for n, query in enumerate(over_http.captured_queries, start=1):
            print(f"  q{n} {float(query['time']) * 1000:6.1f} ms  {_one_line(query['sql'])}")
        for query in over_http.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or '"partners_service"' not in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            if _print_plan(_query_label(sql), plan):
                slot_seq_scans.append(f"{name} ({_query_label(sql)})")
    return counted, slot_seq_scans


def _print_plan(label: str, plan: str, width: int = 190) -> bool:
    """Print a plan (long lines cut at `width`) and its summary; True on a slots seq scan."""
    scans = sorted(set(SEQ_SCAN.findall(plan)))
    slot_seq = "partners_slot" in scans
    timing = re.search(r"Execution Time: ([\d.]+) ms", plan)
    print(f"  EXPLAIN (ANALYZE, BUFFERS) of the {label}: "
          f"{timing.group(1) if timing else '?'} ms; slot_free_idx used: "
          f"{'yes' if 'slot_free_idx' in plan else 'no'}; seq scans: {', '.join(scans) or 'none'}"
          f"; Seq Scan on partners_slot: {'YES (MISSED)' if slot_seq else 'no (OK)'}"
          f"{'; JIT compiled' if 'JIT:' in plan else ''}")  # fmt: skip
    for line in plan.splitlines():
        print(f"    | {line if len(line) <= width else line[: width - 1] + '…'}")
    return slot_seq


# --- 3 and 4. Through gunicorn ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int = 4):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    log = tempfile.NamedTemporaryFile(prefix="bench-search-gunicorn-", suffix=".log", delete=False)
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}), see {log.name}")
            try:
                status, _, _ = HttpClient(port, "").get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /healthz in 30 s, see {log.name}")
            time.sleep(0.2)
        print(f"gunicorn pid {process.pid}: {workers} sync workers on 127.0.0.1:{port} "
              f"(log {log.name})", flush=True)  # fmt: skip
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print(f"gunicorn stopped (exit {process.returncode})", flush=True)


class HttpClient:
    """One keep-alive connection (gunicorn's sync workers close it; it then reconnects)."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def get(self, path: str) -> tuple[int, float, bytes]:
        start = time.perf_counter()
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise
        elapsed = time.perf_counter() - start
        if response.will_close:
            self.connection.close()
        return response.status, elapsed, body


def _percentiles(values_ms: list[float]) -> tuple[float, float, float]:
    if len(values_ms) < 2:
        v = values_ms[0] if values_ms else float("nan")
        return v, v, v
    q = statistics.quantiles(values_ms, n=100, method="inclusive")
    return q[49], q[94], q[98]


def latency(port: int, token: str, searches, runs: int) -> dict[str, float]:
    client = HttpClient(port, token)
    paths = {name: f"{API_PATH}?{urlencode(params)}" for name, params in searches}
    for _ in range(8):  # warm every worker up (imports, connections, caches)
        for path in paths.values():
            status, _, body = client.get(path)
            if status != 200:
                print(f"warm-up: HTTP {status} for {path}: {body[:300]!r}")
    floor = [client.get("/healthz")[1] * 1000 for _ in range(runs)]
    p50, p95, _ = _percentiles(floor)
    print(f"floor of the HTTP stack (GET /healthz, one SELECT 1): p50 {p50:.1f} ms, "
          f"p95 {p95:.1f} ms")  # fmt: skip
    p95s, everything = {}, []
    print(f"\n{'search':26} {'n':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  target p95 ≤ "
          f"{P95_TARGET_MS} ms")  # fmt: skip
    for name, path in paths.items():
        times, errors = [], 0
        for _ in range(runs):
            status, elapsed, _ = client.get(path)
            errors += status != 200
            times.append(elapsed * 1000)
        everything.extend(times)
        p50, p95, p99 = _percentiles(times)
        p95s[name] = p95
        verdict = "OK" if p95 <= P95_TARGET_MS else "MISSED"
        print(f"{name:26} {runs:4} {p50:6.1f}ms {p95:6.1f}ms {p99:6.1f}ms {max(times):6.1f}ms  "
              f"{verdict}{f'  ({errors} errors)' if errors else ''}")  # fmt: skip
    p50, p95, p99 = _percentiles(everything)
    verdict = "OK" if p95 <= P95_TARGET_MS else "MISSED"
    print(f"{'overall':26} {len(everything):4} {p50:6.1f}ms {p95:6.1f}ms {p99:6.1f}ms "
          f"{max(everything):6.1f}ms  {verdict}")  # fmt: skip
    p95s["overall"] = p95
    return p95s


def throughput(port: int, token: str, searches, clients: int, seconds: float) -> None:
    paths = [f"{API_PATH}?{urlencode(params)}" for _, params in searches]
    deadline = time.monotonic() + seconds
    results: list[list[tuple[int, int, float]]] = [[] for _ in range(clients)]

    def run(index: int) -> None:
        client = HttpClient(port, token)
        n = index
        while time.monotonic() < deadline:
            search = n % len(paths)
            n += 1
            try:
                status, elapsed, _ = client.get(paths[search])
            except (http.client.HTTPException, OSError):
                status, elapsed = 0, 0.0
            results[index].append((search, status, elapsed))

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    flat = [r for per_client in results for r in per_client]
    ok = [elapsed * 1000 for _, status, elapsed in flat if status == 200]
    errors: dict[int, int] = {}
    for _, status, _ in flat:
        if status != 200:
            errors[status] = errors.get(status, 0) + 1
    p50, p95, p99 = _percentiles(ok)
    print(f"{clients} clients, {wall:.1f} s: {len(flat)} requests, {len(flat) / wall:.1f} req/s "
          f"({len(ok) / wall:.1f} successful/s); latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
          f"p99 {p99:.1f} ms; errors: {sum(errors.values())}"
          f"{' ' + json.dumps(errors) if errors else ''} (0: connection failed)")  # fmt: skip
    for search, (name, _) in enumerate(searches):
        times = [e * 1000 for s, status, e in flat if s == search and status == 200]
        p50, p95, _ = _percentiles(times)
        print(f"  {name:26} {len(times):4} ok, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=100, help="requests per search, 1 client")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the database as it is")
    args = parser.parse_args()
    total_start = time.perf_counter()
    results: dict[str, float] = {}

    print(f"load average at start: {_load()} (2 cores; other work on the machine adds noise)")
    print(f"== 1. Set-up ({DATABASE_URL.rsplit('/', 1)[1]})", flush=True)
    with timed("migrate", results):
        setup_django(DATABASE_URL, fresh=not args.reuse)
    from django.urls import get_resolver

    len(get_resolver().url_patterns)  # import every view now, not after the long set-up
    if args.reuse:
        info = existing()
    else:
        with timed("set-up (data, slots, 30 % full, VACUUM ANALYZE)", results):
            info = build(args.partners, random.Random(SEED))
        print(f"  {info['slots']} slots created, {info['full']} marked full")
    print_counts()

    searches = typical_searches()
    print("\n== 2. Queries per search (APIClient) and EXPLAIN of those reading services",
          flush=True)  # fmt: skip
    counted, slot_seq_scans = query_report(searches, info["adviser_id"], info["token"])

    print("\n== 3. Latency, one client, through gunicorn", flush=True)
    with gunicorn(DATABASE_URL) as port:
        p95s = latency(port, info["token"], searches, args.runs)
        print(f"\n== 4. Throughput, {args.clients} concurrent clients for {args.seconds:.0f} s",
              flush=True)  # fmt: skip
        throughput(port, info["token"], searches, args.clients, args.seconds)

    worst = max(counted.values()) if counted else 0
    slow = [name for name, p95 in p95s.items() if name != "overall" and p95 > P95_TARGET_MS]
    print(
        f"\npeak RSS (benchmark process): {peak_rss_mb():.0f} MB; "
        f"total {time.perf_counter() - total_start:.0f} s; load average at end: {_load()}"
    )
    print(
        f"TARGETS queries ≤ {MAX_QUERIES} per search: "
        f"{'OK' if worst <= MAX_QUERIES and len(counted) == len(searches) else 'MISSED'} "
        f"(max {worst}); p95 ≤ {P95_TARGET_MS} ms overall: "
        f"{'OK' if p95s['overall'] <= P95_TARGET_MS else 'MISSED'} "
        f"({p95s['overall']:.0f} ms); searches over target: {', '.join(slow) or 'none'}; "
        f"no Seq Scan on partners_slot: {'OK' if not slot_seq_scans else 'MISSED'}"
        f"{' (' + ', '.join(slot_seq_scans) + ')' if slot_seq_scans else ''}"
    )


if __name__ == "__main__":
    main()
