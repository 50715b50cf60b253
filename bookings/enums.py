from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandée")
    CONFIRMED = "confirmed", _("Confirmée")
    COMPLETED = "completed", _("Réalisée")
    DECLINED = "declined", _("Refusée par le partenaire")
    EXPIRED = "expired", _("Sans réponse (expirée)")
    CANCELLED = "cancelled", _("Annulée")
    NO_SHOW = "no_show", _("Personne absente")


# Statuses that hold capacity (DESIGN §4).
HOLDING = frozenset(
    {BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.COMPLETED,
     BookingStatus.NO_SHOW}
)  # fmt: skip

# Allowed transitions: from → {to}.
TRANSITIONS = {
    BookingStatus.REQUESTED: {
        BookingStatus.CONFIRMED, BookingStatus.DECLINED, BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.CONFIRMED: {
        BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW,
    },
}  # fmt: skip


class ActorRole(models.TextChoices):
    ADVISER = "adviser", _("Conseiller·ère")
    PARTNER = "partner", _("Partenaire")
    BENEFICIARY = "beneficiary", _("Personne accompagnée")
    SYSTEM = "system", _("Système")
