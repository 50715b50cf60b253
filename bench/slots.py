"""Slot materialisation benchmark (issue: partners).

Targets: one service's regeneration under 1 s; the full 120-day horizon for 5,000 services in
under 5 minutes on 2 cores, with bulk writes and bounded memory (peak RSS reported).

    .venv/bin/python bench/slots.py [--services 5000] [--batch 200]
"""

import argparse
import statistics
import time
from datetime import date
from datetime import time as clock
from decimal import Decimal

from bench.common import peak_rss_mb, setup_django, timed


def build(services_count: int) -> list[int]:
    from accounts.models import Organisation
    from partners.models import AvailabilityRule, Partner, Service

    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Partenaire bench {n}", kind="partner", commune="Moulins", postcode="03000",
                address="1 rue du Banc", latitude=Decimal("46.5"), longitude=Decimal("3.3"),
            )
            for n in range(services_count)
        ],
        batch_size=2000,
    )  # fmt: skip
    partners = Partner.objects.bulk_create(
        [
            Partner(organisation=o, category="garage", status="published",
                    timezone="Indian/Reunion" if n % 50 == 0 else "Europe/Paris")
            for n, o in enumerate(organisations)
        ],
        batch_size=2000,
    )  # fmt: skip
    services = Service.objects.bulk_create(
        [
            Service(partner=p, name="Main-d'œuvre", category="garage", unit="hour",
                    market_price=Decimal("65"), solidarity_price=Decimal("35"), published=True)
            for p in partners
        ],
        batch_size=2000,
    )  # fmt: skip
    rules = []
    for service in services:
        rules.append(AvailabilityRule(service=service, weekdays=[0, 1, 2, 3, 4],
                     start_time=clock(8, 30), end_time=clock(12, 30), slot_minutes=60,
                     capacity=2, valid_from=date(2026, 1, 1)))  # fmt: skip
        rules.append(AvailabilityRule(service=service, weekdays=[0, 1, 2, 3, 4, 5],
                     start_time=clock(13, 30), end_time=clock(17, 30), slot_minutes=60,
                     capacity=2, valid_from=date(2026, 1, 1)))  # fmt: skip
    AvailabilityRule.objects.bulk_create(rules, batch_size=5000)
    return [s.pk for s in services]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    setup_django()

    from django.db import connection

    from partners.models import Slot
    from partners.slots import slots_regenerate_many

    results: dict[str, float] = {}
    with timed("set-up (partners, services, rules)", results):
        ids = build(args.services)

    single = []
    for service_id in ids[:5]:
        start = time.perf_counter()
        report = slots_regenerate_many([service_id])
        single.append(time.perf_counter() - start)
    print(f"one service, from empty: median {statistics.median(single) * 1000:.0f} ms, "
          f"max {max(single) * 1000:.0f} ms ({report.created} slots)")  # fmt: skip
    again = []
    for service_id in ids[:5]:
        start = time.perf_counter()
        slots_regenerate_many([service_id])
        again.append(time.perf_counter() - start)
    print(f"one service, nothing to change: median {statistics.median(again) * 1000:.0f} ms")

    with timed("full horizon, all services", results):
        created = 0
        for start in range(0, len(ids), args.batch):
            created += slots_regenerate_many(ids[start : start + args.batch]).created
    with timed("second pass, nothing to change", results):
        for start in range(0, len(ids), args.batch):
            slots_regenerate_many(ids[start : start + args.batch])
    total = Slot.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('partners_slot'))")
        size = cursor.fetchone()[0]
    print(f"slots: {total} ({created} created in the full pass), table {size}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    full = results["full horizon, all services"]
    print(
        f"TARGETS one service < 1 s: {'OK' if max(single) < 1 else 'MISSED'}; "
        f"{args.services} services < 300 s: {'OK' if full < 300 else 'MISSED'} ({full:.0f} s)"
    )


if __name__ == "__main__":
    main()
