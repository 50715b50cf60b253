"""Forms of the booking pages (their French wording is in `bookings.wording`).

The booking form is built around the slots the page shows (free ones of the window, in the
partner's time zone): it checks what the person asked against them, and leaves the capacity
guard, the timing rules and the prices to `bookings.services` and `bookings.pricing`."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.enums import BookingStatus
from bookings.wording import local, units_text
from core.formatting import day_label, duration_text, hm
from core.forms import date_field
from partners.enums import BookingMode, ServiceUnit
from partners.form_fields import FrenchDecimalField

MAX_QUANTITY = 20
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 255

# --- Booking a service ------------------------------------------------------------------------


class BookingForm(forms.Form):
    """Who, which slots (or which days of a rental), how many, and a word for the partner.

    `slots` are the slots of the window the page offers, full ones included (a slot that
    filled up while the adviser was choosing is then named, not silently dropped)."""

    beneficiary = forms.IntegerField(
        label=gettext_lazy("Personne accompagnée"),
        error_messages={
            "required": gettext_lazy("Choisissez la personne : cherchez-la par son nom."),
            "invalid": gettext_lazy("Choisissez la personne : cherchez-la par son nom."),
        },
    )
    slots = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Créneaux"),
        coerce=int,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Ce créneau n'est plus proposé. Choisissez-en un autre.")
        },
    )
    first_day = date_field(gettext_lazy("Premier jour"), required=False)
    last_day = date_field(gettext_lazy("Dernier jour"), required=False)
    quantity = forms.IntegerField(
        label=gettext_lazy("Nombre de places"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        help_text=gettext_lazy("Le plus souvent 1 : une personne, un véhicule."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    units = FrenchDecimalField(
        label=gettext_lazy("Kilomètres prévus"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=7,
        decimal_places=1,
        help_text=gettext_lazy(
            "Aller et retour compris. Le partenaire indiquera les kilomètres réellement "
            "parcourus une fois le trajet fait : le prix suivra."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Message pour le partenaire"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Le partenaire le lit avec le nom et le téléphone de la personne. N'écrivez rien "
            "de sa situation personnelle."
        ),
    )

    def __init__(self, *args, service, people, slots, tz: ZoneInfo, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.full_slot = None  # a chosen slot with no room left (the page answers 409)
        self.person = None  # the person chosen, once valid
        self.service = service
        self.people = people
        self.tz = tz
        self.today = today
        self.period = service.booking_mode == BookingMode.PERIOD
        self.window = list(slots)
        self.by_id = {slot.pk: slot for slot in self.window}
        self.fields["slots"].choices = [(slot.pk, slot.pk) for slot in self.window]
        self.by_day: dict[date, list] = defaultdict(list)
        for slot in self.window:
            self.by_day[local(slot.starts_at, tz).date()].append(slot)
        if self.period:
            self.fields["first_day"].required = self.fields["last_day"].required = True
        if service.unit == ServiceUnit.KM:
            self.fields["units"].required = True
        else:
            del self.fields["units"]
        self.fields["quantity"].label = (
            _("Nombre de véhicules") if self.period else _("Nombre de places")
        )

    # Presentation of the window ---------------------------------------------------------

    def chosen_ids(self) -> list[int]:
        """The slot ids the page received (valid numbers only)."""
        if not self.is_bound:
            return []
        chosen = []
        for value in self.data.getlist(self.add_prefix("slots")):
            try:
                chosen.append(int(value))
            except (TypeError, ValueError):
                continue
        return chosen

    def clean_beneficiary(self):
        person = self.people.filter(pk=self.cleaned_data["beneficiary"]).first()
        if person is None:
            raise forms.ValidationError(
                _("Personne introuvable (ou son dossier est clos) : cherchez-la à nouveau.")
            )
        self.person = person
        return person.pk

    def slot_length(self) -> str:
        """« 1 h », « 30 min », « 1 h 30 » when every slot offered lasts as long, else ""."""
        lengths = {slot.ends_at - slot.starts_at for slot in self.window}
        if len(lengths) != 1:
            return ""
        return duration_text(int(lengths.pop().total_seconds() // 60))

    # Validation -------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        quantity = data.get("quantity") or 1
        if self.period:
            chosen = self._period_slots(data)
        else:
            chosen = self._timed_slots(data)
        if chosen is None:
            return data
        for slot in chosen:
            if slot.remaining <= 0:
                self.full_slot = slot
                message = (
                    _("Plus de place %(slot)s : choisissez d'autres dates.")
                    if self.period
                    else _("Plus de place sur %(slot)s : choisissez-en un autre.")
                )
                self.add_error(
                    "first_day" if self.period else "slots",
                    message % {"slot": self.slot_name(slot)},
                )
                return data
            if slot.remaining < quantity:
                self.add_error(
                    "quantity",
                    ngettext(
                        "Il ne reste qu'une place pour %(slot)s.",
                        "Il ne reste que %(n)s places pour %(slot)s.",
                        slot.remaining,
                    )
                    % {"n": slot.remaining, "slot": self.slot_name(slot)},
                )
                return data
        data["slot_objects"] = chosen
        data["slot_ids"] = [slot.pk for slot in chosen]
        return data

    def slot_name(self, slot) -> str:
        start = local(slot.starts_at, self.tz)
        if self.period:
            return _("le %(day)s") % {"day": day_label(start.date(), self.today)}
        return _("le créneau du %(day)s à %(time)s") % {
            "day": day_label(start.date(), self.today),
            "time": hm(start.time(), minutes=True),
        }

    def _timed_slots(self, data) -> list | None:
        ids = data.get("slots") or []
        if "slots" in self.errors:
            return None
        if not ids:
            self.add_error("slots", _("Choisissez au moins un créneau."))
            return None
        return sorted((self.by_id[pk] for pk in ids), key=lambda s: s.starts_at)

    def _period_slots(self, data) -> list | None:
        first, last = data.get("first_day"), data.get("last_day")
        if not first or not last:
            return None
        if last < first:
            self.add_error("last_day", _("Le dernier jour doit venir après le premier jour."))
            return None
        chosen = [
            slot
            for day, slots in sorted(self.by_day.items())
            if first <= day <= last
            for slot in slots
        ]
        if not chosen:
            self.add_error(
                "first_day",
                _("Aucun jour d'ouverture entre ces deux dates : choisissez-en d'autres."),
            )
            return None
        return chosen

    def hidden_values(self) -> list[tuple[str, str]]:
        """The answers, as hidden inputs for the confirmation step."""
        values = []
        for name in self.fields:
            for value in self.data.getlist(self.add_prefix(name)):
                values.append((self.add_prefix(name), value))
        return values


# --- Booking list filters ---------------------------------------------------------------------


class BookingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Statut"),
        required=False,
        choices=[("", gettext_lazy("Tous les statuts"))] + list(BookingStatus.choices),
    )
    person = forms.CharField(
        label=gettext_lazy("Personne (nom ou prénom)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    date_from = date_field(gettext_lazy("Du"), required=False)
    date_to = date_field(gettext_lazy("au"), required=False)
    upcoming = forms.BooleanField(label=gettext_lazy("À venir seulement"), required=False)
    beneficiary = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("La date de fin doit venir après la date de début."))
        return data


# --- Answers and closing --------------------------------------------------------------------


class ReasonForm(forms.Form):
    """A reason, required: to decline a request or to cancel a booking."""

    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Indiquez le motif en quelques mots.")},
    )

    def __init__(self, *args, label=None, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class CompleteForm(forms.Form):
    """The service took place; for km services, the distance actually driven."""

    units = FrenchDecimalField(
        label=gettext_lazy("Kilomètres réellement parcourus"),
        min_value=Decimal("0.1"),
        max_digits=7,
        decimal_places=1,
        required=True,
    )

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        if booking.service.unit != ServiceUnit.KM:
            del self.fields["units"]
        else:
            self.fields["units"].initial = booking.units
            self.fields["units"].help_text = _("Prévus : %(km)s.") % {
                "km": units_text(booking.units, ServiceUnit.KM)
            }


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Référence du bon"),
        max_length=20,
        help_text=gettext_lazy(
            "Elle est écrite sur le bon de la personne, par exemple SM-7K3F-92QD."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_reference(self) -> str:
        """« sm 7k3f 92qd », « SM7K3F92QD » and « 7K3F-92QD » all read SM-7K3F-92QD."""
        raw = "".join(ch for ch in self.cleaned_data["reference"].upper() if ch.isalnum())
        if raw.startswith("SM") and len(raw) == 10:
            raw = raw[2:]
        if len(raw) != 8:
            raise forms.ValidationError(
                _("Une référence a la forme SM-XXXX-XXXX (4 lettres ou chiffres, deux fois).")
            )
        return f"SM-{raw[:4]}-{raw[4:]}"
