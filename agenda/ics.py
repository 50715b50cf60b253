"""Each adviser's calendar feed: their appointments with the platform (the person's name,
the place, the kind), built with bookings' calendar helper."""

from django.utils.translation import gettext as _
from icalendar import Event

from agenda.generation import agenda_tz
from agenda.notifications import place_text
from agenda.selectors import adviser_feed_appointments
from bookings.ics import calendar_of


def _event(appointment) -> Event:
    person = appointment.person
    tz = agenda_tz()
    event = Event()
    event.add("uid", f"agenda-{appointment.pk}@solimob")
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.starts_at.astimezone(tz))
    event.add("dtend", appointment.ends_at.astimezone(tz))
    event.add("summary", f"{appointment.kind.name} — {person.first_name} {person.last_name}")
    event.add("location", place_text(appointment.place))
    event.add("geo", (float(appointment.place.latitude), float(appointment.place.longitude)))
    event.add("description", _("Statut : %(s)s") % {"s": appointment.get_status_display()})
    event.add("status", "CONFIRMED")
    return event


def adviser_calendar(adviser, *, now) -> bytes:
    name = _("Solimob — agenda de %(name)s") % {"name": adviser.get_full_name() or adviser.email}
    return calendar_of((_event(a) for a in adviser_feed_appointments(adviser.pk, now=now)), name)
