"""`manage.py export_data_inclusion --format json|csv [--output DIR]`: the open-data feed
(data·inclusion schema v1) as files, `structures.<ext>` and `services.<ext>`, the same
objects as `GET /api/v1/open/structures/` and `/api/v1/open/services/`. JSON: one array
per file. CSV: one row per object, lists joined by commas (as data·inclusion's own CSV
exports do)."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from exchange import opendata


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def write(path: Path, items: list[dict], fmt: str) -> None:
    if fmt == "json":
        path.write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    columns = list(dict.fromkeys(key for item in items for key in item))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for item in items:
            writer.writerow({key: _cell(item.get(key)) for key in columns})


class Command(BaseCommand):
    help = "Écrit le catalogue au format data·inclusion (structures et services)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", default=".", help="Dossier où écrire les deux fichiers.")

    def handle(self, *args, **options):
        fmt, folder = options["format"], Path(options["output"])
        folder.mkdir(parents=True, exist_ok=True)
        for name, items in (
            ("structures", opendata.all_structures()),
            ("services", opendata.all_services()),
        ):
            path = folder / f"{name}.{fmt}"
            write(path, items, fmt)
            self.stdout.write(f"{path}: {len(items)}")
