"""Forms of the adviser's pages about the people they support. They turn what people type into
typed values; the rules live in `beneficiaries.services` and `beneficiaries.journey`, whose
errors land back here. No field asks about health: CNIL treats it as sensitive data."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from beneficiaries.enums import (
    BarrierCategory,
    BeneficiaryStatus,
    ConsentPurpose,
    DiagnosisDecision,
    DrivingLicence,
    FollowUpChannel,
    FrenchLevel,
    OutcomeCode,
    Vehicle,
)
from beneficiaries.models import Beneficiary
from beneficiaries.services import BENEFICIARY_FIELDS
from core.forms import date_field, date_input, section
from core.phones import display_phone, normalise_phone

NOT_SAID = _("Non renseigné")
NO_HEALTH = _("N'écrivez rien sur la santé de la personne.")
PRIORITY_CHOICES = [(1, _("Haute")), (2, _("Moyenne")), (3, _("Basse"))]
BARRIER_ROWS = 5


def _today():
    return timezone.localdate()


# --- The list ------------------------------------------------------------------------------


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Nom ou prénom"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Étape"),
        required=False,
        choices=[("", _("Toutes les étapes"))] + list(BeneficiaryStatus.choices),
    )
    mine = forms.BooleanField(label=_("Seulement les personnes que je suis"), required=False)


# --- The record ----------------------------------------------------------------------------


class BeneficiaryForm(forms.ModelForm):
    """Identity, contact and situation. Validated here, written by the services (never
    `save()`)."""

    layout = (
        "platform",
        section(
            "identity",
            _("Identité"),
            ("first_name", "last_name"),
            ("birth_date", "nationality_group"),
        ),
        section("contact", _("Contact"), ("phone", "email"), "address", ("postcode", "commune")),
        section(
            "situation",
            _("Situation et projet"),
            "situation",
            "professional_project",
            "project_defined",
            "french_level",
        ),
        section("mobility", _("Se déplacer"), ("driving_licence", "vehicle")),
        section("household", _("Foyer et ressources"), "household", "income_notes"),
    )

    class Meta:
        model = Beneficiary
        fields = BENEFICIARY_FIELDS
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_date": date_input(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
            "professional_project": forms.Textarea(attrs={"rows": 3}),
            "income_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "project_defined": _("Le projet professionnel est défini (des démarches sont faites)"),
            "household": _("Foyer (personnes à charge, enfants)"),
            "income_notes": _("Ressources (notes)"),
            "nationality_group": _("Nationalité"),
        }
        help_texts = {
            "phone": _("Par exemple : 06 12 34 56 78."),
            "birth_date": _("Elle sert aussi à repérer une personne déjà suivie."),
            "professional_project": _("Le métier ou la formation visés, en quelques mots."),
            "household": format_lazy(
                "{} {}", _("Par exemple : seule avec deux enfants."), NO_HEALTH
            ),
            "income_notes": format_lazy(
                "{} {}", _("Par exemple : RSA, prime d'activité."), NO_HEALTH
            ),
            "nationality_group": _(
                "Seulement si c'est utile pour une aide : française, Union européenne ou hors "
                "Union européenne."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone:  # shown as people write it, not as stored
            self.initial["phone"] = display_phone(self.instance.phone)
        self.fields["first_name"].error_messages["required"] = _("Écrivez son prénom.")
        self.fields["last_name"].error_messages["required"] = _("Écrivez son nom de famille.")
        for name, enum in (
            ("french_level", FrenchLevel),
            ("driving_licence", DrivingLicence),
            ("vehicle", Vehicle),
        ):
            self.fields[name].choices = [("", NOT_SAID)] + list(enum.choices)

    def clean_phone(self):
        # "06 12 34 56 78" is how people write it; the record keeps E.164.
        return normalise_phone(self.cleaned_data["phone"])


class BeneficiaryCreateForm(BeneficiaryForm):
    """A new record. "Create anyway" is not a field: only the button under the possible
    duplicates sends it, so it never outlives the page that asked."""

    platform = forms.TypedChoiceField(label=_("Plateforme"), coerce=int)

    def __init__(self, *args, platforms: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = platforms
        if len(platforms) == 1:
            self.fields["platform"].initial = platforms[0][0]
            self.fields["platform"].disabled = True  # nothing to choose, nothing to forge
            self.fields["platform"].widget = forms.HiddenInput()
        self.order_fields(["platform"])


# --- Diagnosis -----------------------------------------------------------------------------


class DiagnosisForm(forms.Form):
    """The meeting and its decision; the barriers are a formset of the same page
    (`BarrierFormSet`), shown in their own section between the two."""

    layout = (
        section("meeting", _("Le rendez-vous"), ("held_on", "duration_minutes"), "summary"),
        section(
            "barriers",
            _("Difficultés pour se déplacer"),
            help=_(
                "Une ligne par difficulté, la plus importante d'abord, décrite en quelques mots "
                "(40 caractères au plus, sans détail médical). Les lignes laissées vides sont "
                "ignorées."
            ),
            template="beneficiaries/records/_barrier_rows.html",
        ),
        section("decision", _("La suite"), "decision", "share_with_prescriber"),
    )

    held_on = date_field(_("Date du diagnostic"), initial=_today)
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        min_value=15,
        max_value=480,
        initial=90,
        help_text=_("Un diagnostic dure en général 60 à 90 minutes."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    summary = forms.CharField(
        label=_("Synthèse"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy(
            "{} {}",
            _("Les difficultés pour se déplacer, la situation, ce qui est prévu."),
            NO_HEALTH,
        ),
    )
    decision = forms.ChoiceField(
        label=_("Suite donnée"),
        choices=DiagnosisDecision.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Conseil ponctuel : quelques conseils suffisent. Accompagnement renforcé : un plan "
            "d'action et des rendez-vous de suivi."
        ),
    )
    share_with_prescriber = forms.BooleanField(
        label=_("Partager le résultat avec le prescripteur"), required=False
    )

    def __init__(self, *args, can_share: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["share_with_prescriber"]
        if can_share:
            field.help_text = _(
                "La personne a donné son accord : le prescripteur verra la date, la suite "
                "donnée et cette synthèse (jamais les notes ni les freins)."
            )
        else:
            field.disabled = True
            field.help_text = _(
                "Impossible pour l'instant : la personne n'a pas donné son accord pour partager "
                "son suivi. Enregistrez son accord sur sa fiche (rubrique « Accords »), puis "
                "partagez."
            )


class BarrierRowForm(forms.Form):
    """One barrier (frein). A row left blank is ignored."""

    category = forms.ChoiceField(
        label=_("Type de difficulté"),
        required=False,
        choices=[("", _("— Choisir —"))] + list(BarrierCategory.choices),
    )
    code = forms.CharField(label=_("En quelques mots"), required=False, max_length=40)
    priority = forms.TypedChoiceField(
        label=_("Priorité"),
        required=False,
        choices=PRIORITY_CHOICES,
        coerce=int,
        initial=2,
        empty_value=2,
    )

    def clean(self):
        data = super().clean()
        category, code = data.get("category"), (data.get("code") or "").strip()
        if code and not category:
            self.add_error("category", _("Choisissez le type de cette difficulté."))
        if category and not code:
            self.add_error("code", _("Décrivez cette difficulté en quelques mots."))
        data["code"] = code
        return data


BarrierFormSet = forms.formset_factory(
    BarrierRowForm, extra=BARRIER_ROWS, max_num=BARRIER_ROWS, absolute_max=BARRIER_ROWS
)


def barrier_rows(formset) -> list[dict]:
    """The filled rows of a valid formset, as `diagnosis_record` takes them."""
    return [
        {"category": row["category"], "code": row["code"], "priority": row["priority"]}
        for row in (form.cleaned_data for form in formset.forms)
        if row.get("category") and row.get("code")
    ]


# --- Forms of the record page --------------------------------------------------------------


class FollowUpForm(forms.Form):
    layout = (("held_on", "channel"), "notes")

    held_on = date_field(_("Date du rendez-vous"), initial=_today)
    channel = forms.ChoiceField(
        label=_("Comment"), choices=FollowUpChannel.choices, initial=FollowUpChannel.IN_PERSON
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{} {}", _("Ce qui a été dit et décidé."), NO_HEALTH),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "suivi_%s")
        super().__init__(*args, **kwargs)


class ActionItemForm(forms.Form):
    layout = ("action", ("barrier_id", "due_on"))

    action = forms.CharField(label=_("Action"), max_length=255)
    barrier_id = forms.TypedChoiceField(
        label=_("Difficulté concernée"), required=False, coerce=int, empty_value=None
    )
    due_on = date_field(_("Pour le"), required=False)

    def __init__(self, *args, barriers, **kwargs):
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        self.fields["barrier_id"].choices = [("", _("Aucune en particulier"))] + [
            (b.pk, f"{b.get_category_display()} — {b.code}") for b in barriers
        ]


class ConsentForm(forms.Form):
    layout = (("purpose", "prescriber_organisation_id"),)

    purpose = forms.ChoiceField(label=_("Accord pour"), choices=ConsentPurpose.choices)
    prescriber_organisation_id = forms.TypedChoiceField(
        label=_("Avec quel prescripteur"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Seulement pour un partage du suivi."),
    )

    def __init__(self, *args, prescribers: list[tuple[int, str]], **kwargs):
        kwargs.setdefault("auto_id", "accord_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["prescriber_organisation_id"]
        field.choices = [("", _("—"))] + prescribers
        if not prescribers:
            field.help_text = _(
                "Aucun prescripteur n'a orienté cette personne : le partage du suivi n'est pas "
                "possible."
            )


class OutcomeForm(forms.Form):
    layout = (("code", "exited_on"),)

    code = forms.ChoiceField(label=_("Sortie"), choices=OutcomeCode.choices)
    exited_on = date_field(_("Date de sortie"), initial=_today)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "sortie_%s")
        super().__init__(*args, **kwargs)
