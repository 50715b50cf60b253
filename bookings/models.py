import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.enums import ActorRole, BookingStatus
from core.models import BaseModel

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read aloud


def new_reference() -> str:
    part = lambda: "".join(secrets.choice(ALPHABET) for _ in range(4))  # noqa: E731
    return f"SM-{part()}-{part()}"


class Booking(BaseModel):
    reference = models.CharField(_("référence"), max_length=12, unique=True, default=new_reference)
    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="bookings"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(
        "partners.Service", on_delete=models.PROTECT, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("nombre de places"), default=1)
    units = models.DecimalField(_("unités facturées"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("prix solidaire unitaire"), max_digits=12, decimal_places=2)
    market_unit_price = models.DecimalField(
        _("prix du marché unitaire"), max_digits=12, decimal_places=2
    )
    total_price = models.DecimalField(_("total solidaire"), max_digits=12, decimal_places=2)
    market_total = models.DecimalField(
        _("total au prix du marché"), max_digits=12, decimal_places=2
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=BookingStatus.choices,
        default=BookingStatus.REQUESTED, db_index=True,
    )  # fmt: skip
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"))
    note_for_partner = models.TextField(_("message pour le partenaire"), blank=True)
    decline_reason = models.CharField(_("motif du refus"), max_length=255, blank=True)
    cancellation_reason = models.CharField(_("motif d'annulation"), max_length=255, blank=True)
    cancelled_by = models.CharField(
        _("annulée par"), max_length=12, choices=ActorRole.choices, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["starts_at", "pk"]
        # A platform's bookings of a period (the indicators, the platform's lists).
        indexes = [models.Index(fields=["platform", "starts_at"], name="booking_platform_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="booking_quantity_positive"),
            models.CheckConstraint(
                condition=Q(total_price__gte=0) & Q(market_total__gte=0) & Q(units__gte=0),
                name="booking_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class BookingSlot(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="booking_slots")
    # A slot freed by a cancelled booking may be removed by regeneration: the history keeps
    # the booking's own dates.
    slot = models.ForeignKey(
        "partners.Slot", null=True, on_delete=models.SET_NULL, related_name="booking_slots"
    )
    quantity = models.PositiveIntegerField(default=1)
    # The booking's person and whether it holds its places, copied here so that the database
    # itself refuses a second active booking of one person on one slot (DESIGN §5's guard,
    # for people): set at creation, `holding` cleared by the transition that releases.
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.PROTECT, related_name="+"
    )
    holding = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "slot"], name="booking_slot_unique"),
            models.UniqueConstraint(
                fields=["slot", "beneficiary"],
                condition=models.Q(holding=True),
                name="one_active_booking_per_person_and_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} × {self.slot_id} ({self.quantity})"


class BookingEvent(models.Model):
    """Append-only history of a booking's transitions."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    actor_role = models.CharField(max_length=12, choices=ActorRole.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    # When the notifications of this event were written (after commit, by a task); null while
    # they are still to be written. Events that tell nobody are born notified.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(
                fields=["at"], condition=Q(notified_at__isnull=True),
                name="bookingevent_unnotified_idx",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status} → {self.to_status}"


class IdempotencyRecord(models.Model):
    """The answer given to one (user, Idempotency-Key) for 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# Waiting lists (issue 16) live in their own module; imported here so Django finds them.
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer  # noqa: E402, F401
