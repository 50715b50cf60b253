"""Forms of the referral pages: the fiche de repérage a prescriber fills in, and the refusal an
adviser sends back. They turn what people type into typed values; the rules live in
`beneficiaries.services`, whose errors land back next to the fields."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from accounts.scoping import prescriber_organisation_ids
from accounts.validators import validate_phone
from beneficiaries.enums import FrenchLevel, RefusalReason, Situation
from core.forms import section
from core.phones import normalise_phone

# What each choice means, in plain words (shown under the choice).
SITUATION_HELP = {
    Situation.RSA: _("La personne touche le RSA (revenu de solidarité active)."),
    Situation.YOUTH_MISSION_LOCALE: _("Moins de 26 ans, accompagné·e par une Mission Locale."),
    Situation.JOBSEEKER: _("Inscrit·e à France Travail, cherche un emploi."),
    Situation.SIAE_EMPLOYEE: _(
        "Travaille dans une structure d'insertion : atelier ou chantier d'insertion, "
        "entreprise d'insertion, association intermédiaire…"
    ),
    Situation.OTHER: _(
        "Aucune de ces situations. Décrivez-la plus bas : la plateforme vous dira si elle "
        "peut accompagner la personne."
    ),
}
UNKNOWN_LEVEL = ""
FRENCH_LEVEL_CHOICES = [
    (FrenchLevel.NONE, _("Ne parle pas français")),
    (FrenchLevel.A1, _("Quelques mots (A1)")),
    (FrenchLevel.A2, _("Se débrouille au quotidien (A2)")),
    (FrenchLevel.B1, _("Parle assez bien (B1)")),
    (FrenchLevel.B2_PLUS, _("À l'aise (B2 ou plus)")),
    (UNKNOWN_LEVEL, _("Je ne sais pas")),
]
FRENCH_LEVEL_HELP = {
    FrenchLevel.NONE: _("Ne comprend pas ou presque pas le français."),
    FrenchLevel.A1: _("Comprend et dit des phrases très simples : se présenter, dire bonjour."),
    FrenchLevel.A2: _(
        "Se fait comprendre pour les choses de tous les jours : faire des courses, prendre "
        "un rendez-vous, expliquer simplement son projet."
    ),
    FrenchLevel.B1: _(
        "Suit une conversation sur le travail, raconte ce qu'il ou elle a fait, explique ses "
        "besoins."
    ),
    FrenchLevel.B2_PLUS: _("Comprend et s'exprime facilement, à l'oral comme à l'écrit."),
    UNKNOWN_LEVEL: _("La plateforme fera le point avec la personne."),
}
REORIENTATION_CHOICES = [
    ("", _("Aucune suggestion")),
    ("fle", _("Cours de français (FLE)")),
    ("other_scheme", _("Autre dispositif")),
    ("social", _("Accompagnement social (CCAS, assistant·e social·e)")),
    (
        "employment",
        _("Construire d'abord le projet professionnel (Mission Locale, France Travail)"),
    ),
]
REQUIRED_MESSAGES = {
    "first_name": _("Indiquez le prénom de la personne."),
    "last_name": _("Indiquez le nom de la personne."),
    "need": _("Décrivez ses difficultés pour se déplacer."),
}
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]


def _text(label, *, required=False, rows=None, max_length=None, help_text="", **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs)
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text, widget=widget
    )


class ReferralForm(forms.Form):
    """The fiche de repérage."""

    layout = (
        "prescriber_organisation",
        section("identity", _("La personne"), ("first_name", "last_name"), "birth_date"),
        section(
            "contact",
            _("Comment la joindre"),
            ("phone", "email"),
            ("commune", "postcode"),
            help=_("Un téléphone ou une adresse e-mail, au moins."),
        ),
        section(
            "situation",
            _("Sa situation"),
            "situation",
            "professional_project",
            "steps_taken",
            "french_level",
        ),
        section("need", _("Son besoin"), "need"),
        section("consent", _("Son accord"), "consent_to_share"),
    )

    prescriber_organisation = forms.ModelChoiceField(
        label=_("Vous orientez au nom de"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Vous travaillez pour plusieurs structures : choisissez laquelle oriente."),
        error_messages={"required": _("Choisissez la structure qui oriente la personne.")},
    )
    first_name = _text(
        _("Prénom"), required=True, max_length=150, autocomplete="off", autocapitalize="words"
    )
    last_name = _text(
        _("Nom"), required=True, max_length=150, autocomplete="off", autocapitalize="words"
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Par exemple 12/04/1998. Elle évite d'ouvrir deux fois le même dossier."),
        error_messages={
            "required": _("Indiquez la date de naissance."),
            "invalid": _("Écrivez la date ainsi : 12/04/1998."),
        },
    )
    phone = _text(
        _("Téléphone"),
        max_length=20,
        type="tel",
        inputmode="tel",
        autocomplete="off",
        help_text=_("Par exemple 06 12 34 56 78."),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Adresse e-mail invalide : par exemple nom@exemple.fr.")},
    )
    commune = _text(_("Commune"), max_length=120, autocomplete="off")
    postcode = _text(
        _("Code postal"), max_length=5, inputmode="numeric", autocomplete="off", size=6
    )
    situation = forms.ChoiceField(
        label=_("Situation de la personne"),
        choices=Situation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la situation de la personne.")},
    )
    professional_project = _text(
        _("Projet professionnel"),
        rows=3,
        help_text=_(
            "Le métier ou la formation visés, même si le projet n'est pas encore tout à fait "
            "défini. Laissez vide s'il n'y en a pas encore."
        ),
    )
    steps_taken = _text(
        _("Démarches déjà faites"),
        rows=3,
        help_text=_("Par exemple : inscription à une formation, entretiens, stage, CV fait."),
    )
    french_level = forms.ChoiceField(
        label=_("Niveau de français"),
        choices=FRENCH_LEVEL_CHOICES,
        required=False,
        initial=UNKNOWN_LEVEL,
        widget=forms.RadioSelect,
    )
    need = _text(
        _("Ses difficultés pour se déplacer"),
        required=True,
        rows=4,
        help_text=_(
            "En quelques mots : où la personne doit aller, ce qui l'en empêche, depuis quand. "
            "Par exemple : « Pas de voiture ni de bus pour aller à sa formation à Yzeure le "
            "matin. »"
        ),
    )
    consent_to_share = forms.BooleanField(
        label=_(
            "La personne est d'accord pour que la plateforme me tienne informé·e de son "
            "accompagnement"
        ),
        required=False,
        help_text=_(
            "Demandez-lui avant de cocher. Sans son accord, vous verrez seulement la réponse "
            "de la plateforme à votre orientation, pas la suite."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(
            pk__in=prescriber_organisation_ids(user),
            kind=OrganisationKind.PRESCRIBER,
            is_active=True,
        ).order_by("name")
        self.organisations = list(organisations)
        field = self.fields["prescriber_organisation"]
        field.queryset = organisations
        if len(self.organisations) <= 1:
            del self.fields["prescriber_organisation"]
        for name, message in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["situation"].choice_help = SITUATION_HELP
        self.fields["french_level"].choice_help = FRENCH_LEVEL_HELP

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if day > today:
            raise ValidationError(_("La date de naissance ne peut pas être dans le futur."))
        if day.year < today.year - 110:
            raise ValidationError(_("Vérifiez l'année de naissance."))
        return day

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data["phone"])
        validate_phone(phone)
        return phone

    def clean_postcode(self):
        postcode = re.sub(r"\s", "", self.cleaned_data["postcode"])
        if postcode and not re.fullmatch(r"\d{5}", postcode):
            raise ValidationError(_("Le code postal compte 5 chiffres, par exemple 03000."))
        return postcode

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("email")) and not (
            self.has_error("phone") or self.has_error("email")
        ):
            self.add_error(
                "phone",
                _(
                    "Indiquez un téléphone ou une adresse e-mail pour que la plateforme puisse "
                    "joindre la personne."
                ),
            )
        return data

    def organisation(self) -> Organisation | None:
        if "prescriber_organisation" in self.fields:
            return self.cleaned_data.get("prescriber_organisation")
        return self.organisations[0] if self.organisations else None

    def referral_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "prescriber_organisation"}


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Pourquoi la plateforme ne peut pas accompagner la personne"),
        choices=RefusalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le motif du refus.")},
    )
    suggestion = forms.ChoiceField(
        label=_("Vers quoi orienter la personne"),
        choices=REORIENTATION_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    details = _text(
        _("Message au prescripteur"),
        rows=3,
        max_length=1000,
        help_text=_(
            "Ce que vous conseillez, en mots simples : un organisme, un contact, une démarche."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == RefusalReason.OTHER and not data.get("details", "").strip():
            self.add_error("details", _("Expliquez la raison du refus au prescripteur."))
        return data

    def reorientation(self) -> str:
        labels = dict(REORIENTATION_CHOICES)
        parts = [
            str(labels[self.cleaned_data["suggestion"]])
            if self.cleaned_data.get("suggestion")
            else "",
            self.cleaned_data.get("details", "").strip(),
        ]
        return " — ".join(p for p in parts if p)
