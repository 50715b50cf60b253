"""Extension points of bookings for the apps above it, which plug into them from their
`AppConfig.ready()` (bookings never imports them). They are Django signals:

- `places_released(booking)`: sent inside the transaction of a transition that makes the
  booking stop holding its places (cancelled, declined, expired), right after the places
  are released. A receiver writes in that same transaction; if it raises, the transition
  rolls back. Financing releases the booking's grants here.
- `booking_page_panels(booking, request)`: asked while the staff page of a booking is
  rendered; each receiver returns the HTML of one panel (a `<section class="card">`), or ""
  to show nothing. Financing shows the booking's financing plan here.
"""

from django.dispatch import Signal
from django.utils.safestring import SafeString

from bookings.models import Booking

places_released = Signal()
booking_page_panels = Signal()


def page_panels(*, booking: Booking, request) -> list[SafeString]:
    """The panels other apps add to the booking's page, in the order they registered."""
    answers = booking_page_panels.send(sender=Booking, booking=booking, request=request)
    return [html for _receiver, html in answers if html]
