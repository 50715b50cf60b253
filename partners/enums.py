from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerCategory(models.TextChoices):
    GARAGE = "garage", _("Garage solidaire")
    RENTAL = "rental", _("Location solidaire")
    TRANSPORT = "transport", _("Transport solidaire")
    DRIVING_SCHOOL = "driving_school", _("Auto-école sociale")


class PartnerStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    SUSPENDED = "suspended", _("Suspendu")


# A partner's status (core.transitions): the partner publishes its draft; the platform
# suspends and reinstates.
PARTNER_TRANSITIONS = {
    PartnerStatus.DRAFT: {PartnerStatus.PUBLISHED, PartnerStatus.SUSPENDED},
    PartnerStatus.PUBLISHED: {PartnerStatus.SUSPENDED},
    PartnerStatus.SUSPENDED: {PartnerStatus.PUBLISHED},
}


class ServiceUnit(models.TextChoices):
    HOUR = "hour", _("heure")
    DAY = "day", _("jour")
    WEEK = "week", _("semaine")
    MONTH = "month", _("mois")
    KM = "km", _("km")
    SESSION = "session", _("séance")
    FLAT = "flat", _("forfait")


class BookingMode(models.TextChoices):
    SLOT = "slot", _("Créneaux horaires")
    PERIOD = "period", _("Jours entiers (location)")


class ClosureReason(models.TextChoices):
    HOLIDAYS = "holidays", _("Congés")
    REPAIR = "repair", _("Véhicules en réparation")
    STAFF = "staff", _("Personnel absent")
    PUBLIC_HOLIDAY = "public_holiday", _("Jour férié")
    OTHER = "other", _("Autre")


WEEKDAY_LABELS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]
