from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    """Stable codes of domain errors, shared by the API and the pages."""

    INVALID = "invalid", _("Données invalides")
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
    NOT_ELIGIBLE = "not_eligible", _("Non éligible")
    CAP_EXCEEDED = "cap_exceeded", _("Plafond dépassé")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", _("Clé d'idempotence déjà utilisée")
    # The codes of Django REST framework's own errors, which the API answers in the same shape.
    NOT_AUTHENTICATED = "not_authenticated", _("Connexion requise")
    AUTHENTICATION_FAILED = "authentication_failed", _("Authentification refusée")
    THROTTLED = "throttled", _("Trop de requêtes")
    PARSE_ERROR = "parse_error", _("Requête illisible")
    METHOD_NOT_ALLOWED = "method_not_allowed", _("Méthode non permise")
    NOT_ACCEPTABLE = "not_acceptable", _("Format de réponse indisponible")
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", _("Format de requête non pris en charge")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")
