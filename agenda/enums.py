from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    OFFICE = "office", _("Locaux de la plateforme")
    CMS = "cms", _("Centre médico-social")
    FRANCE_SERVICES = "france_services", _("France Services")
    TOWN_HALL = "town_hall", _("Mairie")
    MOBILE = "mobile", _("Espace mobile")
    OTHER = "other", _("Autre lieu")


class KindCategory(models.TextChoices):
    """What an appointment kind is for. Durations and seats are the kind's data."""

    DIAGNOSTIC = "diagnostic", _("Diagnostic mobilité")
    FOLLOW_UP = "follow_up", _("Rendez-vous de suivi")
    COLLECTIVE = "collective", _("Séance collective")
    OUTREACH = "outreach", _("Permanence « aller vers »")


# Kinds given by the advisers' weekly rules; the others are sessions set one by one.
RULE_CATEGORIES = (KindCategory.DIAGNOSTIC, KindCategory.FOLLOW_UP)
SESSION_CATEGORIES = (KindCategory.COLLECTIVE, KindCategory.OUTREACH)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Prévu")
    ATTENDED = "attended", _("Venu·e")
    NO_SHOW = "no_show", _("Absent·e")
    CANCELLED = "cancelled", _("Annulé")


APPOINTMENT_TRANSITIONS = {
    AppointmentStatus.BOOKED: {
        AppointmentStatus.ATTENDED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED,
    },
    # An attendance recorded by mistake can be corrected, both ways.
    AppointmentStatus.ATTENDED: {AppointmentStatus.NO_SHOW},
    AppointmentStatus.NO_SHOW: {AppointmentStatus.ATTENDED},
    AppointmentStatus.CANCELLED: set(),
}
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)


class CancelledBy(models.TextChoices):
    ADVISER = "adviser", _("la plateforme")
    PERSON = "person", _("la personne")


class ClosureReason(models.TextChoices):
    HOLIDAYS = "holidays", _("Congés")
    TRAINING = "training", _("Formation")
    PLACE_CLOSED = "place_closed", _("Lieu fermé")
    PUBLIC_HOLIDAY = "public_holiday", _("Jour férié")
    OTHER = "other", _("Autre")
