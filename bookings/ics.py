"""A booking's calendar entries (iCalendar): one booking to add to one's agenda, and the
private feeds of a partner and of a person. Dates are in the partner's time zone."""

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bookings.documents import address_lines, partner_tz, person_name
from bookings.enums import BookingStatus
from core.formatting import places_text

# How a calendar shows each status (RFC 5545 STATUS of a VEVENT).
ICS_STATUS = {
    BookingStatus.REQUESTED: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.NO_SHOW: "CONFIRMED",
    BookingStatus.DECLINED: "CANCELLED",
    BookingStatus.EXPIRED: "CANCELLED",
    BookingStatus.CANCELLED: "CANCELLED",
}


def _event(booking, *, for_partner: bool) -> Event:
    service = booking.service
    organisation = service.partner.organisation
    tz = partner_tz(booking)
    place = ", ".join([organisation.name, *address_lines(organisation)])
    details = [
        _("Référence : %(ref)s") % {"ref": booking.reference},
        _("Statut : %(status)s") % {"status": booking.get_status_display()},
    ]
    if for_partner:
        who = person_name(booking.beneficiary)
        summary = f"{service.name} — {who}"
        details.insert(0, _("Personne : %(name)s") % {"name": who})
        details.append(places_text(booking.quantity))
    else:
        summary = f"{service.name} — {organisation.name}"
        details.append(_("Apportez votre bon de prise en charge."))
    event = Event()
    event.add("uid", f"{booking.reference}@solimob")
    event.add("dtstamp", booking.updated_at or timezone.now())
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    event.add("summary", summary)
    event.add("location", place)
    if organisation.latitude is not None and organisation.longitude is not None:
        event.add("geo", (float(organisation.latitude), float(organisation.longitude)))
    event.add("description", "\n".join(details))
    event.add("status", ICS_STATUS.get(booking.status, "CONFIRMED"))
    event.add("transp", "OPAQUE")
    return event


def calendar_of(events, name: str) -> bytes:
    """A published calendar of these events (the VTIMEZONE definitions included); the
    agenda's adviser feeds use it too."""
    calendar = Calendar()
    calendar.add("prodid", "-//Solimob//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_feed(bookings, name: str, *, for_partner: bool = False) -> bytes:
    """A calendar with one event per booking, each in its partner's time zone. A partner's
    calendar names the person instead of the partner."""
    return calendar_of((_event(b, for_partner=for_partner) for b in bookings), name)


def booking_ics(booking) -> bytes:
    """One booking as a calendar entry to add to one's agenda."""
    name = f"{booking.service.name} — {booking.service.partner.organisation.name}"
    return calendar_feed([booking], name)
