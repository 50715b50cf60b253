"""Forms of the statements pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import section
from partners.form_fields import FrenchDecimalField, ServiceErrorsMixin


class MonthForm(forms.Form):
    month = forms.RegexField(
        label=_("Mois"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        help_text=_("Au format AAAA-MM, par exemple 2026-11."),
        error_messages={"invalid": _("Écrivez le mois au format AAAA-MM.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    platform = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)


class MarkPaidForm(ServiceErrorsMixin, forms.Form):
    layout = (section("paid", _("Virement envoyé"), "paid_on"),)
    paid_on = forms.DateField(
        label=_("Date du virement"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Indiquez la date du virement."),
                        "invalid": _("Écrivez une date, par exemple 05/12/2026.")},
    )  # fmt: skip


class AdjustForm(ServiceErrorsMixin, forms.Form):
    layout = (section("adjust", _("Corriger ce relevé"), "amount", "reason", "booking_reference"),)
    amount = FrenchDecimalField(
        label=_("Montant (€)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Positif : dû en plus au partenaire ; négatif : à reprendre."),
    )
    reason = forms.CharField(label=_("Motif"), max_length=255)
    booking_reference = forms.CharField(
        label=_("Réservation concernée (référence)"), max_length=12, required=False
    )


class TransferForm(forms.Form):
    settlements = forms.ModelMultipleChoiceField(
        label=_("Relevés à virer"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un relevé.")},
    )
    execution_date = forms.DateField(
        label=_("Date d'exécution demandée"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, settlements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settlements"].queryset = settlements
        self.fields["settlements"].label_from_instance = lambda s: (
            f"{s.reference} — {s.partner.name} — {s.total} €"
        )
