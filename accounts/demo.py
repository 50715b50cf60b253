"""Demo organisations and the nine demo accounts of DESIGN §11 (fictional people)."""

from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.services import membership_grant

DEMO_PASSWORD = "Mobilite-2026!"  # noqa: S105 — public demo password, documented in README


@dataclass
class DemoContext:
    platform: Organisation | None = None
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


PLATFORM = {
    "name": "Plateforme Mobilité Allier",
    "address": "1 avenue Victor Hugo",
    "commune": "Moulins",
    "postcode": "03000",
    "latitude": Decimal("46.565900"),
    "longitude": Decimal("3.332800"),
    "territory": "03",
}

ORGANISATIONS = {
    "garage": (
        OrganisationKind.PARTNER,
        "Garage solidaire du Bourbonnais",
        "Montluçon",
        "03100",
        "46.340800",
        "2.603400",
    ),
    "rental": (
        OrganisationKind.PARTNER,
        "Allier Mobilité Location solidaire",
        "Moulins",
        "03000",
        "46.566700",
        "3.333300",
    ),
    "transport": (
        OrganisationKind.PARTNER,
        "Transport solidaire Vichy Val d'Allier",
        "Vichy",
        "03200",
        "46.127600",
        "3.425900",
    ),
    "school": (
        OrganisationKind.PARTNER,
        "Auto-école sociale de Moulins",
        "Moulins",
        "03000",
        "46.561500",
        "3.328000",
    ),
    "france_travail": (
        OrganisationKind.PRESCRIBER,
        "France Travail — agence de Moulins",
        "Moulins",
        "03000",
        "46.563000",
        "3.321000",
    ),
    "mission_locale": (
        OrganisationKind.PRESCRIBER,
        "Mission Locale de Montluçon",
        "Montluçon",
        "03100",
        "46.342000",
        "2.601000",
    ),
    "ccas_vichy": (
        OrganisationKind.PRESCRIBER,
        "CCAS de Vichy",
        "Vichy",
        "03200",
        "46.128000",
        "3.426000",
    ),
    "departement": (
        OrganisationKind.FUNDER,
        "Département de l'Allier",
        "Moulins",
        "03000",
        "46.566000",
        "3.333000",
    ),
}

# email → (first name, last name, organisation key, role)
ACCOUNTS = {
    "admin@demo.test": ("Claire", "Dumas", "platform", Role.ADMIN),
    "adviser@demo.test": ("Karim", "Benali", "platform", Role.ADVISER),
    "finance@demo.test": ("Sophie", "Girard", "platform", Role.FINANCE_OFFICER),
    "garage@demo.test": ("Marc", "Perrin", "garage", Role.PARTNER_MANAGER),
    "rental@demo.test": ("Nadia", "Lopes", "rental", Role.PARTNER_MANAGER),
    "transport@demo.test": ("Jean", "Auclair", "transport", Role.PARTNER_MANAGER),
    "school@demo.test": ("Isabelle", "Roche", "school", Role.PARTNER_MANAGER),
    "prescriber@demo.test": ("Thomas", "Vidal", "france_travail", Role.PRESCRIBER),
    "beneficiary@demo.test": ("Léa", "Martin", None, None),
}


def _demo_user(email: str, first_name: str, last_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"primary": True, "verified": True}
    )
    return user


def seed_accounts() -> DemoContext:
    ctx = DemoContext()
    platform, _ = Organisation.objects.update_or_create(
        kind=OrganisationKind.PLATFORM, name=PLATFORM["name"], defaults=PLATFORM
    )
    ctx.platform = platform
    ctx.organisations["platform"] = platform
    for key, (kind, name, commune, postcode, lat, lon) in ORGANISATIONS.items():
        ctx.organisations[key], _ = Organisation.objects.update_or_create(
            kind=kind,
            name=name,
            defaults={
                "commune": commune,
                "postcode": postcode,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "territory": "03",
                "platform": platform,
            },
        )
    for email, (first_name, last_name, org_key, role) in ACCOUNTS.items():
        extra = {"is_staff": True, "is_superuser": True} if role == Role.ADMIN else {}
        user = _demo_user(email, first_name, last_name, **extra)
        ctx.users[email] = user
        if org_key is not None:
            membership_grant(user=user, organisation=ctx.organisations[org_key], role=role)
    return ctx
