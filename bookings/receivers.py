"""What bookings plugs into its own and lower apps' extension points, connected by
`BookingsConfig.ready()`: a partner's dashboard shows the address of its private calendar
feed of bookings; places freed by a booking or added by slot regeneration go to the waiting
list (issue 16)."""

from django.db import transaction
from django.template.loader import render_to_string

from beneficiaries import hooks as beneficiary_hooks
from bookings import hooks as booking_hooks
from bookings.feeds import partner_feed_url
from partners import hooks


def feed_panel(sender, *, partner, request, **kwargs) -> str:
    """« Vos réservations dans votre agenda »: the address to paste into a calendar."""
    return render_to_string(
        "bookings/partner/_feed_panel.html", {"calendar_feed_url": partner_feed_url(partner)}
    )


def _offer_after_commit(service_ids) -> None:
    from bookings.models_waitlist import WaitingListEntry
    from bookings.tasks import waitlist_offer_places

    waiting = set(
        WaitingListEntry.objects.filter(service_id__in=list(service_ids), status="waiting")
        .values_list("service_id", flat=True)
        .distinct()
    )
    for service_id in sorted(waiting):
        transaction.on_commit(lambda s=service_id: waitlist_offer_places.delay(s), robust=True)


def places_freed(sender, *, booking, **kwargs) -> None:
    """A booking gave its places back: after commit, offer them to the people in line."""
    _offer_after_commit([booking.service_id])


def capacity_added(sender, *, service_ids, **kwargs) -> None:
    """Slot regeneration added or widened slots: offer them to the people in line."""
    _offer_after_commit(service_ids)


def export_bookings(sender, *, beneficiary, **kwargs) -> dict:
    """The person's export: their bookings with the partners, and their waiting lines."""
    from bookings.selectors import bookings_export_rows
    from bookings.selectors_waitlist import waitlist_export_rows

    return {
        "bookings": bookings_export_rows(beneficiary_id=beneficiary.pk),
        "waiting_list": waitlist_export_rows(beneficiary_id=beneficiary.pk),
    }


def anonymised(sender, *, beneficiary, now, **kwargs) -> None:
    from bookings.services_waitlist import waitlist_entries_of_person_close

    waitlist_entries_of_person_close(beneficiary_id=beneficiary.pk, now=now)


def connect() -> None:
    beneficiary_hooks.person_exported.connect(
        export_bookings, dispatch_uid="bookings.export_bookings"
    )
    beneficiary_hooks.person_anonymised.connect(anonymised, dispatch_uid="bookings.anonymised")
    hooks.dashboard_panels.connect(feed_panel, dispatch_uid="bookings.feed_panel")
    booking_hooks.places_released.connect(places_freed, dispatch_uid="bookings.waitlist_freed")
    hooks.capacity_added.connect(capacity_added, dispatch_uid="bookings.waitlist_capacity")
