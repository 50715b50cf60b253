"""What the agenda plugs into bookings (`bookings.hooks`), connected by
`AgendaConfig.ready()`: the person's « Mes rendez-vous » shows their appointments with the
platform beside their partner bookings."""

from django.template.loader import render_to_string
from django.utils import timezone

from agenda.links import appointment_url
from agenda.notifications import place_text, when_text
from agenda.selectors import appointments_of_person_split
from bookings import hooks


def _row(appointment, *, via_link: bool) -> dict:
    return {
        "appointment": appointment,
        "when": when_text(appointment),
        "place": place_text(appointment.place),
        "url": appointment_url(appointment),
        "via_link": via_link,
    }


def my_appointments_panel(sender, *, beneficiary, request, token=None, **kwargs) -> str:
    """« Avec votre conseiller·ère »: the person's appointments with the platform."""
    upcoming, past = appointments_of_person_split(beneficiary.pk, now=timezone.now())
    if not upcoming and not past:
        return ""
    return render_to_string(
        "agenda/people/_panel.html",
        {
            "upcoming": [_row(a, via_link=token is not None) for a in upcoming],
            "past": [_row(a, via_link=token is not None) for a in past[:10]],
        },
        request=request,
    )


def connect() -> None:
    hooks.people_panels.connect(my_appointments_panel, dispatch_uid="agenda.my_appointments")
