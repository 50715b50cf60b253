from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import ACCOUNTS, DEMO_PASSWORD, seed_accounts
from agenda.demo import seed_agenda
from beneficiaries.demo import seed_beneficiaries
from bookings.demo import seed_bookings
from core.demo import seed_communes
from financing.demo import seed_financing
from partners.demo import seed_partners
from portal.demo_history import seed_history
from settlements.demo import seed_settlements


class Command(BaseCommand):
    help = "Create or refresh the demo platform of the Allier (idempotent; fictional people)."

    @transaction.atomic
    def handle(self, *args, **options):
        seed_communes()
        ctx = seed_accounts()
        people = seed_beneficiaries(ctx)
        partners = seed_partners(ctx)
        seed_bookings(ctx, people, partners)
        seed_financing(ctx, people, partners)
        seed_history(ctx, partners)  # reporting: a year of history for the indicators
        seed_settlements(ctx, people, partners)
        seed_agenda(ctx, people)  # issue 16: places, advisers' hours, appointments, sessions
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):")
        )
        for email in ACCOUNTS:
            self.stdout.write(f"  {email}")
