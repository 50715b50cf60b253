"""Indicators at national scale (issue: indicators and reports, reporting/).

Builds, on its own PostgreSQL database, a network of `--platforms` platforms over `--years`
years: `--people` people (each referred, diagnosed, followed up three times, half of them
gone with an outcome), `--bookings` bookings in every status with a financing plan for the
completed ones, grant envelopes, and a loan (12 instalments, repayments) for one person in
ten. The rows are cloned in SQL (`INSERT … SELECT … FROM generate_series`) from a few made
with the ORM, so the full scale (100 platforms, 500,000 people, 2,000,000 bookings, 5 years,
the defaults) loads in minutes. Then it measures, with the selectors the pages use:

  platform-year  every family of one platform for the last full year (target p95 ≤ 300 ms),
                 live, then as the pages read it (`report_for`: its snapshot);
  network-year   every family of the whole network for that year (target p95 ≤ 3 s), as
                 the pages read it (its snapshot, "arrêté" by the nightly task, whose
                 refresh is timed), and live (`--network-runs`, 0 to skip);

and the number of queries of each (target ≤ 15 per dashboard), and the dashboard page itself
(HTTP, as the platform's admin): this year live, then arrested (as the task of every
`REPORTING_SNAPSHOT_LIVE_MINUTES` leaves it), and last year arrested.

    .venv/bin/python -m bench.reporting [--platforms 100] [--people 500000]
        [--bookings 2000000] [--years 5] [--runs 20] [--keep]

`BENCH_DATABASE_URL` names another database (e.g. a smaller one kept for iterating).
"""

import argparse
import os
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.common import setup_django

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/solimob_bench_reporting"


def clone(cursor, table: str, template_id: int, count: int, overrides: dict[str, str],
          source: str = "generate_series(1, %(n)s) AS g") -> None:  # fmt: skip
    """Insert `count` copies of one row, some columns computed from `g` (1..count)."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    columns = [c for (c,) in cursor.fetchall() if c != "id"]
    values = [overrides.get(c, f"t.{c}") for c in columns]
    cursor.execute(
        f"WITH t AS (SELECT * FROM {table} WHERE id = {int(template_id)}) "
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM t, {source.replace('%(n)s', str(count))}"
    )


def build(args) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.enums import OrganisationKind, Role
    from accounts.models import Membership, Organisation, User
    from beneficiaries.models import Beneficiary, Diagnosis, FollowUp, Outcome, Referral
    from bookings.models import Booking
    from financing.models import (
        FinancingLine,
        FinancingPlan,
        FundingProgramme,
        Installment,
        Loan,
        LoanTransaction,
    )
    from partners.models import Partner, Service

    today = timezone.localdate()
    first_day = today - timedelta(days=365 * args.years)
    with transaction.atomic():
        platforms = Organisation.objects.bulk_create(
            [
                Organisation(name=f"Plateforme {n}", kind=OrganisationKind.PLATFORM)
                for n in range(args.platforms)
            ]  # fmt: skip
        )
        admin = User.objects.create_user(email="admin@bench.test", password="x")
        Membership.objects.create(user=admin, organisation=platforms[0], role=Role.ADMIN)
        advisers = User.objects.bulk_create(
            [User(email=f"adviser{n}@bench.test") for n in range(args.platforms * 5)]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, organisation=platforms[n // 5], role=Role.ADVISER)
                for n, u in enumerate(advisers)
            ]  # fmt: skip
        )
        prescribers = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Prescripteur {n}",
                    kind=OrganisationKind.PRESCRIBER,
                    platform=platforms[n // 3],
                )
                for n in range(args.platforms * 3)
            ]  # fmt: skip
        )
        funder = Organisation.objects.create(name="Département", kind=OrganisationKind.FUNDER)
        services = []
        for n, category in enumerate(["garage", "rental", "transport", "driving_school"] * 5):
            org = Organisation.objects.create(name=f"Partenaire {n}",
                                              kind=OrganisationKind.PARTNER)  # fmt: skip
            partner = Partner.objects.create(organisation=org, category=category)
            services.append(Service.objects.create(
                partner=partner, name=f"Service {n}", category=category, unit="hour",
                market_price=Decimal("65.00"), solidarity_price=Decimal("35.00"),
            ))  # fmt: skip
        person = Beneficiary.objects.create(platform=platforms[0], adviser=advisers[0],
                                            first_name="Modèle", last_name="Bench")  # fmt: skip
        referral = Referral.objects.create(
            platform=platforms[0], prescriber_organisation=prescribers[0], beneficiary=person,
            first_name="M", last_name="B", situation="rsa", need="x", status="accepted",
            answered_at=timezone.now(),
        )  # fmt: skip
        diagnosis = Diagnosis.objects.create(beneficiary=person, held_on=today, summary="x",
                                             decision="reinforced")  # fmt: skip
        follow_up = FollowUp.objects.create(beneficiary=person, held_on=today, channel="phone")
        outcome = Outcome.objects.create(beneficiary=person, code="training", exited_on=today)
        booking = Booking.objects.create(
            platform=platforms[0], beneficiary=person, service=services[0], units=1,
            unit_price=35, market_unit_price=65, total_price=35, market_total=65,
            starts_at=timezone.now(), ends_at=timezone.now(), status="completed",
        )  # fmt: skip
        plan = FinancingPlan.objects.create(booking=booking)
        line = FinancingLine.objects.create(plan=plan, kind="beneficiary", amount=7)
        loan = Loan.objects.create(
            platform=platforms[0], beneficiary=person, kind="micro_credit", lender=funder,
            principal=1200, annual_rate=0, term_months=12, first_due_on=today,
            disbursed_on=today, status="disbursed",
        )  # fmt: skip
        installment = Installment.objects.create(loan=loan, number=1, due_on=today,
                                                 principal_due=100, interest_due=0)  # fmt: skip
        entry = LoanTransaction.objects.create(loan=loan, kind="repayment", amount=100,
                                               value_date=today)  # fmt: skip
        years = [first_day.year + y for y in range(args.years + 1)]
        FundingProgramme.objects.bulk_create([
            FundingProgramme(platform=p, funder=funder, name=f"Aide {y}", budget=100000,
                             committed=40000, paid=20000, starts_on=date(y, 1, 1),
                             ends_on=date(y, 12, 31))
            for p in platforms for y in years
        ])  # fmt: skip

    ids = lambda objs: "(ARRAY[" + ",".join(str(o.pk) for o in objs) + "])"  # noqa: E731
    p_ids, a_ids, s_ids = ids(platforms), ids(advisers), ids(services)
    days = 365 * args.years
    n, b, P = args.people, args.bookings, args.platforms
    start = time.perf_counter()
    with connection.cursor() as c:
        c.execute("SELECT max(id) FROM beneficiaries_beneficiary")
        first_person = c.fetchone()[0] + 1
        clone(c, "beneficiaries_beneficiary", person.pk, n, {
            "platform_id": f"{p_ids}[1 + g % {P}]",
            "adviser_id": f"{a_ids}[1 + (g % {P}) * 5 + (g / {P}) % 5]",
            "created_at": f"'{first_day}'::timestamptz "
                          f"+ ((g::bigint * 7919) % {days}) * interval '1 day'",
            "status": "CASE WHEN g % 2 = 0 THEN 'closed' ELSE 'reinforced' END",
            "first_name": "'P' || g", "search_key": "'k' || g",
        })  # fmt: skip
        people = f"beneficiaries_beneficiary AS b WHERE b.id >= {first_person}"
        src = people
        clone(c, "beneficiaries_referral", referral.pk, 0, {
            "platform_id": "b.platform_id", "beneficiary_id": "b.id",
            "prescriber_organisation_id": f"{ids(prescribers)}[1 + (b.id % {P}) * 3 + b.id % 3]",
            "created_at": "b.created_at - interval '3 days'",
            "answered_at": "b.created_at - interval '1 day'",
            "status": "CASE WHEN b.id % 10 = 0 THEN 'refused' ELSE 'accepted' END",
            "refusal_reason": "CASE WHEN b.id % 10 = 0 THEN 'not_eligible' ELSE '' END",
        }, source=src)  # fmt: skip
        clone(c, "beneficiaries_diagnosis", diagnosis.pk, 0, {
            "beneficiary_id": "b.id", "held_on": "(b.created_at + interval '10 days')::date",
            "decision": "CASE WHEN b.id % 3 = 0 THEN 'light_advice' ELSE 'reinforced' END",
        }, source=src)  # fmt: skip
        for k in (1, 2, 3):
            clone(c, "beneficiaries_followup", follow_up.pk, 0, {
                "beneficiary_id": "b.id",
                "held_on": f"(b.created_at + interval '{10 + 40 * k} days')::date",
            }, source=src)  # fmt: skip
        clone(c, "beneficiaries_outcome", outcome.pk, 0, {
            "beneficiary_id": "b.id", "exited_on": "(b.created_at + interval '180 days')::date",
            "code": "(ARRAY['durable_employment','transition_employment','training',"
                    "'positive_other','none','unknown'])[1 + b.id % 6]",
        }, source=src + " AND b.id % 2 = 0")  # fmt: skip
        print(f"people and their journeys: {time.perf_counter() - start:.0f} s", flush=True)
        clone(c, "bookings_booking", booking.pk, b, {
            "reference": "'B' || lpad(to_hex(g), 10, '0')",
            "platform_id": "b.platform_id", "beneficiary_id": "b.id",
            "service_id": f"{s_ids}[1 + g % 20]",
            "starts_at": "b.created_at + ((g % 300) + 5) * interval '1 day'",
            "ends_at": "b.created_at + ((g % 300) + 5) * interval '1 day'",
            "created_at": "b.created_at + ((g % 300)) * interval '1 day'",
            "confirmed_at": "b.created_at + ((g % 300)) * interval '1 day' + interval '20 hours'",
            "status": "(ARRAY['completed','completed','completed','cancelled','no_show',"
                      "'declined','expired','confirmed'])[1 + g % 8]",
        }, source=f"generate_series(1, %(n)s) AS g JOIN beneficiaries_beneficiary AS b "
                  f"ON b.id = {first_person} + g % {n}")  # fmt: skip
        c.execute("SELECT max(id) FROM bookings_booking")
        print(f"bookings: {time.perf_counter() - start:.0f} s", flush=True)
        clone(c, "financing_financingplan", plan.pk, 0, {"booking_id": "bk.id"},
              source=f"bookings_booking AS bk WHERE bk.status = 'completed' AND bk.id > "
                     f"{booking.pk}")  # fmt: skip
        clone(
            c,
            "financing_financingline",
            line.pk,
            0,
            {"plan_id": "pl.id"},
            source=f"financing_financingplan AS pl WHERE pl.id > {plan.pk}",
        )
        clone(c, "financing_loan", loan.pk, 0, {
            "platform_id": "b.platform_id", "beneficiary_id": "b.id",
            "disbursed_on": "(b.created_at + interval '30 days')::date",
            "first_due_on": "(b.created_at + interval '60 days')::date",
            "status": "CASE WHEN b.id % 50 = 0 THEN 'defaulted' ELSE 'disbursed' END",
            "days_past_due": "CASE WHEN b.id % 7 = 0 THEN 45 ELSE 0 END",
        }, source=src + " AND b.id % 10 = 0")  # fmt: skip
        loans = f"financing_loan AS l WHERE l.id > {loan.pk}"
        for k in range(1, 13):
            clone(c, "financing_installment", installment.pk, 0, {
                "loan_id": "l.id", "number": str(k),
                "due_on": f"l.first_due_on + interval '{k - 1} months'",
                "principal_paid": "100" if k <= 6 else "0",
            }, source=loans)  # fmt: skip
        for k in range(1, 7):
            clone(c, "financing_loantransaction", entry.pk, 0, {
                "loan_id": "l.id", "value_date": f"l.first_due_on + interval '{k - 1} months'",
            }, source=loans)  # fmt: skip
        print(f"money: {time.perf_counter() - start:.0f} s", flush=True)
        # What autovacuum does to a live database: statistics, and the visibility map that
        # lets the indexes answer alone (the journey's indexes are read index-only).
        c.execute("VACUUM ANALYZE")
    return {"platform": platforms[len(platforms) // 2].pk, "admin": admin}


def measure(label, runs, fn) -> list[float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"{label}: p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"{len(queries)} queries, {runs} runs", flush=True)  # fmt: skip
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platforms", type=int, default=100)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--bookings", type=int, default=2_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--network-runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()
    setup_django(os.environ.get("BENCH_DATABASE_URL", DATABASE_URL), fresh=not args.keep)
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Membership, User
    from reporting.enums import Family
    from reporting.models import ReportSnapshot
    from reporting.selectors import Report, Scope
    from reporting.services import report_snapshot_refresh
    from reporting.snapshots import StoredReport, report_for

    if args.keep:
        world = {"admin": User.objects.get(email="admin@bench.test")}
        world["platform"] = Membership.objects.filter(role="adviser").order_by("organisation_id")[
            args.platforms * 5 // 2].organisation_id  # fmt: skip
    else:
        started = time.perf_counter()
        world = build(args)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    year = timezone.localdate().year - 1
    start, end = date(year, 1, 1), date(year, 12, 31)
    platform = world["platform"]
    measure("platform-year, live (all families)", args.runs,
            lambda: Report(Scope((platform,), start, end)).families(Family))  # fmt: skip
    first = Membership.objects.get(user=world["admin"]).organisation_id  # the admin's
    for label, platform_id in (("network-year", None), ("platform-year", platform),
                               ("first platform's year", first)):  # fmt: skip
        started = time.perf_counter()
        report_snapshot_refresh(platform_id=platform_id, start=start, end=end)
        print(f"{label}: snapshot refreshed in {time.perf_counter() - started:.1f} s", flush=True)
    for label, scope in (("platform-year", Scope((platform,), start, end)),
                         ("network-year", Scope(None, start, end))):  # fmt: skip
        assert isinstance(report_for(scope), StoredReport)
        measure(f"{label}, arrested (all families, as the pages read them)", args.runs,
                lambda scope=scope: report_for(scope).families(Family))  # fmt: skip
    if args.network_runs:
        measure("network-year, live (all families)", args.network_runs,
                lambda: Report(Scope(None, start, end)).families(Family))  # fmt: skip
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(world["admin"])
    this_year = (date(year + 1, 1, 1), date(year + 1, 12, 31))
    ReportSnapshot.objects.filter(platform_id=first, start=this_year[0]).delete()
    measure("dashboard page, this year, live (HTTP, admin)", args.runs,
            lambda: client.get("/indicateurs/"))  # fmt: skip
    started = time.perf_counter()
    report_snapshot_refresh(platform_id=first, start=this_year[0], end=this_year[1])
    print(f"first platform's this year: snapshot refreshed in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    measure("dashboard page, this year, arrested (HTTP, admin; the frequent task's)",
            args.runs, lambda: client.get("/indicateurs/"))  # fmt: skip
    url = f"/indicateurs/?from={start}&to={end}"
    measure("dashboard page, last year, arrested (HTTP, admin)", args.runs,
            lambda: client.get(url))  # fmt: skip


if __name__ == "__main__":
    main()
