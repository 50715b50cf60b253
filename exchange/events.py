"""The catalogue of outgoing webhook events: one line per event.

An organisation subscribes to names of this catalogue; anything else is refused (400
`invalid`). Bookings and referrals have their own signals; payments and statements are heard
through `core.hooks.transition_recorded` (`exchange/receivers.py`): an event is `<name>.<to>`
of a recorded transition, sent when it is listed here.
"""

from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, str] = {
    "booking.requested": _("Réservation demandée"),
    "booking.confirmed": _("Réservation confirmée"),
    "booking.declined": _("Réservation refusée par le partenaire"),
    "booking.cancelled": _("Réservation annulée"),
    "booking.completed": _("Réservation réalisée"),
    "referral.answered": _("Orientation acceptée ou refusée"),
    "payment.succeeded": _("Paiement en ligne reçu"),
    "payment.failed": _("Paiement en ligne échoué"),
    "payment.refunded": _("Paiement en ligne remboursé"),
    "settlement.issued": _("Relevé partenaire émis"),
    "settlement.paid": _("Relevé partenaire payé"),
}


def event_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {label}") for name, label in EVENTS.items()]
