from django.db import models
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    """The indicator families, in the order of the bilan (and of the API's keys)."""

    REFERRALS = "referrals", _("Orientations reçues")
    PEOPLE = "people", _("File active et diagnostics")
    FOLLOW_UP = "follow_up", _("Rythme du suivi")
    OUTCOMES = "outcomes", _("Sorties")
    BOOKINGS = "bookings", _("Réservations")
    SAVINGS = "savings", _("Économies réalisées")
    FINANCING = "financing", _("Financements")


class Unit(models.TextChoices):
    """How a figure is written: counts as integers, rates and days with one decimal, money
    with two (the API writes the last three as strings)."""

    COUNT = "count", _("nombre")
    PEOPLE = "people", _("nombre de personnes")  # a count of people: "< 5" when small
    RATE = "rate", _("pourcentage")
    DAYS = "days", _("jours")
    HOURS = "hours", _("heures")
    MONEY = "money", _("euros")


# Which families each dashboard shows (the adviser: their own file; finance: money).
ADMIN_FAMILIES = tuple(Family)
ADVISER_FAMILIES = (Family.PEOPLE, Family.FOLLOW_UP, Family.OUTCOMES, Family.BOOKINGS,
                    Family.SAVINGS)  # fmt: skip
FINANCE_FAMILIES = (Family.BOOKINGS, Family.SAVINGS, Family.FINANCING)

SMALL_COUNT = 5  # counts of people under this are written "< 5" where people could be told
