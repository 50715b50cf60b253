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
