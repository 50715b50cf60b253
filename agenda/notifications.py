"""What the person is told about an appointment with the platform (booked, moved,
cancelled, reminders), by SMS when their phone takes SMS, else by e-mail, with the signed
link that shows it and lets them cancel or move it without an account."""

from django.utils import timezone

from agenda.generation import agenda_tz
from agenda.links import appointment_url
from core.formatting import moment_text
from core.notifications import notify
from core.phones import can_receive_sms


def when_text(appointment) -> str:
    return moment_text(appointment.starts_at, agenda_tz(), timezone.localdate())


def place_text(place) -> str:
    return ", ".join(filter(None, [place.name, place.address, place.commune.name]))


def context_of(appointment) -> dict:
    return {
        "kind": appointment.kind.name,
        "when": when_text(appointment),
        "place": place_text(appointment.place),
        "adviser": appointment.adviser.get_full_name() or appointment.adviser.email,
        "url": appointment_url(appointment),
    }


def tell_person(appointment, template: str, **extra) -> None:
    """One message to the person: their account's channel, else SMS, else e-mail."""
    person = appointment.person
    context = {**context_of(appointment), **extra}
    name = template  # "agenda/booked", "agenda/reminder"...
    user = getattr(person, "user", None) if appointment.beneficiary_id else None
    if user is not None:
        notify(template=name, user=user, context=context)
    elif can_receive_sms(person.phone):
        notify(template=name, channel="sms", recipient=person.phone, context=context)
    elif person.email:
        notify(template=name, channel="email", recipient=person.email, context=context)
