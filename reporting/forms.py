"""The period of a dashboard, kept in the URL (`?from=2026-01-01&to=2026-12-31`): this
calendar year by default."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 366 * 10


def this_year(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return date(today.year, 1, 1), date(today.year, 12, 31)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Du"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    end = forms.DateField(label=_("Au"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    platform = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def add_prefix(self, field_name):
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        first, last = this_year()
        start, end = data.get("start") or first, data.get("end") or last
        if end < start:
            raise forms.ValidationError(_("La fin de la période est avant son début."))
        if (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("Choisissez une période de dix ans au plus."))
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return this_year()
