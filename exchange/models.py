from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from exchange.enums import DeliveryStatus


class WebhookSubscription(BaseModel):
    """An organisation's endpoint, signed with its own secret (Standard Webhooks), that
    hears the events it chose. Disabled after `WEBHOOK_DISABLE_AFTER_FAILURES` failed
    attempts in a row; an admin re-enables it."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("adresse (URL)"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("évènements"), default=list)
    # The signing secret (`whsec_` + base64): needed in clear to sign, shown once.
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0)
    disabled_at = models.DateTimeField(_("désactivée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("abonnement webhook")
        verbose_name_plural = _("abonnements webhook")
        ordering = ["organisation_id", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.url}"


class WebhookDelivery(BaseModel):
    """One message to one subscription: the outbox row, written in the transaction of the
    event, sent after commit, retried with exponential back-off until it is received or
    `WEBHOOK_MAX_ATTEMPTS` attempts failed."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("abonnement"), on_delete=models.CASCADE,
        related_name="deliveries",
    )  # fmt: skip
    event_type = models.CharField(_("évènement"), max_length=60)
    payload = models.JSONField(_("contenu"))
    webhook_id = models.CharField(_("identifiant du message"), max_length=40, db_index=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )  # fmt: skip
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    response_code = models.PositiveIntegerField(_("code de réponse"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("reçue le"), null=True, blank=True)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )

    class Meta:
        verbose_name = _("envoi webhook")
        verbose_name_plural = _("envois webhook")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id} ({self.status})"
