"""Forms of a partner's service pages: the service itself (offer, prices, booking rules) and
its opening hours (availability rules)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import date_field, section, time_field
from partners.enums import WEEKDAY_LABELS, BookingMode, ServiceUnit
from partners.form_fields import FrenchDecimalField, ServiceErrorsMixin
from partners.services import SERVICE_FIELDS


class ServiceForm(ServiceErrorsMixin, forms.Form):
    layout = (
        section("what", _("Le service"), "name", "description", "eligibility_note"),
        section("prices", _("Prix"), "unit", ("market_price", "solidarity_price"), "deposit"),
        section(
            "booking",
            _("Réservation"),
            "booking_mode",
            "auto_confirm",
            "min_notice_hours",
            "max_advance_days",
            "cancellation_cutoff_hours",
            "no_show_owed",
        ),
    )
    name = forms.CharField(
        label=_("Nom du service"),
        max_length=150,
        help_text=_("Par exemple « Vidange et filtres » ou « Location de scooter »."),
        error_messages={"required": _("Indiquez le nom du service.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que comprend le service, ce que la personne doit apporter."),
    )
    unit = forms.ChoiceField(
        label=_("Le prix est compté par"),
        choices=ServiceUnit.choices,
        help_text=_("Heure, jour, kilomètre, séance ou forfait."),
    )
    market_price = FrenchDecimalField(
        label=_("Prix du marché (€)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Le prix habituel de ce service ailleurs, pour une unité."),
        error_messages={"required": _("Indiquez le prix du marché.")},
    )
    solidarity_price = FrenchDecimalField(
        label=_("Prix solidaire (€)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Le prix payé par la personne, avant les aides, pour une unité."),
        error_messages={"required": _("Indiquez le prix solidaire.")},
    )
    deposit = FrenchDecimalField(
        label=_("Caution (€)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("Somme demandée en garantie et rendue ensuite. 0 s'il n'y en a pas."),
    )
    eligibility_note = forms.CharField(
        label=_("Conditions d'accès"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Qui peut en bénéficier, par exemple : permis B valide."),
    )
    booking_mode = forms.ChoiceField(
        label=_("Comment se réserve ce service ?"),
        choices=BookingMode.choices,
        initial=BookingMode.SLOT,
        widget=forms.RadioSelect,
        help_text=_(
            "Créneaux horaires : un rendez-vous à une heure précise. "
            "Jours entiers : une location, réservée à la journée."
        ),
    )
    no_show_owed = forms.BooleanField(
        label=_("Une absence non prévenue vous reste due"),
        required=False,
        help_text=_(
            "Si la personne ne vient pas, la plateforme vous paie quand même le "
            "rendez-vous (selon votre convention)."
        ),
    )
    auto_confirm = forms.BooleanField(
        label=_("Confirmer les réservations automatiquement"),
        required=False,
        help_text=_("Sinon, votre équipe accepte ou refuse chaque demande."),
    )
    min_notice_hours = forms.IntegerField(
        label=_("Délai minimum avant le rendez-vous (heures)"),
        min_value=0,
        max_value=24 * 90,
        initial=24,
        help_text=_("Une réservation doit être faite au moins ce nombre d'heures à l'avance."),
    )
    max_advance_days = forms.IntegerField(
        label=_("Réservable jusqu'à (jours à l'avance)"),
        min_value=1,
        max_value=365,
        initial=90,
    )
    cancellation_cutoff_hours = forms.IntegerField(
        label=_("Annulation possible jusqu'à (heures avant)"),
        min_value=0,
        max_value=24 * 30,
        initial=24,
    )

    def __init__(self, *args, service=None, **kwargs):
        if service is not None:
            kwargs.setdefault("initial", {name: getattr(service, name) for name in SERVICE_FIELDS})
        super().__init__(*args, **kwargs)

    def clean_deposit(self):
        deposit = self.cleaned_data.get("deposit")
        return Decimal("0") if deposit is None else deposit


class RuleForm(ServiceErrorsMixin, forms.Form):
    layout = (
        "weekdays",
        ("start_time", "end_time"),
        ("slot_minutes", "capacity"),
        ("valid_from", "valid_until"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours d'ouverture"),
        choices=WEEKDAY_LABELS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un jour de la semaine.")},
    )
    start_time = time_field(
        _("De"),
        help_text=_("Heure d'ouverture, par exemple 09:00."),
        missing=_("Indiquez l'heure de début."),
    )
    end_time = time_field(
        _("À"),
        help_text=_("Heure de fermeture, par exemple 12:00."),
        missing=_("Indiquez l'heure de fin."),
    )
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un créneau (minutes)"),
        min_value=15,
        max_value=24 * 60,
        initial=60,
        help_text=_("Par exemple 60 pour des rendez-vous d'une heure."),
    )
    capacity = forms.IntegerField(
        label=_("Places par créneau"),
        min_value=1,
        initial=1,
        help_text=_("Combien de personnes vous pouvez recevoir en même temps."),
    )
    valid_from = date_field(
        _("Valable à partir du"),
        required=False,
        help_text=_("Laissez vide pour commencer aujourd'hui."),
    )
    valid_until = date_field(
        _("Jusqu'au"), required=False, help_text=_("Laissez vide si la règle n'a pas de fin.")
    )

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = service.booking_mode == BookingMode.PERIOD
        if self.period:
            # A rental day is one slot from opening to closing: there is no length to choose.
            del self.fields["slot_minutes"]
            self.fields["capacity"].label = _("Véhicules ou places par jour")
            self.fields["capacity"].help_text = _("Combien de locations possibles chaque jour.")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}
