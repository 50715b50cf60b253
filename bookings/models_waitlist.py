"""Waiting lists (issue 16). An entry puts a person in line for a target: a partner
`Service`, or a collective session of the platform's agenda (`agenda.AgendaSlot`). Each
target is a nullable foreign key, the check constraint saying that exactly one is set. The
session's key is a reference by name only: bookings never imports the agenda, which
registers what a session offer does (`bookings.waitlist_targets`) from its `ready()`.

An offer *holds* the place it proposes: it takes it from the slot's (or session's) counter
with the same conditional update as a booking (`bookings.capacity.take`), so no one else — another
person in line, an adviser booking from the catalogue — can take it while the offer runs.
Accepting gives the place back and books it in the same transaction (the slot's row stays
locked in between); declining or expiring gives it back and offers it to the next in line.
So two people never hold the same place, and the capacity invariant reads
`reserved == Σ holding bookings + Σ holding offers` (`bookings.capacity_check`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.enums_waitlist import EntryStatus, OfferStatus
from core.models import BaseModel


class WaitingListEntry(BaseModel):
    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="waiting_list_entries"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.CASCADE, related_name="waiting_list_entries"
    )
    service = models.ForeignKey(
        "partners.Service", on_delete=models.CASCADE, null=True, blank=True,
        related_name="waiting_list_entries", verbose_name=_("service"),
    )  # fmt: skip
    session = models.ForeignKey(
        "agenda.AgendaSlot", on_delete=models.CASCADE, null=True, blank=True,
        related_name="waiting_list_entries", verbose_name=_("séance collective"),
    )  # fmt: skip
    wanted_from = models.DateField(_("à partir du"))
    wanted_until = models.DateField(_("jusqu'au"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.WAITING,
        db_index=True,
    )  # fmt: skip
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscription en liste d'attente")
        verbose_name_plural = _("listes d'attente")
        ordering = ["created_at", "pk"]  # first come, first served
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False, session__isnull=True)
                | Q(service__isnull=True, session__isnull=False),
                name="waitlist_entry_has_target",
            ),
            models.CheckConstraint(
                condition=Q(wanted_until__gte=models.F("wanted_from")),
                name="waitlist_entry_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "service"],
                condition=Q(status__in=[EntryStatus.WAITING, EntryStatus.OFFERED]),
                name="waitlist_entry_one_live_per_target",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "session"],
                condition=Q(status__in=[EntryStatus.WAITING, EntryStatus.OFFERED]),
                name="waitlist_entry_one_live_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "status", "created_at"]),
            models.Index(fields=["session", "status", "created_at"]),
        ]

    def __str__(self) -> str:
        target = f"service {self.service_id}" if self.service_id else f"session {self.session_id}"
        return f"{self.beneficiary_id} → {target} ({self.status})"


class WaitingListOffer(BaseModel):
    entry = models.ForeignKey(WaitingListEntry, on_delete=models.CASCADE, related_name="offers")
    # A partner's slot (a session's offer holds a seat of the entry's session: no slot).
    # SET_NULL: a slot is deleted by regeneration only once nothing holds it.
    slot = models.ForeignKey(
        "partners.Slot", null=True, on_delete=models.SET_NULL, related_name="waitlist_offers"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED, db_index=True
    )
    holding = models.BooleanField(default=True)  # the offer holds one place of the slot
    expires_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status=OfferStatus.OFFERED),
                name="waitlist_one_open_offer_per_entry",
            ),
            models.CheckConstraint(
                condition=Q(holding=False) | Q(status=OfferStatus.OFFERED),
                name="waitlist_offer_holds_only_while_open",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"offer {self.pk} ({self.status})"
