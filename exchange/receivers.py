"""What exchange plugs into the apps below it, connected by `ExchangeConfig.ready()`: a
booking's change of status and a referral's answer become outgoing webhooks, written to the
outbox in the transaction of the change.

Payloads carry ids and statuses only — never a person's name, contact or situation. A
booking's event goes to the subscriptions of its platform and of its partner; a referral's
answer to those of the platform and of the prescriber's organisation.
"""

from beneficiaries import hooks as beneficiary_hooks
from bookings import hooks as booking_hooks
from exchange.events import EVENTS
from exchange.services import webhook_emit


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def booking_payload(booking, *, from_status: str) -> dict:
    service = booking.service
    return {
        "booking": {
            "id": booking.pk,
            "reference": booking.reference,
            "status": booking.status,
            "previous_status": from_status or None,
            "platform_id": booking.platform_id,
            "partner_id": service.partner_id,
            "service_id": service.pk,
            "starts_at": _iso(booking.starts_at),
            "ends_at": _iso(booking.ends_at),
        }
    }


def on_booking_transitioned(sender, *, booking, from_status, to_status, **kwargs) -> None:
    event_type = f"booking.{to_status}"
    if event_type not in EVENTS:
        return
    webhook_emit(
        event_type=event_type,
        organisation_ids={booking.platform_id, booking.service.partner.organisation_id},
        data=booking_payload(booking, from_status=from_status),
    )


def referral_payload(referral) -> dict:
    return {
        "referral": {
            "id": referral.pk,
            "status": referral.status,
            "platform_id": referral.platform_id,
            "prescriber_organisation_id": referral.prescriber_organisation_id,
            "answered_at": _iso(referral.answered_at),
        }
    }


def on_referral_answered(sender, *, referral, **kwargs) -> None:
    webhook_emit(
        event_type="referral.answered",
        organisation_ids={referral.platform_id, referral.prescriber_organisation_id},
        data=referral_payload(referral),
    )


def connect() -> None:
    booking_hooks.booking_transitioned.connect(
        on_booking_transitioned, dispatch_uid="exchange.booking_webhooks"
    )
    beneficiary_hooks.referral_answered.connect(
        on_referral_answered, dispatch_uid="exchange.referral_webhooks"
    )
