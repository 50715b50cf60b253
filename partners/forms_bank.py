"""The partner's bank details form (IBAN, BIC); `partners.services_bank` checks them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import section
from partners.form_fields import ServiceErrorsMixin


class BankDetailsForm(ServiceErrorsMixin, forms.Form):
    layout = (section("bank", _("Compte où recevoir les virements"), "iban", "bic"),)
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        help_text=_(
            "Tel qu'il figure sur votre RIB, par exemple FR76 3000 6000 0112 3456 7890 189."
        ),
        error_messages={"required": _("Indiquez l'IBAN du compte.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=14,
        required=False,
        help_text=_("Laissez vide pour une banque française : il est déduit de l'IBAN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
