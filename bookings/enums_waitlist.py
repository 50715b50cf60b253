"""Waiting lists (issue 16): the states of an entry and of an offer, and their tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("En attente")
    OFFERED = "offered", _("Place proposée")
    BOOKED = "booked", _("Réservée")
    REMOVED = "removed", _("Retirée de la liste")


# waiting → offered (a place is held for the person) → booked; an offer declined or expired
# puts the entry back in line (waiting); an adviser (or the person) may remove it meanwhile.
ENTRY_TRANSITIONS = {
    EntryStatus.WAITING: {EntryStatus.OFFERED, EntryStatus.REMOVED},
    EntryStatus.OFFERED: {EntryStatus.BOOKED, EntryStatus.WAITING, EntryStatus.REMOVED},
}


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    EXPIRED = "expired", _("Sans réponse")
    WITHDRAWN = "withdrawn", _("Retirée")


OFFER_TRANSITIONS = {
    OfferStatus.OFFERED: {
        OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.WITHDRAWN,
    },
}  # fmt: skip
