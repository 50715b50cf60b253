"""Coordinates for an address.

With `ADDRESS_GEOCODER_URL` set (the national address API, e.g.
https://api-adresse.data.gouv.fr/search/), a street address is geocoded; otherwise — or when
the service fails or is unsure — the centre of the commune from the `Commune` table is used.
"""

import json
import logging
import urllib.parse
import urllib.request
from decimal import Decimal

from django.conf import settings

from core.places import PlaceError, place_for_address

logger = logging.getLogger(__name__)
MIN_SCORE = 0.5
Q = Decimal("0.000001")


def _from_address_api(address: str, postcode: str, commune: str) -> tuple[Decimal, Decimal] | None:
    url = settings.ADDRESS_GEOCODER_URL
    if not (url and address):
        return None
    params = {"q": " ".join(filter(None, [address, postcode, commune])), "limit": "1"}
    if postcode:
        params["postcode"] = postcode
    try:
        with urllib.request.urlopen(  # noqa: S310 — the URL is a setting, not user input
            f"{url}?{urllib.parse.urlencode(params)}", timeout=settings.ADDRESS_GEOCODER_TIMEOUT
        ) as response:
            data = json.load(response)
        feature = data["features"][0]
        if float(feature["properties"].get("score", 0)) < MIN_SCORE:
            return None
        longitude, latitude = feature["geometry"]["coordinates"][:2]
        return Decimal(str(latitude)).quantize(Q), Decimal(str(longitude)).quantize(Q)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.warning("Address geocoding failed for %r: %s", params["q"], exc)
        return None


def geocode(*, address: str = "", postcode: str = "", commune: str = "") -> tuple | None:
    """(latitude, longitude) as Decimals, or None when neither the address nor the commune
    can be placed."""
    found = _from_address_api(address, postcode, commune)
    if found:
        return found
    try:
        place = place_for_address(postcode=postcode, commune=commune)
    except PlaceError:
        return None
    return Decimal(str(place.latitude)).quantize(Q), Decimal(str(place.longitude)).quantize(Q)
