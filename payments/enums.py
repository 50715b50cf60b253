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


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", _("Reçu")
    PROCESSED = "processed", _("Traité")
    FAILED = "failed", _("En échec")
