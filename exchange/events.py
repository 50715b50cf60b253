"""The catalogue of outgoing webhook events: one line per event.

An organisation subscribes to names of this catalogue; anything else is refused (400
`invalid`). An app that lands later (payments, settlements) adds its events here, one line
each — `"payment.succeeded": _("Paiement reçu"),` — and exchange connects a receiver to the
app's signal (`exchange/receivers.py`) that calls `services.webhook_emit`.
"""

from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, str] = {
    "booking.requested": _("Réservation demandée"),
    "booking.confirmed": _("Réservation confirmée"),
    "booking.declined": _("Réservation refusée par le partenaire"),
    "booking.cancelled": _("Réservation annulée"),
    "booking.completed": _("Réservation réalisée"),
    "referral.answered": _("Orientation acceptée ou refusée"),
}


def event_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {label}") for name, label in EVENTS.items()]
