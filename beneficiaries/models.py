"""The person a platform supports. The journey (referrals, diagnosis, plan...) builds on it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_phone, validate_phone
from beneficiaries.enums import BeneficiaryStatus, Situation
from core.models import BaseModel


class Beneficiary(BaseModel):
    platform = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("plateforme"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        limit_choices_to={"kind": "platform"},
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseiller·ère"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_beneficiaries",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="beneficiary",
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("adresse e-mail"), blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    situation = models.CharField(
        _("situation"), max_length=30, choices=Situation.choices, default=Situation.OTHER
    )
    status = models.CharField(
        _("étape"),
        max_length=20,
        choices=BeneficiaryStatus.choices,
        default=BeneficiaryStatus.REFERRED,
        db_index=True,
    )

    class Meta:
        verbose_name = _("personne accompagnée")
        verbose_name_plural = _("personnes accompagnées")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.phone = normalize_phone(self.phone)
        super().save(*args, **kwargs)
