"""What bookings plugs into the apps below it (`partners.hooks`), connected by
`BookingsConfig.ready()`: a partner's dashboard shows the address of its private calendar
feed of bookings."""

from django.template.loader import render_to_string

from bookings.feeds import partner_feed_url
from partners import hooks


def feed_panel(sender, *, partner, request, **kwargs) -> str:
    """« Vos réservations dans votre agenda »: the address to paste into a calendar."""
    return render_to_string(
        "bookings/partner/_feed_panel.html", {"calendar_feed_url": partner_feed_url(partner)}
    )


def connect() -> None:
    hooks.dashboard_panels.connect(feed_panel, dispatch_uid="bookings.feed_panel")
