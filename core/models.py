from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.enums import NotificationChannel, NotificationStatus


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditLog(models.Model):
    """Append-only record of who did what to which object."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    target_id = models.CharField(_("identifiant"), max_length=64, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class Notification(BaseModel):
    """Outbox row: written in the transaction of the event, sent by a task after commit."""

    channel = models.CharField(_("canal"), max_length=10, choices=NotificationChannel.choices)
    recipient = models.CharField(_("destinataire"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    template = models.CharField(_("modèle"), max_length=150)
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    body = models.TextField(_("texte"))
    html_body = models.TextField(_("texte HTML"), blank=True)
    status = models.CharField(
        _("statut"),
        max_length=12,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    # SMS: how the text was sent (core.sms_text) and the provider's delivery report.
    encoding = models.CharField(_("codage"), max_length=5, blank=True)
    segments = models.PositiveSmallIntegerField(_("segments"), null=True, blank=True)
    provider_id = models.CharField(_("identifiant chez le fournisseur"), max_length=100,
                                   blank=True, db_index=True)  # fmt: skip
    delivered_at = models.DateTimeField(_("remise le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.template})"


class SmsOptOut(BaseModel):
    """A number that answered STOP (or was opted out by hand): no SMS goes to it, whoever
    writes, until the person's SMS consent is recorded again."""

    phone = models.CharField(_("téléphone"), max_length=20, unique=True)
    source = models.CharField(_("origine"), max_length=20)

    class Meta:
        verbose_name = _("opposition aux SMS")
        verbose_name_plural = _("oppositions aux SMS")

    def __str__(self) -> str:
        return f"{self.phone} ({self.source})"


class Commune(models.Model):
    """A French commune: INSEE code, name, postcodes and the coordinates of its centre."""

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    search_name = models.CharField(_("nom normalisé"), max_length=120, db_index=True)
    department = models.CharField(_("département"), max_length=3, db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"


class CommunePostcode(models.Model):
    """One postcode of a commune (a commune may have several; a postcode several communes)."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="postcodes"
    )
    postcode = models.CharField(_("code postal"), max_length=5, db_index=True)

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [
            models.UniqueConstraint(fields=["commune", "postcode"], name="commune_postcode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.postcode} {self.commune.name}"
