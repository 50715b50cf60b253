"""Forms of the network and rules pages (platform admins)."""

from django import forms
from django.utils.translation import gettext_lazy

from accounts.validators import validate_phone, validate_siret
from beneficiaries.enums import FrenchLevel, PrescriberKind, Situation
from core.forms import checkboxes, section


class OrganisationForm(forms.Form):
    layout = (
        section("structure", gettext_lazy("La structure"), "name", "address",
                ("postcode", "commune"), "siret"),
    )  # fmt: skip

    name = forms.CharField(label=gettext_lazy("Nom"), max_length=200)
    address = forms.CharField(label=gettext_lazy("Adresse"), max_length=255, required=False)
    postcode = forms.CharField(label=gettext_lazy("Code postal"), max_length=5, required=False)
    commune = forms.CharField(label=gettext_lazy("Commune"), max_length=120, required=False)
    siret = forms.CharField(
        label=gettext_lazy("SIRET (facultatif)"), max_length=14, required=False,
        validators=[validate_siret],
    )  # fmt: skip


class PrescriberForm(OrganisationForm):
    layout = (
        section("structure", gettext_lazy("La structure"), "name", "kind", "address",
                ("postcode", "commune"), "siret"),
        section("contact", gettext_lazy("La personne à contacter"), "contact_name",
                ("contact_phone", "contact_email")),
    )  # fmt: skip

    kind = forms.ChoiceField(
        label=gettext_lazy("Type de structure"), choices=PrescriberKind.choices
    )
    contact_name = forms.CharField(label=gettext_lazy("Nom"), max_length=150, required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("Téléphone"), max_length=30, required=False, validators=[validate_phone]
    )
    contact_email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), required=False)


class EligibilityPolicyForm(forms.Form):
    layout = (
        section("regles", gettext_lazy("Qui la plateforme accompagne"), "situations",
                "require_project", "min_french_level", "validity_months"),
    )  # fmt: skip

    situations = checkboxes(gettext_lazy("Situations acceptées"), Situation.choices)
    require_project = forms.BooleanField(
        label=gettext_lazy("Un projet professionnel défini est exigé"), required=False
    )
    min_french_level = forms.ChoiceField(
        label=gettext_lazy("Niveau de français minimum"),
        choices=[("", gettext_lazy("Aucun minimum"))] + list(FrenchLevel.choices),
        required=False,
    )
    validity_months = forms.IntegerField(
        label=gettext_lazy("Durée de validité d'une vérification (mois)"), min_value=1,
        max_value=36,
    )  # fmt: skip

    def clean_situations(self):
        situations = self.cleaned_data["situations"]
        if not situations:
            raise forms.ValidationError(gettext_lazy("Choisissez au moins une situation."))
        return situations
