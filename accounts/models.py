from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import InvitationStatus, OrganisationKind, PreferredChannel, Role
from accounts.managers import UserManager
from accounts.validators import validate_phone, validate_siret, validate_territory
from core.models import BaseModel
from core.phones import normalise_phone


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: staff of an organisation, or a beneficiary. Login is the e-mail."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    preferred_channel = models.CharField(
        _("canal préféré"),
        max_length=10,
        choices=PreferredChannel.choices,
        default=PreferredChannel.EMAIL,
    )
    language = models.CharField(
        _("langue"), max_length=10, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        self.phone = normalise_phone(self.phone)

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.phone = normalise_phone(self.phone)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class OrganisationQuerySet(models.QuerySet):
    def restrict(self, user) -> "OrganisationQuerySet":
        """Organisations this user may see: their own, and those attached to their platform."""
        from accounts.scoping import organisation_ids, platform_ids

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(pk__in=organisation_ids(user)) | models.Q(platform_id__in=platform_ids(user))
        )


class Organisation(BaseModel):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    platform = models.ForeignKey(
        "self",
        verbose_name=_("plateforme de rattachement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attached_organisations",
        limit_choices_to={"kind": OrganisationKind.PLATFORM},
        help_text=_(
            "La plateforme qui a accueilli ce partenaire, ce prescripteur ou ce financeur."
        ),
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    territory = models.CharField(
        _("département"), max_length=3, blank=True, validators=[validate_territory]
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(platform__isnull=True) | ~models.Q(kind="platform"),
                name="organisation_platform_not_nested",
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="organisation_geo_idx")]

    def __str__(self) -> str:
        return self.name


class Membership(BaseModel):
    user = models.ForeignKey(
        User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    # reporting: the share of a full-time post (the active-file norm is per full-time
    # referent, DOMAIN §0). 1.0 = full time.
    fte = models.DecimalField(
        _("temps de travail (ETP)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Part d'un temps plein : 1,00 = temps plein, 0,50 = mi-temps."),
    )

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class Invitation(BaseModel):
    """An e-mailed, signed, single-use invitation to join an organisation with a role."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invité par"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("acceptée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"
