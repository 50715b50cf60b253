"""The prescribers' network (issue 16): what the platform knows of each prescriber
organisation beyond `accounts.Organisation` — its kind (DOMAIN's alert-givers) and a contact."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_phone
from beneficiaries.enums import PrescriberKind
from core.models import BaseModel


class PrescriberProfile(BaseModel):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prescriber_profile"
    )
    kind = models.CharField(
        _("type de structure"), max_length=20, choices=PrescriberKind.choices,
        default=PrescriberKind.OTHER,
    )  # fmt: skip
    contact_name = models.CharField(_("personne à contacter"), max_length=150, blank=True)
    contact_phone = models.CharField(
        _("téléphone"), max_length=20, blank=True, validators=[validate_phone]
    )
    contact_email = models.EmailField(_("adresse e-mail"), blank=True)

    class Meta:
        verbose_name = _("prescripteur")
        verbose_name_plural = _("prescripteurs")

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.kind})"
