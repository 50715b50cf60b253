"""The public « Être rappelé·e » form (issue 16), in plain words.

Bots are turned away without a third-party captcha: a field people do not see (`website`,
hidden by the stylesheet and from screen readers; a robot filling every input fills it), and
a signed timestamp of when the page was shown (`started`): a form sent back faster than
`SELF_REFERRAL_MIN_SECONDS`, or with a forged or day-old stamp, is refused."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.validators import validate_phone
from beneficiaries.enums import ContactPreference, HelpKind
from core.phones import normalise_phone

STAMP_SALT = "solimob.self-referral.started"
STAMP_MAX_AGE = 24 * 3600


def new_stamp() -> str:
    return signing.dumps(time.time(), salt=STAMP_SALT)


class SelfReferralForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("Votre prénom"), max_length=150,
        error_messages={"required": gettext_lazy("Écrivez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )  # fmt: skip
    last_name = forms.CharField(
        label=gettext_lazy("Votre nom"), max_length=150,
        error_messages={"required": gettext_lazy("Écrivez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )  # fmt: skip
    phone = forms.CharField(
        label=gettext_lazy("Votre numéro de téléphone"), max_length=30,
        help_text=gettext_lazy("Par exemple : 06 12 34 56 78"),
        error_messages={"required": gettext_lazy("Écrivez votre numéro de téléphone.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )  # fmt: skip
    commune = forms.CharField(
        label=gettext_lazy("Votre commune"), max_length=120,
        help_text=gettext_lazy("Le nom de la ville ou du village, ou le code postal."),
        error_messages={"required": gettext_lazy("Écrivez votre commune.")},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )  # fmt: skip
    help_wanted = forms.MultipleChoiceField(
        label=gettext_lazy("Qu'est-ce qui est difficile pour vous ?"),
        help_text=gettext_lazy("Vous pouvez cocher plusieurs cases."),
        choices=HelpKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    need = forms.CharField(
        label=gettext_lazy("Vous voulez en dire plus ? (pas obligatoire)"), required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    contact_preference = forms.ChoiceField(
        label=gettext_lazy("Comment voulez-vous qu'on vous contacte ?"),
        choices=ContactPreference.choices, widget=forms.RadioSelect,
        initial=ContactPreference.CALL,
        error_messages={"required": gettext_lazy("Choisissez comment on vous contacte.")},
    )  # fmt: skip
    email = forms.EmailField(
        label=gettext_lazy("Votre adresse e-mail (si vous voulez un e-mail)"), required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    consent = forms.BooleanField(
        label=gettext_lazy(
            "J'accepte que la plateforme garde ces informations pour me rappeler."
        ),
        error_messages={"required": gettext_lazy("Cochez cette case pour être rappelé·e.")},
    )  # fmt: skip
    # Against robots (see the module's docstring).
    website = forms.CharField(required=False, label=gettext_lazy("Ne pas remplir"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["started"] = new_stamp()

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        validate_phone(value)
        return normalise_phone(value)

    def clean_started(self) -> float:
        try:
            started = signing.loads(
                self.cleaned_data["started"], salt=STAMP_SALT, max_age=STAMP_MAX_AGE
            )
        except signing.BadSignature:
            raise forms.ValidationError(self.too_fast_message()) from None
        if time.time() - float(started) < settings.SELF_REFERRAL_MIN_SECONDS:
            raise forms.ValidationError(self.too_fast_message())
        return started

    @staticmethod
    def too_fast_message() -> str:
        return _("Relisez vos réponses, puis appuyez de nouveau sur « Envoyer ».")

    def clean(self):
        data = super().clean()
        if data.get("contact_preference") == ContactPreference.EMAIL and not data.get("email"):
            self.add_error("email", _("Écrivez votre adresse e-mail, ou choisissez un appel."))
        return data

    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in (
            "first_name", "last_name", "phone", "commune", "email", "help_wanted", "need",
            "contact_preference", "consent",
        )}  # fmt: skip
