"""Forms of the agenda's pages. They turn what people type into typed values; the rules
live in the services, whose errors land back here (`error_fields`)."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.enums import (
    RULE_CATEGORIES,
    SESSION_CATEGORIES,
    ClosureReason,
    KindCategory,
    PlaceKind,
)
from agenda.generation import agenda_tz
from core.forms import checkboxes, date_field, section, time_field
from core.places import PlaceError, resolve_place
from partners.enums import WEEKDAY_LABELS


def _local(day, at) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=agenda_tz())


class AdviserChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class PlaceForm(forms.Form):
    layout = (
        section("place", _("Le lieu"), "name", "kind"),
        section("address", _("Adresse"), "address", "commune"),
        section("access", _("Accès"), "accessible", "access_notes", "active"),
    )
    name = forms.CharField(label=_("Nom du lieu"), max_length=150)
    kind = forms.ChoiceField(label=_("Type de lieu"), choices=PlaceKind.choices)
    address = forms.CharField(
        label=_("Adresse (facultatif)"), max_length=255, required=False,
        help_text=_("Numéro et rue. Sans adresse, le centre de la commune est utilisé."),
    )  # fmt: skip
    commune = forms.CharField(
        label=_("Commune ou code postal"), max_length=120,
        help_text=_("Par exemple : Montluçon, ou 03100."),
    )  # fmt: skip
    accessible = forms.BooleanField(label=_("Accessible en fauteuil roulant"), required=False)
    access_notes = forms.CharField(
        label=_("Accès : précisions (facultatif)"), max_length=255, required=False
    )
    active = forms.BooleanField(label=_("En service"), required=False, initial=True)

    def clean_commune(self):
        try:
            place = resolve_place(self.cleaned_data["commune"])
        except PlaceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return place.commune


class RuleForm(forms.Form):
    error_fields = {"slot_minutes": "end_time", "kind": "kind", "adviser": "adviser"}
    layout = (
        "adviser", "place", "kind", "weekdays", ("start_time", "end_time"),
        ("valid_from", "valid_until"),
    )  # fmt: skip
    adviser = AdviserChoice(label=_("Conseiller·ère"), queryset=None)
    place = forms.ModelChoiceField(label=_("Lieu"), queryset=None)
    kind = forms.ModelChoiceField(label=_("Type de rendez-vous"), queryset=None)
    weekdays = checkboxes(_("Jours"), WEEKDAY_LABELS)
    start_time = time_field(_("De"), missing=_("Indiquez l'heure de début."))
    end_time = time_field(_("À"), missing=_("Indiquez l'heure de fin."))
    valid_from = date_field(_("À partir du"), missing=_("Indiquez le premier jour."))
    valid_until = date_field(_("Jusqu'au (facultatif)"), required=False)

    def __init__(self, *args, advisers, places, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = advisers
        self.fields["place"].queryset = places
        self.fields["kind"].queryset = kinds.filter(category__in=RULE_CATEGORIES)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "adviser_id": data["adviser"].pk, "place_id": data["place"].pk,
            "kind_id": data["kind"].pk, "weekdays": [int(d) for d in data["weekdays"]],
            "start_time": data["start_time"], "end_time": data["end_time"],
            "valid_from": data["valid_from"], "valid_until": data.get("valid_until"),
        }  # fmt: skip


class KindForm(forms.Form):
    """An appointment kind's length and seats (its category is set once, at creation)."""

    layout = ("name", ("duration_minutes", "seats"), "follow_up_within_days")
    name = forms.CharField(
        label=_("Nom"), max_length=100,
        error_messages={"required": _("Indiquez le nom du type de rendez-vous.")},
    )  # fmt: skip
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), min_value=15, max_value=8 * 60,
        error_messages={"required": _("Indiquez la durée.")},
    )  # fmt: skip
    seats = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=200,
        help_text=_("1 pour un diagnostic ou un suivi ; 5 au plus pour une séance collective."),
        error_messages={"required": _("Indiquez le nombre de places.")},
    )  # fmt: skip
    follow_up_within_days = forms.IntegerField(
        label=_("Suivi à proposer sous (jours, facultatif)"), min_value=1, max_value=365,
        required=False,
        help_text=_("Le rendez-vous suivant est proposé au plus tard ce nombre de jours après."),
    )  # fmt: skip


class KindCreateForm(KindForm):
    layout = ("category", *KindForm.layout)
    category = forms.ChoiceField(label=_("Type"), choices=())

    def __init__(self, *args, missing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (value, label) for value, label in KindCategory.choices if value in missing
        ]


class ClosureForm(forms.Form):
    error_fields = {"ends_at": "end_date", "place": "place", "adviser": "adviser"}
    layout = ("adviser", "place", ("start_date", "start_time"), ("end_date", "end_time"),
              "reason")  # fmt: skip
    adviser = AdviserChoice(
        label=_("Qui est absent"), queryset=None, required=False,
        empty_label=_("Toute l'équipe"),
    )  # fmt: skip
    place = forms.ModelChoiceField(
        label=_("Quel lieu ferme"), queryset=None, required=False, empty_label=_("Tous les lieux")
    )
    start_date = date_field(_("Du"), missing=_("Indiquez le premier jour."))
    start_time = time_field(_("À partir de (facultatif)"), required=False)
    end_date = date_field(_("Au"), missing=_("Indiquez le dernier jour."))
    end_time = time_field(_("Jusqu'à (facultatif)"), required=False)
    reason = forms.ChoiceField(label=_("Motif"), choices=ClosureReason.choices)

    def __init__(self, *args, advisers, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = advisers
        self.fields["place"].queryset = places

    def service_fields(self) -> dict:
        from datetime import time, timedelta

        data = self.cleaned_data
        starts_at = _local(data["start_date"], data.get("start_time") or time(0))
        if data.get("end_time"):
            ends_at = _local(data["end_date"], data["end_time"])
        else:
            ends_at = _local(data["end_date"] + timedelta(days=1), time(0))
        return {
            "adviser_id": data["adviser"].pk if data.get("adviser") else None,
            "place_id": data["place"].pk if data.get("place") else None,
            "starts_at": starts_at, "ends_at": ends_at, "reason": data["reason"],
        }  # fmt: skip


class SessionForm(forms.Form):
    error_fields = {"starts_at": "day", "kind": "kind", "place": "place", "adviser": "adviser"}
    layout = ("kind", "theme", "place", "adviser", ("day", "start_time"), "seats")
    kind = forms.ModelChoiceField(label=_("Type"), queryset=None)
    theme = forms.CharField(
        label=_("Thème"), max_length=200,
        help_text=_("Par exemple : « Passer le code », « Le budget d'une voiture »."),
    )  # fmt: skip
    place = forms.ModelChoiceField(label=_("Lieu"), queryset=None)
    adviser = AdviserChoice(label=_("Animé par"), queryset=None)
    day = date_field(_("Date"), missing=_("Indiquez la date."))
    start_time = time_field(_("Heure"), missing=_("Indiquez l'heure."))
    seats = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=200,
        help_text=_("Une séance collective accueille 5 personnes au plus."),
    )  # fmt: skip

    def __init__(self, *args, advisers, places, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = advisers
        self.fields["place"].queryset = places
        self.fields["kind"].queryset = kinds.filter(category__in=SESSION_CATEGORIES)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind_id": data["kind"].pk, "place_id": data["place"].pk,
            "adviser_id": data["adviser"].pk, "theme": data["theme"], "seats": data["seats"],
            "starts_at": _local(data["day"], data["start_time"]),
        }  # fmt: skip


class AddPersonForm(forms.Form):
    layout = ("beneficiary",)
    beneficiary = forms.ModelChoiceField(
        label=_("Personne à inscrire"), queryset=None,
        error_messages={"invalid_choice": _("Choisissez une personne de la liste.")},
    )  # fmt: skip

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = people
        self.fields["beneficiary"].label_from_instance = lambda p: f"{p.last_name} {p.first_name}"


class SeatsForm(forms.Form):
    layout = ("seats",)
    seats = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=200)


class WaitlistForm(forms.Form):
    """Put a person on the waiting list of a full session."""

    layout = ("beneficiary", "note")
    beneficiary = forms.ModelChoiceField(
        label=_("Personne à mettre sur liste d'attente"), queryset=None,
        error_messages={"invalid_choice": _("Choisissez une personne de la liste."),
                        "required": _("Choisissez la personne.")},
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note (facultatif)"), required=False, max_length=500,
        help_text=_("Par exemple : joignable l'après-midi."),
    )  # fmt: skip

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = people
        self.fields["beneficiary"].label_from_instance = lambda p: f"{p.last_name} {p.first_name}"

    def service_fields(self) -> dict:
        return {
            "beneficiary_id": self.cleaned_data["beneficiary"].pk,
            "note": self.cleaned_data.get("note", ""),
        }


class OutreachForm(forms.Form):
    layout = ("people_met", "referrals")
    people_met = forms.IntegerField(label=_("Personnes rencontrées"), min_value=0, max_value=5000)
    referrals = forms.ModelMultipleChoiceField(
        label=_("Orientations reçues grâce à cette permanence"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrals"].queryset = referrals
        self.fields["referrals"].label_from_instance = lambda r: (
            f"{r.last_name} {r.first_name} ({r.created_at:%d/%m})"
        )

    def service_fields(self) -> dict:
        return {
            "people_met": self.cleaned_data["people_met"],
            "referral_ids": [r.pk for r in self.cleaned_data["referrals"]],
        }


CANCEL_REASONS = [
    ("empechement", _("J'ai un empêchement")),
    ("malade", _("Je suis malade")),
    ("plus-besoin", _("Je n'en ai plus besoin")),
    ("autre", _("Une autre raison")),
]


class CancelForm(forms.Form):
    layout = ("reason",)
    reason = forms.ChoiceField(
        label=_("Pourquoi annulez-vous ?"), choices=CANCEL_REASONS, widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une raison.")},
    )  # fmt: skip

    def service_fields(self) -> dict:
        return {"reason": str(dict(CANCEL_REASONS)[self.cleaned_data["reason"]])}


class StaffCancelForm(forms.Form):
    layout = ("reason",)
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=255)
