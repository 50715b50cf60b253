"""What financing plugs into the apps below it (`bookings.hooks`), connected by
`FinancingConfig.ready()`: a booking that stops holding its places gives its grants back
(in the transition's transaction), and the booking's page shows its financing plan."""

from django.template.loader import render_to_string

from bookings import hooks
from financing.services import plan_release_for_booking
from financing.views_plan import financing_summary


def release_grants(sender, *, booking, **kwargs) -> None:
    plan_release_for_booking(booking=booking)


def plan_panel(sender, *, booking, request, **kwargs) -> str:
    """The « Financement » card of the booking's page: who pays what, and the link to the plan
    for those who may build it."""
    summary = financing_summary(booking, user=request.user)
    return render_to_string("financing/_booking_panel.html", {"financing": summary})


def connect() -> None:
    hooks.places_released.connect(release_grants, dispatch_uid="financing.release_grants")
    hooks.booking_page_panels.connect(plan_panel, dispatch_uid="financing.plan_panel")
