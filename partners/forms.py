"""Forms of the partner portal: profile, closures, agreements (a service's own forms are in
`partners.forms_services`). They turn what people type into typed values; the rules themselves
live in `partners.validation` and the services, whose errors land back here."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.forms import checkboxes, date_field, section, time_field
from partners.enums import ClosureReason, PartnerCategory
from partners.form_fields import (
    LANGUAGE_CHOICES,
    TIMEZONE_CHOICES,
    CommuneListField,
    FrenchDecimalField,
    ServiceErrorsMixin,
    local_datetime,
)
from partners.services import ORGANISATION_FIELDS, PROFILE_FIELDS


def coordinate_field(label, bound: int, help_text) -> FrenchDecimalField:
    """A latitude (bound 90) or longitude (180) in degrees, to the micro-degree, optional."""
    return FrenchDecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-bound,
        max_value=bound,
        help_text=help_text,
    )


class PartnerProfileForm(ServiceErrorsMixin, forms.Form):
    layout = (
        section("about", _("Présentation"), "category", "description", "opening_hours"),
        section(
            "welcome",
            _("Accueil et accessibilité"),
            "wheelchair_accessible",
            "accessibility_notes",
            "languages",
        ),
        section(
            "address",
            _("Adresse et zone d'intervention"),
            "address",
            ("postcode", "commune"),
            ("latitude", "longitude"),
            "service_radius_km",
            "service_area",
            "timezone",
        ),
    )
    category = forms.ChoiceField(label=_("Type de partenaire"), choices=PartnerCategory.choices)
    description = forms.CharField(
        label=_("Présentation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que vous proposez, en quelques phrases simples."),
    )
    opening_hours = forms.CharField(
        label=_("Horaires d'ouverture"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple : du lundi au vendredi, 8 h 30 – 12 h 30 et 13 h 30 – 17 h 30."),
    )
    wheelchair_accessible = forms.BooleanField(
        label=_("Accessible en fauteuil roulant"), required=False
    )
    accessibility_notes = forms.CharField(
        label=_("Accessibilité : précisions"),
        required=False,
        max_length=255,
        help_text=_("Par exemple : rampe d'accès, place de stationnement réservée."),
    )
    languages = checkboxes(_("Langues parlées à l'accueil"), LANGUAGE_CHOICES)
    service_radius_km = forms.IntegerField(
        label=_("Rayon d'intervention (km)"),
        required=False,
        min_value=0,
        max_value=500,
        help_text=_("Jusqu'à quelle distance vous vous déplacez ou acceptez des personnes."),
    )
    service_area = CommuneListField(
        label=_("Communes desservies"),
        required=False,
        help_text=_(
            "Séparez les communes par des virgules : Moulins, Yzeure, Avermes "
            "(ou leurs codes postaux)."
        ),
    )
    timezone = forms.ChoiceField(
        label=_("Fuseau horaire"),
        choices=TIMEZONE_CHOICES,
        help_text=_("Vos horaires et votre calendrier sont affichés à l'heure de ce fuseau."),
    )
    address = forms.CharField(
        label=_("Adresse"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Code postal"),
        required=False,
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("Le code postal compte 5 chiffres."))],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    commune = forms.CharField(label=_("Commune"), required=False, max_length=120)
    latitude = coordinate_field(_("Latitude"), 90, _("Position sur la carte, par exemple 46,5659."))
    longitude = coordinate_field(_("Longitude"), 180, _("Par exemple 3,3328."))

    def __init__(self, *args, partner, **kwargs):
        organisation = partner.organisation
        kwargs.setdefault(
            "initial",
            {
                **{
                    name: getattr(partner, name)
                    for name in PROFILE_FIELDS
                    if name != "service_area"
                },
                "service_area": list(partner.service_area.all()) if partner.pk else [],
                **{name: getattr(organisation, name) for name in ORGANISATION_FIELDS},
            },
        )
        super().__init__(*args, **kwargs)
        # Keep languages and a time zone set elsewhere (admin, API) selectable.
        known = {code for code, _label in LANGUAGE_CHOICES}
        extra = [(code, code) for code in partner.languages if code not in known]
        self.fields["languages"].choices = LANGUAGE_CHOICES + extra
        if partner.timezone not in dict(TIMEZONE_CHOICES):
            self.fields["timezone"].choices = [
                *TIMEZONE_CHOICES,
                (partner.timezone, partner.timezone),
            ]


CLOSURE_FULL = "full"
CLOSURE_REDUCED = "reduced"


class ClosureForm(ServiceErrorsMixin, forms.Form):
    error_fields = {"starts_at": "start_date", "ends_at": "end_date", "service": "service"}
    layout = (
        "service",
        ("start_date", "start_time"),
        ("end_date", "end_time"),
        "reason",
        "kind",
        "capacity",
        "note",
    )

    service = forms.ModelChoiceField(
        label=_("Ce qui ferme"),
        queryset=None,
        required=False,
        empty_label=_("Tout le partenaire (tous les services)"),
    )
    start_date = date_field(_("Du"), missing=_("Indiquez le premier jour."))
    start_time = time_field(
        _("À partir de (heure, facultatif)"),
        required=False,
        help_text=_("Laissez vide pour fermer dès le début de la journée."),
    )
    end_date = date_field(
        _("Au"),
        help_text=_("Dernier jour de fermeture, inclus."),
        missing=_("Indiquez le dernier jour."),
    )
    end_time = time_field(
        _("Jusqu'à (heure, facultatif)"),
        required=False,
        help_text=_("Laissez vide pour fermer jusqu'à la fin de la journée."),
    )
    reason = forms.ChoiceField(
        label=_("Motif"), choices=ClosureReason.choices, initial=ClosureReason.HOLIDAYS
    )
    note = forms.CharField(
        label=_("Précision (facultatif)"),
        required=False,
        max_length=255,
        help_text=_("Visible des conseillers, par exemple « Fêtes de fin d'année »."),
    )
    kind = forms.ChoiceField(
        label=_("Type de fermeture"),
        choices=[
            (CLOSURE_FULL, _("Fermeture complète : aucune réservation possible")),
            (CLOSURE_REDUCED, _("Capacité réduite : moins de places que d'habitude")),
        ],
        initial=CLOSURE_FULL,
        widget=forms.RadioSelect,
    )
    capacity = forms.IntegerField(
        label=_("Places restantes par créneau (capacité réduite)"),
        required=False,
        min_value=1,
        help_text=_("Seulement pour une capacité réduite, par exemple 1."),
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = ZoneInfo(partner.timezone)
        self.fields["service"].queryset = partner.services.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("kind") == CLOSURE_REDUCED and not data.get("capacity"):
            self.add_error("capacity", _("Indiquez combien de places restent ouvertes."))
        if data.get("kind") == CLOSURE_FULL:
            data["capacity"] = None
        start_date, end_date = data.get("start_date"), data.get("end_date")
        if start_date and end_date:
            start_time, end_time = data.get("start_time") or time(0), data.get("end_time")
            data["starts_at"] = local_datetime(start_date, start_time, self.tz)
            data["ends_at"] = (
                local_datetime(end_date, end_time, self.tz)
                if end_time is not None
                else local_datetime(end_date + timedelta(days=1), time(0), self.tz)  # end of day
            )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "reason": data["reason"],
            "service_id": data["service"].pk if data.get("service") else None,
            "capacity": data.get("capacity"),
            "note": data.get("note", ""),
        }


class AgreementForm(ServiceErrorsMixin, forms.Form):
    """The agreement between a partner and a platform the user administers."""

    platform = forms.ModelChoiceField(label=_("Plateforme"), queryset=None, empty_label=None)
    since = date_field(
        _("Convention depuis le"), missing=_("Indiquez le premier jour de la convention.")
    )
    until = date_field(
        _("Jusqu'au (facultatif)"),
        required=False,
        help_text=_("Laissez vide si la convention n'a pas de date de fin."),
    )
    active = forms.BooleanField(
        label=_("Convention active"),
        required=False,
        initial=True,
        help_text=_("Décochez pour la suspendre : vos conseillers ne verront plus ce partenaire."),
    )

    def __init__(self, *args, platforms, agreements=(), **kwargs):
        """`platforms`: where the user is an admin (a queryset); `agreements`: the partner's.
        The form starts from the agreement with the first of these platforms, if any."""
        choices = list(platforms)
        by_platform = {a.platform_id: a for a in agreements}
        current = next((by_platform[p.pk] for p in choices if p.pk in by_platform), None)
        if current is not None:
            kwargs.setdefault(
                "initial",
                {
                    "platform": current.platform_id,
                    "since": current.since,
                    "until": current.until,
                    "active": current.active,
                },
            )
        super().__init__(*args, **kwargs)
        self.single_platform = choices[0] if len(choices) == 1 else None
        if self.single_platform is not None:  # nothing to choose: the user's one platform
            del self.fields["platform"]
        else:
            self.fields["platform"].queryset = platforms

    def chosen_platform(self):
        return self.single_platform or self.cleaned_data["platform"]

    def service_fields(self) -> dict:
        return {
            "platform": self.chosen_platform(),
            **{name: self.cleaned_data.get(name) for name in ("since", "until", "active")},
        }
