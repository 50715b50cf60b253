from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SUCCEEDED = "succeeded", _("Reçue")
    FAILED = "failed", _("Échec")
