from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PLATFORM = "platform", _("Plateforme de mobilité")
    PARTNER = "partner", _("Partenaire")
    PRESCRIBER = "prescriber", _("Prescripteur")
    FUNDER = "funder", _("Financeur")


class Role(models.TextChoices):
    ADMIN = "admin", _("Coordination (administration)")
    ADVISER = "adviser", _("Conseiller·ère mobilité")
    FINANCE_OFFICER = "finance_officer", _("Chargé·e de financement")
    PARTNER_MANAGER = "partner_manager", _("Responsable partenaire")
    PARTNER_STAFF = "partner_staff", _("Équipe partenaire")
    PRESCRIBER = "prescriber", _("Prescripteur")
    # reporting: a funder's member reads the aggregated figures of the programmes it pays for.
    FUNDER = "funder", _("Financeur (bilans)")


# Which roles a membership may carry in each kind of organisation.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.PLATFORM: frozenset({Role.ADMIN, Role.ADVISER, Role.FINANCE_OFFICER}),
    OrganisationKind.PARTNER: frozenset({Role.PARTNER_MANAGER, Role.PARTNER_STAFF}),
    OrganisationKind.PRESCRIBER: frozenset({Role.PRESCRIBER}),
    OrganisationKind.FUNDER: frozenset({Role.FUNDER}),
}

PLATFORM_ROLES = ROLES_BY_KIND[OrganisationKind.PLATFORM]
PARTNER_ROLES = ROLES_BY_KIND[OrganisationKind.PARTNER]


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REVOKED = "revoked", _("Annulée")
