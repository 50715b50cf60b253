from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentPurpose(models.TextChoices):
    BENEFICIARY_SHARE = "beneficiary_share", _("Reste à charge")
    INSTALLMENT = "installment", _("Échéance de prêt")


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Créé")
    PENDING = "pending", _("En cours")
    SUCCEEDED = "succeeded", _("Réussi")
    FAILED = "failed", _("Échoué")
    CANCELLED = "cancelled", _("Annulé")
    REFUNDED = "refunded", _("Remboursé")


# Where a payment may go from each status (core.transitions). A failed card payment may still
# succeed with another card on the same PaymentIntent; a succeeded one only gets refunded.
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.CREATED: {
        PaymentStatus.PENDING, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
    },
    PaymentStatus.PENDING: {
        PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED,
    },
    PaymentStatus.FAILED: {
        PaymentStatus.PENDING, PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED,
    },
    PaymentStatus.SUCCEEDED: {PaymentStatus.REFUNDED},
    # An intent we gave up on may still have been paid at that moment: the money counts.
    PaymentStatus.CANCELLED: {PaymentStatus.SUCCEEDED},
    PaymentStatus.REFUNDED: set(),
}  # fmt: skip

OPEN = (PaymentStatus.CREATED, PaymentStatus.PENDING)


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", _("Reçu")
    PROCESSED = "processed", _("Traité")
    IGNORED = "ignored", _("Sans objet")
    FAILED = "failed", _("En échec")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("En cours")
    SUCCEEDED = "succeeded", _("Remboursé")
    FAILED = "failed", _("En échec")


class RefundReason(models.TextChoices):
    BOOKING_ENDED = "booking_ended", _("Rendez-vous annulé, refusé ou expiré")
    MANUAL = "manual", _("Remboursement manuel")


class MandateStatus(models.TextChoices):
    PENDING = "pending", _("En attente de signature")
    ACTIVE = "active", _("Actif")
    INACTIVE = "inactive", _("Révoqué")


# The events the webhook acts on; others are stored and marked as without object.
HANDLED_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
    "charge.refunded",
    "refund.updated",
    "setup_intent.succeeded",
    "setup_intent.setup_failed",
    "mandate.updated",
)
