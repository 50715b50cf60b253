from django.core.management.base import BaseCommand, CommandError

from core.communes_import import import_communes


class Command(BaseCommand):
    help = (
        "Load French communes (INSEE code, name, postcodes, coordinates) from the data.gouv.fr "
        "CSV « base officielle des codes postaux » — a path or an http(s) URL. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="path or URL of the CSV file")

    def handle(self, *args, source: str, **options):
        try:
            report = import_communes(source)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot import {source}: {exc}") from exc
        self.stdout.write(
            f"communes: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged; postcodes added: {report.postcodes_added}"
        )
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(
                f"skipped {count} row(s): {reason} (first at line {report.examples[reason]})"
            )
