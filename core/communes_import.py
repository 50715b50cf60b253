"""Load the official list of French communes (data.gouv.fr « base officielle des codes
postaux », either the enriched CSV with latitude/longitude columns or La Poste's
semicolon-separated file with `coordonnees_gps`). Idempotent: run it again to update."""

import csv
import io
import re
import urllib.request
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from core.models import Commune, CommunePostcode
from core.places import normalise_name

ALIASES = {
    "insee": ["code_commune_insee", "#code_commune_insee", "code_insee", "insee_com"],
    "name": ["nom_commune_complet", "nom_commune", "nom_commune_postal", "libelle_commune"],
    "postcode": ["code_postal", "postcode"],
    "latitude": ["latitude", "lat"],
    "longitude": ["longitude", "lon", "lng"],
    "gps": ["coordonnees_gps", "coordonnees_geographiques", "geopoint"],
    "department": ["code_departement", "dep", "departement"],
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    postcodes_added: int = 0
    skipped: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    def skip(self, reason: str, line: int) -> None:
        self.skipped[reason] += 1
        self.examples.setdefault(reason, line)


def read_text(source: str) -> str:
    if re.match(r"https?://", source):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310
            raw = response.read()
    else:
        raw = Path(source).read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("unreadable encoding")


def _columns(header: list[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found = {}
    for key, names in ALIASES.items():
        for name in names:
            if name in lowered:
                found[key] = lowered.index(name)
                break
    return found


def _department(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def _coordinates(row, columns) -> tuple[Decimal, Decimal] | None:
    try:
        if "latitude" in columns and "longitude" in columns:
            lat, lon = row[columns["latitude"]], row[columns["longitude"]]
        elif "gps" in columns:
            lat, lon = row[columns["gps"]].split(",")
        else:
            return None
        lat, lon = Decimal(lat.strip()), Decimal(lon.strip())
    except (InvalidOperation, ValueError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    q = Decimal("0.000001")
    return lat.quantize(q), lon.quantize(q)


def parse(text: str, report: ImportReport) -> "OrderedDict[str, dict]":
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    columns = _columns(header or [])
    missing = {"insee", "name", "postcode"} - set(columns)
    if missing:
        raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
    communes: OrderedDict[str, dict] = OrderedDict()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            insee = row[columns["insee"]].strip().upper()
            name = row[columns["name"]].strip()
            postcode = row[columns["postcode"]].strip().zfill(5)
        except IndexError:
            report.skip("ligne incomplète", line)
            continue
        if not re.fullmatch(r"\d[\dAB]\d{3}", insee):
            report.skip("code INSEE invalide", line)
            continue
        if not re.fullmatch(r"\d{5}", postcode):
            report.skip("code postal invalide", line)
            continue
        if not name:
            report.skip("nom manquant", line)
            continue
        coordinates = _coordinates(row, columns)
        entry = communes.get(insee)
        if entry is None:
            if coordinates is None:
                report.skip("coordonnées absentes ou invalides", line)
                continue
            department = (
                row[columns["department"]].strip().upper()
                if "department" in columns and row[columns["department"]].strip()
                else _department(insee)
            )
            entry = communes[insee] = {
                "name": name, "department": department, "coordinates": coordinates,
                "postcodes": set(),
            }  # fmt: skip
        entry["postcodes"].add(postcode)
    return communes


@transaction.atomic
def import_communes(source: str) -> ImportReport:
    report = ImportReport()
    communes = parse(read_text(source), report)
    fields = ["name", "search_name", "department", "latitude", "longitude"]
    existing = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=list(communes))}
    to_create, to_update = [], []
    for insee, data in communes.items():
        lat, lon = data["coordinates"]
        values = {
            "name": data["name"], "search_name": normalise_name(data["name"]),
            "department": data["department"], "latitude": lat, "longitude": lon,
        }  # fmt: skip
        commune = existing.get(insee)
        if commune is None:
            to_create.append(Commune(insee_code=insee, **values))
        elif any(getattr(commune, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(commune, k, v)
            to_update.append(commune)
        else:
            report.unchanged += 1
    Commune.objects.bulk_create(to_create, batch_size=2000)
    Commune.objects.bulk_update(to_update, fields, batch_size=2000)
    report.created, report.updated = len(to_create), len(to_update)
    ids = dict(
        Commune.objects.filter(insee_code__in=list(communes)).values_list("insee_code", "id")
    )
    known = set(
        CommunePostcode.objects.filter(commune_id__in=ids.values()).values_list(
            "commune_id", "postcode"
        )
    )
    new = [
        CommunePostcode(commune_id=ids[insee], postcode=postcode)
        for insee, data in communes.items()
        for postcode in sorted(data["postcodes"])
        if (ids[insee], postcode) not in known
    ]
    CommunePostcode.objects.bulk_create(new, batch_size=5000)
    report.postcodes_added = len(new)
    return report
