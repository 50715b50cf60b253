"""Forms of the waiting-list pages."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.need_to_know import DataKind, Mode
from accounts.scoping import platform_ids
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.selectors import beneficiary_list_for
from bookings.enums_waitlist import EntryStatus
from core.forms import date_field, section
from partners.enums import BookingMode
from partners.selectors import bookable_services


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.last_name.upper()} {obj.first_name}"


class ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} — {obj.partner.organisation.name}"


class WaitlistAddForm(forms.Form):
    layout = (
        section("qui", gettext_lazy("Qui et quoi"), "beneficiary", "service"),
        section("quand", gettext_lazy("Dates souhaitées"), ("wanted_from", "wanted_until"),
                "note"),
    )  # fmt: skip

    beneficiary = PersonChoice(
        label=gettext_lazy("Personne"), queryset=None,
        error_messages={"required": gettext_lazy("Choisissez la personne.")},
    )  # fmt: skip
    service = ServiceChoice(
        label=gettext_lazy("Service"), queryset=None,
        error_messages={"required": gettext_lazy("Choisissez le service.")},
    )  # fmt: skip
    wanted_from = date_field(
        gettext_lazy("À partir du"), missing=gettext_lazy("Indiquez le premier jour possible.")
    )
    wanted_until = date_field(
        gettext_lazy("Jusqu'au"), missing=gettext_lazy("Indiquez le dernier jour possible.")
    )
    note = forms.CharField(
        label=gettext_lazy("Note (facultatif)"), required=False, max_length=500,
        help_text=gettext_lazy("Par exemple : le matin seulement."),
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = (
            beneficiary_list_for(user=user, kind=DataKind.IDENTITY, mode=Mode.WRITE)
            .exclude(status=BeneficiaryStatus.CLOSED)
            .order_by("last_name", "first_name", "pk")
        )
        services = None
        for platform_id in sorted(platform_ids(user)):
            mine = bookable_services(platform_id=platform_id)
            services = mine if services is None else services | mine
        self.fields["service"].queryset = (
            services.filter(booking_mode=BookingMode.SLOT)
            .select_related("partner__organisation")
            .distinct()
            .order_by("name", "pk")
            if services is not None
            else bookable_services(platform_id=0).none()
        )
        today = timezone.localdate()
        self.fields["wanted_from"].initial = today
        self.fields["wanted_until"].initial = today + timedelta(days=30)

    def clean(self):
        data = super().clean()
        first, last = data.get("wanted_from"), data.get("wanted_until")
        if first and last and last < first:
            self.add_error("wanted_until", _("Le dernier jour doit venir après le premier."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "beneficiary_id": data["beneficiary"].pk, "service_id": data["service"].pk,
            "wanted_from": data["wanted_from"], "wanted_until": data["wanted_until"],
            "note": data.get("note", ""),
        }  # fmt: skip


class WaitlistFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("État"),
        required=False,
        choices=[("", gettext_lazy("En attente ou place proposée"))] + list(EntryStatus.choices),
    )
