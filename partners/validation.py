"""Rules on partner data, shared by forms, the API and the services (French messages)."""

from datetime import date
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from partners.models import AvailabilityRule


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            {"timezone": _("Fuseau horaire inconnu (par exemple Europe/Paris ou Indian/Reunion).")}
        )


def validate_prices(*, market_price, solidarity_price, deposit) -> None:
    errors = {}
    messages = {
        "market_price": _("Le prix du marché ne peut pas être négatif."),
        "solidarity_price": _("Le prix solidaire ne peut pas être négatif."),
        "deposit": _("La caution ne peut pas être négative."),
    }
    for field, value in (
        ("market_price", market_price),
        ("solidarity_price", solidarity_price),
        ("deposit", deposit),
    ):
        if value is not None and value < 0:
            errors[field] = messages[field]
    if (
        not errors
        and market_price is not None
        and solidarity_price is not None
        and solidarity_price > market_price
    ):
        errors["solidarity_price"] = _(
            "Le prix solidaire doit être inférieur ou égal au prix du marché."
        )
    if errors:
        raise ValidationError(errors)


def _dates_overlap(a_from: date, a_until: date | None, b_from: date, b_until: date | None):
    return (a_until is None or a_until >= b_from) and (b_until is None or b_until >= a_from)


def validate_rule(
    *,
    service_id: int | None,
    weekdays,
    start_time,
    end_time,
    valid_from,
    valid_until,
    slot_minutes: int | None = None,
    period: bool = False,
    exclude_rule_id: int | None = None,
) -> None:
    """A rule needs days, an end after its start and dates in order, and must not overlap
    another rule of the same service (same day, overlapping hours, overlapping dates)."""
    errors = {}
    if not weekdays or not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays):
        errors["weekdays"] = _("Choisissez au moins un jour de la semaine.")
    if start_time is not None and end_time is not None and end_time <= start_time:
        errors["end_time"] = _("L'heure de fin doit être après l'heure de début.")
    elif start_time is not None and end_time is not None and slot_minutes and not period:
        span = (end_time.hour * 60 + end_time.minute) - (start_time.hour * 60 + start_time.minute)
        if span < slot_minutes:
            errors["slot_minutes"] = _(
                "La plage horaire est plus courte qu'un créneau : raccourcissez les créneaux "
                "ou allongez la plage."
            )
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("La date de fin doit être après la date de début.")
    if errors:
        raise ValidationError(errors)
    if service_id is None:
        return
    others = AvailabilityRule.objects.filter(service_id=service_id).filter(
        Q(start_time__lt=end_time) & Q(end_time__gt=start_time)
    )
    if exclude_rule_id is not None:
        others = others.exclude(pk=exclude_rule_id)
    for other in others:
        if set(other.weekdays) & set(weekdays) and _dates_overlap(
            valid_from, valid_until, other.valid_from, other.valid_until
        ):
            raise ValidationError(
                _(
                    "Ces horaires chevauchent une autre règle du même service "
                    "(%(start)s–%(end)s). Modifiez ou supprimez l'autre règle d'abord."
                )
                % {
                    "start": other.start_time.strftime("%H:%M"),
                    "end": other.end_time.strftime("%H:%M"),
                }
            )


def validate_closure(*, starts_at, ends_at, capacity) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La fin doit être après le début.")})
