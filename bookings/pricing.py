"""Units and prices of a booking, snapshotted at booking time (money in Decimal)."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError
from core.formatting import cents
from partners.enums import BookingMode, ServiceUnit


@dataclass(frozen=True)
class Quote:
    units: Decimal
    unit_price: Decimal
    market_unit_price: Decimal
    total_price: Decimal
    market_total: Decimal

    @property
    def saving(self) -> Decimal:
        return self.market_total - self.total_price


def billed_units(service, slots, units: Decimal | None) -> Decimal:
    """How many units are billed: hours of the slots, days of a rental, km (estimated by the
    adviser, corrected at completion), one per session, one flat fee, weeks or months."""
    unit = service.unit
    if unit == ServiceUnit.KM:
        if units is None or units <= 0:
            raise ApplicationError(
                _("Indiquez le nombre de kilomètres prévus."), code=ErrorCode.INVALID
            )
        return cents(Decimal(units))
    if units is not None:
        return cents(Decimal(units))
    if unit == ServiceUnit.HOUR:
        seconds = sum((s.ends_at - s.starts_at).total_seconds() for s in slots)
        return cents(Decimal(seconds) / Decimal(3600))
    if unit in (ServiceUnit.DAY, ServiceUnit.SESSION):
        return Decimal(len(slots))
    if unit == ServiceUnit.WEEK:
        return Decimal(math.ceil(len(slots) / 7)) if service.booking_mode == BookingMode.PERIOD \
            else Decimal(len(slots))  # fmt: skip
    if unit == ServiceUnit.MONTH:
        return Decimal(math.ceil(len(slots) / 30))
    return Decimal(1)  # flat


def quote(service, slots, *, quantity: int, units: Decimal | None = None) -> Quote:
    billed = billed_units(service, slots, units)
    return Quote(
        units=billed,
        unit_price=service.solidarity_price,
        market_unit_price=service.market_price,
        total_price=cents(service.solidarity_price * billed * quantity),
        market_total=cents(service.market_price * billed * quantity),
    )
