"""Print the need-to-know table (role × kind of data × read/write) in Markdown, as
docs/architecture.md shows it (a test keeps the two equal)."""

from django.core.management.base import BaseCommand

from accounts.need_to_know import markdown_table


class Command(BaseCommand):
    help = "Affiche la table « besoin d'en connaître » (rôle × donnée × lecture/écriture)."

    def handle(self, *args, **options):
        self.stdout.write(markdown_table(), ending="")
