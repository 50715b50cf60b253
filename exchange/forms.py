from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import checkboxes, section
from exchange.events import event_choices


class SubscriptionForm(forms.Form):
    layout = (
        section("endpoint", _("Où envoyer"), "organisation", "url", "description"),
        section("events", _("Quels évènements"), "events"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, empty_label=None,
        error_messages={"required": _("Choisissez l'organisation abonnée.")},
    )  # fmt: skip
    url = forms.CharField(
        label=_("Adresse (URL)"), max_length=500,
        help_text=_("Adresse HTTPS de votre logiciel, joignable sur Internet."),
        error_messages={"required": _("Indiquez l'adresse qui recevra les messages.")},
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = checkboxes(_("Évènements"), event_choices())

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["events"].required = True
        self.fields["events"].error_messages["required"] = _("Choisissez au moins un évènement.")
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["organisation_id"] = data.pop("organisation").pk
        return data
