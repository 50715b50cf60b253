"""Places: communes and postcodes to coordinates, and distances.

Distances are great-circle (haversine) kilometres, computed in SQL for searches and in Python
elsewhere; a bounding box on latitude/longitude narrows the rows first.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db.models import BooleanField, F, FloatField, Func
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError
from core.models import Commune

EARTH_RADIUS_KM = 6371.0088


def normalise_name(value: str) -> str:
    """'Saint-Pourçain-sur-Sioule' and 'st pourcain sur sioule' meet at the same key."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[''`\-]", " ", text)
    text = re.sub(r"\bst\b", "saint", text)
    text = re.sub(r"\bste\b", "sainte", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Place:
    """A point to search around, with what the person typed resolved to a commune."""

    latitude: float
    longitude: float
    label: str
    commune: Commune | None = None


class PlaceError(ApplicationError):
    default_code = ErrorCode.INVALID


def place_from_commune(commune: Commune) -> Place:
    return Place(float(commune.latitude), float(commune.longitude), commune.name, commune)


def resolve_place(text: str) -> Place:
    """A postcode ('03100'), a commune name ('Montluçon', 'montlucon') or 'name (dept)'.

    Raises PlaceError when nothing matches, or when several communes do (the message lists
    them, so the person can pick one)."""
    text = (text or "").strip()
    if not text:
        raise PlaceError(_("Indiquez une commune ou un code postal."))
    if re.fullmatch(r"\d{5}", text):
        candidates = list(
            Commune.objects.filter(postcodes__postcode=text).distinct().order_by("name")
        )
    else:
        department = None
        match = re.fullmatch(r"(.+?)\s*\((\w{2,3})\)", text)
        if match:
            text, department = match.group(1), match.group(2).upper()
        candidates = Commune.objects.filter(search_name=normalise_name(text))
        if department:
            candidates = candidates.filter(department=department)
        candidates = list(candidates.order_by("department", "name"))
    if not candidates:
        raise PlaceError(_("Commune ou code postal inconnu : « %(text)s ».") % {"text": text})
    if len(candidates) > 1:
        names = ", ".join(f"{c.name} ({c.department})" for c in candidates[:8])
        raise PlaceError(
            _("Plusieurs communes correspondent : %(names)s. Précisez laquelle.")
            % {"names": names},
            code=ErrorCode.AMBIGUOUS_PLACE,
        )
    return place_from_commune(candidates[0])


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _longitude_span(latitude: float, angle: float) -> float:
    """Degrees of longitude either side of a point at `latitude` that enclose every point
    within `angle` radians of it: asin(sin(angle) / cos(latitude)), 180 when the circle
    reaches a pole."""
    cos_lat = math.cos(math.radians(latitude))
    if angle >= math.pi / 2 - abs(math.radians(latitude)) or cos_lat <= 0:
        return 180.0
    return math.degrees(math.asin(math.sin(angle) / cos_lat))


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle; for an index range scan.
    Rounded outwards to the coordinates' six decimals."""
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    dlon = _longitude_span(latitude, angle)
    q = Decimal("0.000001")
    return (
        Decimal(latitude - dlat).quantize(q, rounding=ROUND_FLOOR),
        Decimal(latitude + dlat).quantize(q, rounding=ROUND_CEILING),
        Decimal(longitude - dlon).quantize(q, rounding=ROUND_FLOOR),
        Decimal(longitude + dlon).quantize(q, rounding=ROUND_CEILING),
    )


def _sql_functions(connection) -> tuple[str, str, str]:
    """(least, greatest, floating-point type) in the database's dialect."""
    if connection.vendor == "sqlite":
        return "MIN", "MAX", "REAL"
    return "LEAST", "GREATEST", "DOUBLE PRECISION"


class GreatCircleKm(Func):
    """Great-circle distance in km from a point to the row's coordinates (spherical law of
    cosines, clamped to [-1, 1] so identical points give 0, not NaN).

    One expression node rather than a tree of ORM functions: the search nests it in
    subqueries, and Django copies and relabels every node each time."""

    output_field = FloatField()

    def __init__(self, latitude: float, longitude: float, lat_field: str, lon_field: str):
        super().__init__(F(lat_field), F(lon_field))
        self.latitude, self.longitude = latitude, longitude

    def as_sql(self, compiler, connection, **extra):
        (lat, lat_params), (lon, lon_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        least, greatest, floating = _sql_functions(connection)
        lat_rad = f"RADIANS(CAST({lat} AS {floating}))"
        lon_rad = f"RADIANS(CAST({lon} AS {floating}))"
        sql = (
            f"(ACOS({least}({greatest}(((%s * SIN({lat_rad})) + ((%s * COS({lat_rad}))"
            f" * COS(({lon_rad} - %s)))), %s), %s)) * %s)"
        )
        plat = math.radians(self.latitude)
        params = [
            math.sin(plat), *lat_params, math.cos(plat), *lat_params, *lon_params,
            math.radians(self.longitude), -1.0, 1.0, EARTH_RADIUS_KM,
        ]  # fmt: skip
        return sql, params


def distance_expression(latitude: float, longitude: float, lat_field: str, lon_field: str):
    """Great-circle distance in km from a point to the row's coordinates."""
    return GreatCircleKm(latitude, longitude, lat_field, lon_field)


class WithinBox(Func):
    """The row's coordinates lie in the box that encloses every circle of up to `radius_sql`
    km around a point (`bounding_box` in SQL, for a radius the database computes: the largest
    radius of all partners, say), so that an index on the coordinates narrows the rows. Each
    bound is widened by 0.00001° (about a metre) for the rounding; a NULL radius is an empty
    box."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, latitude: float, longitude: float, lat_field, lon_field, radius_sql):
        super().__init__(F(lat_field), F(lon_field))
        self.latitude, self.longitude, self.radius_sql = latitude, longitude, radius_sql

    def as_sql(self, compiler, connection, **extra):
        (lat, lat_params), (lon, lon_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        least, _greatest, floating = _sql_functions(connection)
        decimal = "NUMERIC" if connection.vendor == "sqlite" else "NUMERIC(9, 6)"
        angle = f"(CAST(({self.radius_sql}) AS {floating}) / %s)"
        cos_lat = max(math.cos(math.radians(self.latitude)), 1e-9)
        margin = 0.00001
        lat_delta = f"(DEGREES({angle}) + %s)", [EARTH_RADIUS_KM, margin]
        # asin(sin(angle) / cos(latitude)): at most 90°, enough short of a pole.
        lon_delta = (
            f"(DEGREES(ASIN({least}(SIN({angle}) / %s, 1.0))) + %s)",
            [EARTH_RADIUS_KM, cos_lat, margin],
        )
        sql, params = [], []
        for (column, column_params), centre, (delta, delta_params) in (
            ((lat, lat_params), self.latitude, lat_delta),
            ((lon, lon_params), self.longitude, lon_delta),
        ):
            for operator, sign in ((">=", "-"), ("<=", "+")):
                sql.append(f"{column} {operator} CAST((%s {sign} {delta}) AS {decimal})")
                params += [*column_params, centre, *delta_params]
        return "(" + " AND ".join(sql) + ")", params


def place_for_address(*, postcode: str = "", commune: str = "") -> Place:
    """The centre of a person's commune, from their postcode and commune name."""
    candidates = Commune.objects.all()
    if postcode:
        candidates = candidates.filter(postcodes__postcode=postcode)
    if commune:
        named = candidates.filter(search_name=normalise_name(commune))
        if postcode or named.exists():
            candidates = named
    found = list(candidates.distinct()[:2]) if (postcode or commune) else []
    if len(found) != 1:
        raise PlaceError(
            _("L'adresse de la personne ne permet pas de la situer : précisez une commune.")
        )
    return place_from_commune(found[0])


# "latitude,longitude" in decimal degrees, on Earth (the API schema publishes this pattern).
COORDINATES_PATTERN = (
    r"^-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?),"
    r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]?[0-9])(?:\.[0-9]+)?)$"
)
_COORDINATES = re.compile(COORDINATES_PATTERN)


def parse_coordinates(text: str) -> tuple[float, float]:
    """'46.34,2.60' → (46.34, 2.6); ValueError when it is not a point on Earth."""
    if not _COORDINATES.fullmatch(text or ""):
        raise ValueError(text)
    parts = text.split(",")
    latitude, longitude = float(parts[0]), float(parts[1])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
        raise ValueError(text)
    return latitude, longitude
