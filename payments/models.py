"""Money that comes in online (DESIGN §3, §9): a `Payment` per PaymentIntent, kept apart from
the booking's status, its `Refund`s, the borrower's `SepaMandate`, and every `StripeEvent`
stored before it is processed."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from financing.models import money
from payments.enums import (
    OPEN,
    MandateStatus,
    PaymentPurpose,
    PaymentStatus,
    RefundReason,
    RefundStatus,
    StripeEventStatus,
)


def new_key() -> str:
    return uuid.uuid4().hex


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
    client_secret = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True, default=new_key)
    # An instalment is debited in numbered attempts: (instalment, attempt) is unique.
    attempt = models.PositiveSmallIntegerField(default=1)
    mandate = models.ForeignKey(
        "payments.SepaMandate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    method = models.CharField(_("moyen"), max_length=20, blank=True)  # card, sepa_debit
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    succeeded_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.UniqueConstraint(
                fields=["installment", "attempt"],
                condition=Q(installment__isnull=False),
                name="payment_one_per_installment_attempt",
            ),
            # Never two debits of one instalment on their way at once.
            models.UniqueConstraint(
                fields=["installment"],
                condition=Q(installment__isnull=False, status__in=OPEN),
                name="payment_one_open_per_installment",
            ),
            # A second click or a second tab reuses the open payment of a booking.
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(booking__isnull=False, status__in=OPEN),
                name="payment_one_open_per_booking",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount} € ({self.status})"

    @property
    def net(self):
        return self.amount - self.amount_refunded


class Refund(BaseModel):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = money(_("montant"))
    reason = models.CharField(max_length=20, choices=RefundReason.choices)
    note = models.CharField(_("motif"), max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Remboursement {self.amount} € ({self.status})"


class SepaMandate(BaseModel):
    """A borrower's SEPA direct-debit mandate, signed through a Stripe SetupIntent."""

    loan = models.ForeignKey("financing.Loan", on_delete=models.PROTECT, related_name="mandates")
    status = models.CharField(
        max_length=10, choices=MandateStatus.choices, default=MandateStatus.PENDING
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    setup_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    payment_method_id = models.CharField(max_length=255, blank=True)
    stripe_mandate_id = models.CharField(max_length=255, blank=True)
    iban_last4 = models.CharField(max_length=4, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"],
                condition=Q(status="active"),
                name="mandate_one_active_per_loan",
            ),
        ]

    def __str__(self) -> str:
        return f"Mandat SEPA prêt {self.loan_id} ({self.status})"


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
    # The Stripe object it is about (a PaymentIntent, SetupIntent, charge...), for the lists.
    object_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"], name="stripeevent_status")]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"
