from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    """Stable codes of domain errors, shared by the API and the pages."""

    INVALID = "invalid", _("Données invalides")
    MALFORMED_REQUEST = "malformed_request", _("Requête illisible")
    REQUEST_TOO_LARGE = "request_too_large", _("Requête trop volumineuse")
    INVALID_CREDENTIALS = "invalid_credentials", _("Identifiants incorrects")
    MFA_REQUIRED = "mfa_required", _("Code de double authentification requis")
    EMAIL_UNVERIFIED = "email_unverified", _("Adresse e-mail non confirmée")
    TOO_MANY_ATTEMPTS = "too_many_attempts", _("Trop de tentatives")
    NOT_FOUND = "not_found", _("Introuvable")
    PERMISSION_DENIED = "permission_denied", _("Accès refusé")
    INVALID_TRANSITION = "invalid_transition", _("Changement d'état impossible")
    SLOT_FULL = "slot_full", _("Créneau complet")
    BUDGET_EXCEEDED = "budget_exceeded", _("Budget dépassé")
    DUPLICATE_BENEFICIARY = "duplicate_beneficiary", _("Personne déjà suivie")
    INVITATION_INVALID = "invitation_invalid", _("Invitation invalide")
    AMBIGUOUS_PLACE = "ambiguous_place", _("Plusieurs communes possibles")
    ROLE_NOT_ALLOWED = "role_not_allowed", _("Rôle non autorisé")
    ALREADY_MEMBER = "already_member", _("Déjà membre")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")
