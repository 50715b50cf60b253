from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import date_field
from payments.enums import PaymentPurpose, PaymentStatus


class PaymentFilterForm(forms.Form):
    person = forms.CharField(label=_("Nom de la personne"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *PaymentStatus.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Objet"), required=False, choices=[("", _("Tous")), *PaymentPurpose.choices]
    )
    date_from = date_field(_("Du"), required=False)
    date_to = date_field(_("Au"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.input_type = "search"

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "person": data.get("person") or "",
            "status": data.get("status") or "",
            "purpose": data.get("purpose") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class RefundForm(forms.Form):
    layout = (("amount",), "reason")
    amount = forms.DecimalField(
        label=_("Montant à rembourser (€)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Laissez vide pour rembourser tout ce qui reste."),
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=255,
        error_messages={"required": _("Indiquez le motif du remboursement.")},
    )

    def service_fields(self) -> dict:
        return {"amount": self.cleaned_data.get("amount"), "reason": self.cleaned_data["reason"]}
