"""Money that comes in online (DESIGN §3, §9): a `Payment` per PaymentIntent, kept apart from
the booking's status, and every `StripeEvent` stored before it is processed."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from financing.models import money
from payments.enums import PaymentPurpose, PaymentStatus, StripeEventStatus


class Payment(BaseModel):
    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payments"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(max_length=20, choices=PaymentPurpose.choices)
    amount = money(_("montant"))
    amount_refunded = money(_("montant remboursé"), default=0)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    installment = models.ForeignKey(
        "financing.Installment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    # The ledger entry a succeeded instalment payment became (at most one, ever).
    loan_transaction = models.OneToOneField(
        "financing.LoanTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount} € ({self.status})"


class StripeEvent(models.Model):
    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"
