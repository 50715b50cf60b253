"""What exchange plugs into the apps below it, connected by `ExchangeConfig.ready()`: a
booking's change of status and a referral's answer become outgoing webhooks, written to the
outbox in the transaction of the change.

Payloads carry ids and statuses only — never a person's name, contact or situation. A
booking's event goes to the subscriptions of its platform and of its partner; a referral's
answer to those of the platform and of the prescriber's organisation.
"""

from beneficiaries import hooks as beneficiary_hooks
from bookings import hooks as booking_hooks
from core import hooks as core_hooks
from exchange.events import EVENTS
from exchange.selectors import subscribers_by_event
from exchange.services import webhook_emit


def _heard(event_type: str) -> bool:
    """Whether any organisation listens to this event: if none does, a change builds no
    payload and reads nothing more (the cached map, no query)."""
    return event_type in EVENTS and bool(subscribers_by_event().get(event_type))


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
    if not _heard(event_type):
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
    if not _heard("referral.answered"):
        return
    webhook_emit(
        event_type="referral.answered",
        organisation_ids={referral.platform_id, referral.prescriber_organisation_id},
        data=referral_payload(referral),
    )


def payment_payload(payment) -> tuple[set[int], dict]:
    """A payment is the platform's business: its id, purpose, status and what it pays for
    (no amount: it is a person's money)."""
    return {payment.platform_id}, {
        "payment": {
            "id": payment.pk,
            "purpose": payment.purpose,
            "status": payment.status,
            "platform_id": payment.platform_id,
            "booking_id": payment.booking_id,
            "installment_id": payment.installment_id,
        }
    }


def settlement_payload(settlement) -> tuple[set[int], dict]:
    """A partner statement goes to its platform and its partner, with its total."""
    partner = settlement.partner
    return {settlement.platform_id, partner.organisation_id}, {
        "settlement": {
            "id": settlement.pk,
            "reference": settlement.reference,
            "status": settlement.status,
            "platform_id": settlement.platform_id,
            "partner_id": partner.pk,
            "period_start": settlement.period_start.isoformat(),
            "period_end": settlement.period_end.isoformat(),
            "total": str(settlement.total),
        }
    }


# The recorded transitions heard through `core.hooks.transition_recorded`: name → payload.
TRANSITION_PAYLOADS = {"payment": payment_payload, "settlement": settlement_payload}


def on_transition_recorded(sender, *, instance, name, from_status, to, **kwargs) -> None:
    event_type = f"{name}.{to}"
    build = TRANSITION_PAYLOADS.get(name)
    if build is None or not _heard(event_type):
        return
    organisation_ids, data = build(instance)
    webhook_emit(event_type=event_type, organisation_ids=organisation_ids, data=data)


def connect() -> None:
    core_hooks.transition_recorded.connect(
        on_transition_recorded, dispatch_uid="exchange.transition_webhooks"
    )
    booking_hooks.booking_transitioned.connect(
        on_booking_transitioned, dispatch_uid="exchange.booking_webhooks"
    )
    beneficiary_hooks.referral_answered.connect(
        on_referral_answered, dispatch_uid="exchange.referral_webhooks"
    )
