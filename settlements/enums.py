from django.db import models
from django.utils.translation import gettext_lazy as _


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ISSUED = "issued", _("Émis")
    PAID = "paid", _("Payé")
    CANCELLED = "cancelled", _("Annulé")


# draft → issued → paid; a draft may be cancelled (its bookings are free again). An issued
# statement is never edited: a correction is an adjusting line of a later statement.
SETTLEMENT_TRANSITIONS = {
    SettlementStatus.DRAFT: {SettlementStatus.ISSUED, SettlementStatus.CANCELLED},
    SettlementStatus.ISSUED: {SettlementStatus.PAID},
}

# What a partner sees of its statements.
PARTNER_VISIBLE = (SettlementStatus.ISSUED, SettlementStatus.PAID)


class LineKind(models.TextChoices):
    BOOKING = "booking", _("Réservation réalisée")
    NO_SHOW = "no_show", _("Absence due au partenaire")
    ADJUSTMENT = "adjustment", _("Régularisation")
