from django.db import models
from django.utils.translation import gettext_lazy as _


class Situation(models.TextChoices):
    RSA = "rsa", _("Allocataire du RSA")
    YOUTH_MISSION_LOCALE = "youth_mission_locale", _("Jeune suivi·e par une Mission Locale")
    JOBSEEKER = "jobseeker", _("Demandeur·euse d'emploi")
    SIAE_EMPLOYEE = "siae_employee", _("Salarié·e en insertion (SIAE)")
    OTHER = "other", _("Autre situation")


class BeneficiaryStatus(models.TextChoices):
    REFERRED = "referred", _("Orienté·e")
    DIAGNOSIS = "diagnosis", _("Diagnostic en cours")
    REINFORCED = "reinforced", _("Accompagnement renforcé")
    LIGHT_ADVICE = "light_advice", _("Conseil ponctuel")
    CLOSED = "closed", _("Sortie")


class FrenchLevel(models.TextChoices):
    NONE = "none", _("Pas de français")
    A1 = "A1", _("A1 — débutant")
    A2 = "A2", _("A2 — élémentaire")
    B1 = "B1", _("B1 — indépendant")
    B2_PLUS = "B2+", _("B2 ou plus — à l'aise")


FRENCH_LEVEL_ORDER = ["none", "A1", "A2", "B1", "B2+"]


class DrivingLicence(models.TextChoices):
    NONE = "none", _("Pas de permis")
    LEARNING = "learning", _("Permis en cours")
    CODE = "code", _("Code obtenu")
    B = "B", _("Permis B")
    OTHER = "other", _("Autre permis (AM, A...)")
    SUSPENDED = "suspended", _("Permis suspendu ou annulé")


class Vehicle(models.TextChoices):
    NONE = "none", _("Aucun")
    CAR = "car", _("Voiture")
    TWO_WHEELER = "two_wheeler", _("Deux-roues motorisé")
    BIKE = "bike", _("Vélo")
    BROKEN = "broken", _("Véhicule en panne")


class NationalityGroup(models.TextChoices):
    """DOMAIN §5: nationality only as FR / EU / non-EU, and only if needed."""

    UNKNOWN = "", _("Non renseigné")
    FR = "FR", _("Française")
    EU = "EU", _("Union européenne")
    NON_EU = "non_EU", _("Hors Union européenne")


class ReferralStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Envoyée")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    EXPIRED = "expired", _("Expirée")
    WITHDRAWN = "withdrawn", _("Retirée")


# DESIGN §4: submitted → accepted | refused | expired | withdrawn.
REFERRAL_TRANSITIONS = {
    ReferralStatus.SUBMITTED: {
        ReferralStatus.ACCEPTED, ReferralStatus.REFUSED, ReferralStatus.EXPIRED,
        ReferralStatus.WITHDRAWN,
    },
}  # fmt: skip


class RefusalReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Ne remplit pas les conditions")
    NO_PROFESSIONAL_PROJECT = "no_professional_project", _("Pas de projet professionnel défini")
    LANGUAGE_LEVEL = "language_level", _("Niveau de français insuffisant")
    DUPLICATE = "duplicate", _("Déjà suivi·e par la plateforme")
    OTHER = "other", _("Autre raison")


class BarrierCategory(models.TextChoices):
    FINANCIAL = "financial", _("Argent")
    MATERIAL = "material", _("Matériel (véhicule, équipement)")
    PHYSICAL = "physical", _("Santé, forme physique")
    COGNITIVE = "cognitive", _("Se repérer, lire une carte")
    ADMINISTRATIVE = "administrative", _("Démarches, papiers")
    PSYCHOLOGICAL = "psychological", _("Peur, stress")
    LANGUAGE = "language", _("Langue")


class DiagnosisDecision(models.TextChoices):
    LIGHT_ADVICE = "light_advice", _("Conseil ponctuel")
    REINFORCED = "reinforced", _("Accompagnement renforcé")


class FollowUpChannel(models.TextChoices):
    IN_PERSON = "in_person", _("En face à face")
    PHONE = "phone", _("Téléphone")
    VIDEO = "video", _("Visio")
    MESSAGE = "message", _("Message (SMS, e-mail)")


class OutcomeCode(models.TextChoices):
    DURABLE_EMPLOYMENT = "durable_employment", _("Emploi durable")
    TRANSITION_EMPLOYMENT = "transition_employment", _("Emploi de transition")
    TRAINING = "training", _("Formation qualifiante")
    POSITIVE_OTHER = "positive_other", _("Autre sortie positive")
    NONE = "none", _("Sans solution")
    UNKNOWN = "unknown", _("Inconnue")


class ConsentPurpose(models.TextChoices):
    DATA_PROCESSING = "data_processing", _("Traitement de ses données par la plateforme")
    SHARE_WITH_PRESCRIBER = "share_with_prescriber", _("Partage du suivi avec le prescripteur")
    SMS = "sms", _("Recevoir des SMS")


class ReferralSource(models.TextChoices):
    """Who sent the referral: a prescriber (fiche de repérage), or the person through the
    public « Être rappelé·e » page (issue 16)."""

    PRESCRIBER = "prescriber", _("Prescripteur")
    SELF = "self", _("Demande directe de la personne")


class HelpKind(models.TextChoices):
    """The four kinds of help the platform's partners give, in the person's words."""

    REPAIR = "repair", _("Faire réparer ma voiture ou mon scooter")
    RENTAL = "rental", _("Louer une voiture, un scooter ou un vélo")
    TRANSPORT = "transport", _("Être conduit·e à un rendez-vous")
    LICENCE = "licence", _("Passer le permis de conduire")


class ContactPreference(models.TextChoices):
    CALL = "call", _("Un appel")
    SMS = "sms", _("Un SMS")
    EMAIL = "email", _("Un e-mail")


class PrescriberKind(models.TextChoices):
    """The alert-givers of DOMAIN.md (§0 and the list of accompagnants)."""

    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    MISSION_LOCALE = "mission_locale", _("Mission Locale")
    CCAS = "ccas", _("CCAS / CIAS")
    DEPARTEMENT = "departement", _("Département (référent RSA)")
    CAF = "caf", _("CAF / MSA")
    SIAE = "siae", _("SIAE (insertion par l'activité économique)")
    FRANCE_SERVICES = "france_services", _("France Services")
    ASSOCIATION = "association", _("Association (Secours, Croix-Rouge, UDAF…)")
    OTHER = "other", _("Autre")
