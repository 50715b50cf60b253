"""Settlements benchmark (issue: paying the partners).

2,000 partners and 200,000 bookings completed in November 2026 on PostgreSQL (100 per partner
by default; every booking has a financing plan: a quarter with a grant award, the others with
the platform's share, and the person's share, a fifth of them paid online). Measured:

  drafts    every partner's draft for the month in one action (`settlement_build_all`);
  issue     every draft issued (not a target of the issue; printed for the record);
  transfer  one SEPA pain.001 file for every issued statement, validated against its XSD.

Reports seconds, peak RSS (the whole process, data generation included, and the growth
during the measured phases), queries per draft, and the queries of one draft for a partner
with 5 bookings and one with 500: the count must not grow with the bookings.

Target: drafts + transfer file under 60 s on this machine, bounded memory.

    .venv/bin/python -m bench.settlements [--partners 2000] [--per-partner 100]
"""

import argparse
import os
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench.common import peak_rss_mb, setup_django, timed

DATABASE_URL = os.environ.get(
    "BENCH_SETTLEMENTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solimob_bench_settle"
)
IBAN = "FR7630006000011234567890189"
D = Decimal
START = datetime(2026, 11, 1, 9, tzinfo=UTC)


def world(partners_count: int, per_partner: int):
    from accounts.models import Membership, Organisation, User
    from beneficiaries.models import Beneficiary
    from financing.models import FundingProgramme
    from partners.models import Partner, PartnerAgreement, Service

    platform = Organisation.objects.create(name="Plateforme bench", kind="platform")
    funder = Organisation.objects.create(name="Financeur bench", kind="funder")
    officer = User.objects.create_user(email="finance@bench.test", password="x",
                                       first_name="Fin", last_name="Ance")  # fmt: skip
    Membership.objects.create(user=officer, organisation=platform, role="finance_officer")
    programme = FundingProgramme.objects.create(
        platform=platform, funder=funder, name="Aide bench", budget=D("100000000"),
        starts_on=date(2026, 1, 1),
    )  # fmt: skip
    people = Beneficiary.objects.bulk_create(
        [Beneficiary(platform=platform, first_name="P", last_name=f"Bench {n}",
                     situation="rsa") for n in range(1000)],
        batch_size=1000,
    )  # fmt: skip
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Partenaire {n:05d}", kind="partner", platform=platform)
         for n in range(partners_count)], batch_size=2000,
    )  # fmt: skip
    partners = Partner.objects.bulk_create(
        [Partner(organisation=o, category="garage", status="published", iban=IBAN,
                 bic="AGRIFRPP", bank_details_approved_at=START,
                 timezone="Indian/Reunion" if n % 50 == 0 else "Europe/Paris")
         for n, o in enumerate(orgs)], batch_size=2000,
    )  # fmt: skip
    PartnerAgreement.objects.bulk_create(
        [PartnerAgreement(partner=p, platform=platform, since=date(2026, 1, 1)) for p in partners],
        batch_size=2000,
    )
    services = Service.objects.bulk_create(
        [Service(partner=p, name="Main-d'œuvre", category="garage", unit="hour",
                 market_price=D("65"), solidarity_price=D("35"), published=True)
         for p in partners], batch_size=2000,
    )  # fmt: skip
    return platform, officer, programme, people, services


def completed_bookings(platform, officer, programme, people, services, per_partner: int) -> int:
    """`per_partner` completed bookings per service, with plans, awards and payments, written
    a thousand partners' worth at a time."""
    from bookings.models import Booking, new_reference
    from financing.models import FinancingLine, FinancingPlan, FundingProgramme, GrantAward
    from payments.models import Payment

    rng = random.Random(14)
    committed = D(0)
    made = 0
    for first in range(0, len(services), 200):
        chunk = services[first : first + 200]
        bookings = []
        for service in chunk:
            for n in range(per_partner):
                done = START + timedelta(minutes=rng.randrange(0, 29 * 24 * 60))
                hours = D(rng.choice([1, 2, 3]))
                bookings.append(Booking(
                    reference=new_reference(), platform=platform,
                    beneficiary=people[(service.pk * 7 + n) % len(people)], service=service,
                    units=hours, unit_price=D(35), market_unit_price=D(65),
                    total_price=35 * hours, market_total=65 * hours, status="completed",
                    starts_at=done - timedelta(hours=int(hours)), ends_at=done, completed_at=done,
                ))  # fmt: skip
        Booking.objects.bulk_create(bookings, batch_size=5000)
        plans = FinancingPlan.objects.bulk_create(
            [FinancingPlan(booking=b, updated_by=officer) for b in bookings], batch_size=5000
        )
        awards, lines, payments = [], [], []
        for i, (booking, plan) in enumerate(zip(bookings, plans, strict=True)):
            share = (booking.total_price * D("0.20")).quantize(D("0.01"))
            covered = booking.total_price - share
            if i % 4 == 0:
                award = GrantAward(programme=programme, beneficiary=booking.beneficiary,
                                   booking=booking, amount=covered)  # fmt: skip
                awards.append(award)
                lines.append(FinancingLine(plan=plan, kind="grant", programme=programme,
                                           award=award, amount=covered))  # fmt: skip
                committed += covered
            else:
                lines.append(FinancingLine(plan=plan, kind="platform", amount=covered))
            lines.append(FinancingLine(plan=plan, kind="beneficiary", amount=share))
            if i % 5 == 0:
                payments.append(Payment(
                    platform=platform, beneficiary=booking.beneficiary, booking=booking,
                    purpose="beneficiary_share", amount=share, status="succeeded",
                    idempotency_key=f"bench-{booking.reference}",
                ))  # fmt: skip
        GrantAward.objects.bulk_create(awards, batch_size=5000)
        FinancingLine.objects.bulk_create(lines, batch_size=5000)
        Payment.objects.bulk_create(payments, batch_size=5000)
        made += len(bookings)
        print(f"  {made} bookings written", flush=True)
    FundingProgramme.objects.filter(pk=programme.pk).update(committed=committed)
    return made


def reused():
    """The world of the last run, its statements removed and its envelope's `paid` reset."""
    from django.db import connection

    from accounts.models import Organisation, User
    from beneficiaries.models import Beneficiary
    from bookings.models import Booking
    from financing.models import FundingProgramme, GrantAward
    from partners.models import Partner, Service
    from payments.models import Payment
    from settlements.models import Settlement, SettlementEvent, SettlementGrant, SettlementLine

    with connection.cursor() as cursor:  # without loading 200,000 lines to delete them
        tables = [m._meta.db_table for m in (SettlementGrant, SettlementLine, SettlementEvent,
                                              Settlement)]  # fmt: skip
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    GrantAward.objects.update(status="requested")
    FundingProgramme.objects.update(paid=0)
    witness = {"service__partner__organisation__name__startswith": "Témoin"}
    Payment.objects.filter(**{f"booking__{k}": v for k, v in witness.items()}).delete()
    GrantAward.objects.filter(**{f"booking__{k}": v for k, v in witness.items()}).delete()
    Booking.objects.filter(**witness).delete()
    Partner.objects.filter(organisation__name__startswith="Témoin").delete()
    platform = Organisation.objects.get(name="Plateforme bench")
    services = list(Service.objects.filter(partner__organisation__name__startswith="Partenaire"))
    return (platform, User.objects.get(email="finance@bench.test"),
            FundingProgramme.objects.get(name="Aide bench"),
            list(Beneficiary.objects.filter(platform=platform)), services,
            Booking.objects.filter(platform=platform).count())  # fmt: skip


def queries_of_one_draft(platform, officer, programme, people, bookings_count: int) -> int:
    """The queries of one partner's draft holding `bookings_count` bookings."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organisation
    from partners.models import Partner, PartnerAgreement, Service
    from settlements.services import settlement_build

    org = Organisation.objects.create(name=f"Témoin {bookings_count}", kind="partner",
                                      platform=platform)  # fmt: skip
    partner = Partner.objects.create(organisation=org, category="garage", iban=IBAN,
                                     bic="AGRIFRPP", bank_details_approved_at=START)  # fmt: skip
    PartnerAgreement.objects.create(partner=partner, platform=platform, since=date(2026, 1, 1))
    service = Service.objects.create(
        partner=partner,
        name="Témoin",
        category="garage",
        unit="hour",
        market_price=D(65),
        solidarity_price=D(35),
    )
    completed_bookings(platform, officer, programme, people, [service], bookings_count)
    reset_queries()  # DEBUG keeps the last 9,000 queries: start from an empty log
    with CaptureQueriesContext(connection) as queries:
        settlement_build(
            actor=officer,
            platform_id=platform.pk,
            partner_id=partner.pk,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
        )
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--per-partner", type=int, default=100)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of the last run (its statements are removed)",
    )
    args = parser.parse_args()
    setup_django(DATABASE_URL, fresh=not args.reuse)

    from django.conf import settings
    from django.db import connection, reset_queries

    from accounts.scoping import memberships
    from settlements.models import Settlement
    from settlements.services import settlement_build_all, settlement_issue
    from settlements.transfers import transfer_file

    settings.SETTLEMENT_DEBTOR_NAME = "Plateforme bench"
    settings.SETTLEMENT_DEBTOR_IBAN = "FR7630004000031234567890143"
    settings.SETTLEMENT_DEBTOR_BIC = "BNPAFRPP"
    results: dict[str, float] = {}
    if args.reuse:
        platform, officer, programme, people, services, count = reused()
    else:
        with timed("data", results):
            platform, officer, programme, people, services = world(args.partners, args.per_partner)
            count = completed_bookings(platform, officer, programme, people, services,
                                       args.per_partner)  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    print(
        f"{len(services)} partners, {count} completed bookings; peak RSS so far "
        f"{peak_rss_mb():.0f} MB",
        flush=True,
    )
    memberships(officer)
    rss_before = peak_rss_mb()
    connection.force_debug_cursor = True
    reset_queries()
    with timed("drafts", results):
        report = settlement_build_all(actor=officer, platform_id=platform.pk, year=2026,
                                      month=11)  # fmt: skip
    draft_queries = len(connection.queries)
    connection.force_debug_cursor = False
    reset_queries()
    print(
        f"{len(report.built)} drafts, {len(report.skipped)} skipped; "
        f"{draft_queries} queries = {draft_queries / max(len(report.built), 1):.1f} per draft",
        flush=True,
    )
    with timed("issue", results):
        for settlement in report.built:
            settlement_issue(actor=officer, settlement_id=settlement.pk)
    ids = list(Settlement.objects.filter(status="issued").values_list("pk", flat=True))
    with timed("transfer", results):
        xml = transfer_file(actor=officer, settlement_ids=ids)
    print(
        f"transfer file: {len(ids)} credit transfers, {len(xml) / 1024:.0f} KiB, valid "
        "pain.001.001.03",
        flush=True,
    )
    rss_after = peak_rss_mb()
    few = queries_of_one_draft(platform, officer, programme, people, 5)
    many = queries_of_one_draft(platform, officer, programme, people, 500)
    total = results["drafts"] + results["transfer"]
    print(f"\ndrafts + transfer file: {total:.1f} s (target < 60 s)")
    print(
        f"peak RSS: {rss_after:.0f} MB (growth during drafts, issue and transfer: "
        f"{rss_after - rss_before:.0f} MB)"
    )
    print(f"queries of one draft: {few} with 5 bookings, {many} with 500 bookings")


if __name__ == "__main__":
    main()
