"""Extension points of partners for the apps above it, which plug into them from their
`AppConfig.ready()` (partners never imports them). They are Django signals:

- `dashboard_panels(partner, request)`: asked while a partner's dashboard is rendered; each
  receiver returns the HTML of one panel (a `<section class="card">`), or "" to show
  nothing. Bookings shows the partner's private calendar feed here.
- `capacity_added(service_ids)`: sent inside the transaction of a slot regeneration that
  created slots or changed capacities of these services. Bookings offers the new places to
  the people on the services' waiting lists (after commit).
"""

from django.dispatch import Signal
from django.utils.safestring import SafeString

from partners.models import Partner

dashboard_panels = Signal()
capacity_added = Signal()


def partner_dashboard_panels(*, partner: Partner, request) -> list[SafeString]:
    """The panels other apps add to the partner's dashboard, in the order they registered."""
    answers = dashboard_panels.send(sender=Partner, partner=partner, request=request)
    return [html for _receiver, html in answers if html]
