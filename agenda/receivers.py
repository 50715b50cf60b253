"""What the agenda plugs into bookings (`bookings.hooks`), connected by
`AgendaConfig.ready()`: the person's « Mes rendez-vous » shows their appointments with the
platform beside their partner bookings; a full collective session has a waiting list
(`agenda.waitlist`, a target of bookings' waiting lists); a person's data export lists
their appointments and sessions, and anonymising them cancels those to come."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, may
from agenda import waitlist
from agenda.links import appointment_url
from agenda.notifications import place_text, when_text
from agenda.selectors import appointments_export_rows, appointments_of_person_split
from agenda.services_appointments import appointments_of_person_erase
from beneficiaries import hooks as beneficiary_hooks
from beneficiaries.hooks import Action
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


def book_actions(sender, *, beneficiary=None, referral=None, request, **kwargs) -> list:
    """« Prendre rendez-vous »: on a referral waiting or accepted, on an open record."""
    subject = beneficiary or referral
    if not may(request.user, DataKind.APPOINTMENTS, Mode.WRITE,
               organisation=subject.platform_id, audience=PLATFORM_STAFF):  # fmt: skip
        return []
    if beneficiary is not None:
        if beneficiary.status == "closed":
            return []
        url = reverse("agenda_book_person", args=[beneficiary.pk])
    else:
        if referral.status not in ("submitted", "accepted"):
            return []
        url = reverse("agenda_book_referral", args=[referral.pk])
    return [Action(_("Prendre rendez-vous (diagnostic)"), url)]


def export_appointments(sender, *, beneficiary, **kwargs) -> dict:
    """The person's export: their appointments and collective sessions."""
    rows = appointments_export_rows(beneficiary.pk)
    return {"appointments": rows["appointments"], "collective_sessions": rows["sessions"]}


def anonymised(sender, *, beneficiary, now, **kwargs) -> None:
    """The person anonymised: their appointments to come are cancelled, seats given back."""
    appointments_of_person_erase(beneficiary_id=beneficiary.pk, now=now)


def connect() -> None:
    waitlist.connect()
    beneficiary_hooks.person_exported.connect(
        export_appointments, dispatch_uid="agenda.export_appointments"
    )
    beneficiary_hooks.person_anonymised.connect(anonymised, dispatch_uid="agenda.anonymised")
    hooks.people_panels.connect(my_appointments_panel, dispatch_uid="agenda.my_appointments")
    beneficiary_hooks.person_actions.connect(book_actions, dispatch_uid="agenda.book_actions")
