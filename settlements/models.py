"""Partner statements (« relevés »): what the platform owes a partner for a period.

A `SettlementLine` carries a booking (or an adjustment) with a denormalised `active` flag,
true while its statement is not cancelled; partial unique constraints on it keep a booking,
and an adjustment, in at most one non-cancelled statement — the database decides when two
finance officers build drafts at the same time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from financing.models import money
from settlements.enums import LineKind, SettlementStatus


class Settlement(BaseModel):
    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="settlements"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="settlements"
    )
    period_start = models.DateField(_("du"))
    period_end = models.DateField(_("au"))
    status = models.CharField(
        _("statut"), max_length=10, choices=SettlementStatus.choices,
        default=SettlementStatus.DRAFT, db_index=True,
    )  # fmt: skip
    reference = models.CharField(_("numéro"), max_length=32, blank=True)
    # Totals: what grants, loans and the platform cover; what the person paid online (the
    # platform collected it and passes it on); `total` is what the platform owes.
    total_funding = money(_("financements"), default=0)
    total_online = money(_("payé en ligne par les personnes"), default=0)
    total_direct = money(_("payé directement au partenaire"), default=0)
    total = money(_("total dû"), default=0)
    # The account paid, as it was when the statement was issued (and last transferred).
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("payé le"), null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(_("fichier de virement le"), null=True, blank=True)
    transfer_message_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("relevé partenaire")
        verbose_name_plural = _("relevés partenaires")
        ordering = ["-period_start", "partner_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "partner", "period_start"],
                condition=~Q(status=SettlementStatus.CANCELLED),
                name="one_statement_per_partner_and_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="settlement_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Relevé {self.pk}"


class SettlementAdjustment(BaseModel):
    """A correction of an issued statement, paid (or taken back) as a line of the partner's
    next statement."""

    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="adjustments")
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = money(_("montant (négatif : à reprendre)"))
    reason = models.CharField(_("motif"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount} € ({self.reason})"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT,
        related_name="settlement_lines",
    )  # fmt: skip
    adjustment = models.ForeignKey(
        SettlementAdjustment, null=True, blank=True, on_delete=models.PROTECT,
        related_name="lines",
    )  # fmt: skip
    # True while the statement is not cancelled (copied here for the constraints).
    active = models.BooleanField(default=True)
    reference = models.CharField(max_length=32)
    day = models.DateField()
    service_name = models.CharField(max_length=150, blank=True)
    units = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    unit = models.CharField(max_length=10, blank=True)
    solidarity_total = money(_("total solidaire"), default=0)
    grant = money(_("aides"), default=0)
    loan = money(_("prêt"), default=0)
    platform_share = money(_("plateforme"), default=0)
    beneficiary_share = money(_("part de la personne"), default=0)
    paid_online = money(_("payé en ligne"), default=0)
    paid_directly = money(_("payé directement"), default=0)
    owed = money(_("dû par la plateforme"), default=0)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(active=True) & Q(booking__isnull=False),
                name="booking_in_one_active_statement",
            ),
            models.UniqueConstraint(
                fields=["adjustment"], condition=Q(active=True) & Q(adjustment__isnull=False),
                name="adjustment_in_one_active_statement",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.reference} {self.owed} €"


class SettlementGrant(models.Model):
    """Which grant award a line's `grant` amount is (marking the statement paid pays it)."""

    line = models.ForeignKey(SettlementLine, on_delete=models.CASCADE, related_name="grants")
    award = models.ForeignKey(
        "financing.GrantAward", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    programme = models.ForeignKey(
        "financing.FundingProgramme", on_delete=models.PROTECT, related_name="+"
    )
    programme_name = models.CharField(max_length=200)
    amount = money(_("montant"))

    def __str__(self) -> str:
        return f"{self.programme_name} {self.amount} €"


class SettlementEvent(models.Model):
    """Append-only history of a statement's transitions."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.settlement_id}: {self.from_status} → {self.to_status}"
