from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    """Stable codes of domain errors, shared by the API and the pages. `invalid` is for plain
    input validation; every other refusal has its own code (tests/test_error_codes.py)."""

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
    LINK_EXPIRED = "link_expired", _("Lien expiré")
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", _("Clé d'idempotence déjà utilisée")
    # Bookings
    BENEFICIARY_CLOSED = "beneficiary_closed", _("Accompagnement terminé")
    ALREADY_BOOKED = "already_booked", _("Déjà réservé pour cette personne")
    MIN_NOTICE = "min_notice", _("Délai de prévenance trop court")
    MAX_ADVANCE = "max_advance", _("Réservation trop longtemps à l'avance")
    PERIOD_INCOMPLETE = "period_incomplete", _("Location sans tous ses jours")
    CANCELLATION_CUTOFF = "cancellation_cutoff", _("Trop tard pour annuler")
    NOT_STARTED = "not_started", _("Pas encore commencé")
    CAPACITY_MISMATCH = "capacity_mismatch", _("Compteur de places incohérent")
    # Waiting lists and the front door (issue 16)
    ALREADY_WAITING = "already_waiting", _("Déjà sur la liste d'attente")
    OFFER_EXPIRED = "offer_expired", _("Proposition expirée")
    WAITLIST_NOT_AVAILABLE = "waitlist_not_available", _("Pas de liste d'attente pour ce service")
    TOO_MANY_REQUESTS = "too_many_requests", _("Trop de demandes")
    # Partners
    PUBLICATION_INCOMPLETE = "publication_incomplete", _("Informations manquantes pour publier")
    SERVICE_HAS_BOOKINGS = "service_has_bookings", _("Service déjà réservé")
    # Beneficiaries
    NO_PLATFORM = "no_platform", _("Organisation rattachée à aucune plateforme")
    CONSENT_MISSING = "consent_missing", _("Accord de la personne manquant")
    # Financing
    PROGRAMME_CLOSED = "programme_closed", _("Enveloppe fermée")
    NOT_ELIGIBLE = "not_eligible", _("Non éligible")
    CAP_EXCEEDED = "cap_exceeded", _("Plafond par personne dépassé")
    PAID_EXCEEDS_COMMITTED = "paid_exceeds_committed", _("Versé supérieur à l'engagé")
    NOT_REVERSIBLE = "not_reversible", _("Écriture impossible à annuler")
    # Exchange (webhooks)
    WEBHOOK_DISABLED = "webhook_disabled", _("Abonnement désactivé")
    # Settlements
    ALREADY_SETTLED = "already_settled", _("Déjà sur un relevé")
    BANK_DETAILS_MISSING = "bank_details_missing", _("Coordonnées bancaires manquantes")
    BANK_DETAILS_UNAPPROVED = "bank_details_unapproved", _("Coordonnées bancaires à valider")
    NOTHING_TO_TRANSFER = "nothing_to_transfer", _("Rien à virer")
    # Payments (Stripe)
    PAYMENTS_DISABLED = "payments_disabled", _("Paiement en ligne désactivé")
    NOTHING_TO_PAY = "nothing_to_pay", _("Rien à payer")
    PAYMENT_PROVIDER_UNAVAILABLE = (
        "payment_provider_unavailable",
        _("Prestataire de paiement indisponible"),
    )
    PAYMENT_PROVIDER_REFUSED = "payment_provider_refused", _("Opération refusée par le prestataire")
    CARD_DECLINED = "card_declined", _("Carte refusée")
    REFUND_TOO_LARGE = "refund_too_large", _("Remboursement supérieur au payé")
    # agenda (issue 16: the platform's own appointments)
    SLOT_PASSED = "slot_passed", _("Créneau déjà passé")
    FOLLOW_UP_TOO_LATE = "follow_up_too_late", _("Suivi trop tardif")
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
    # SMS: what the provider's delivery report says, and an SMS the person did not agree to.
    DELIVERED = "delivered", _("Remise")
    UNDELIVERED = "undelivered", _("Non remise")
    REFUSED = "refused", _("Non envoyée (pas d'accord pour les SMS)")
