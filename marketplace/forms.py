"""The catalogue filters, shared by the search page and `GET /api/v1/services/`."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.selectors import beneficiary_get_for
from core.errors import NotFoundError
from core.models import Commune
from core.places import (
    Place,
    PlaceError,
    parse_coordinates,
    place_for_address,
    place_from_commune,
    resolve_place,
)
from marketplace.selectors import SearchFilters, Sort
from partners.enums import PartnerCategory
from partners.form_fields import LANGUAGE_CHOICES

MAX_WINDOW_DAYS = 92
MAX_ADVANCE_DAYS = 366
LANGUAGES = [("", _("Toutes")), *LANGUAGE_CHOICES]  # those partners can declare
SORTS = [
    ("", _("Automatique")),
    (Sort.DISTANCE, _("Distance")),
    (Sort.NEXT, _("Prochaine disponibilité")),
    (Sort.PRICE, _("Prix solidaire")),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Mots-clés"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=_("Type de service"),
        required=False,
        choices=[("", _("Tous"))] + list(PartnerCategory.choices),
    )
    place = forms.CharField(
        label=_("Commune ou code postal"),
        max_length=120,
        required=False,
        help_text=_("Par exemple : Montluçon, ou 03100"),
    )
    commune = forms.CharField(label=_("Code INSEE"), max_length=5, required=False)
    near = forms.CharField(label=_("Coordonnées (latitude,longitude)"), required=False)
    beneficiary = forms.IntegerField(label=_("Autour du domicile de"), required=False)
    radius_km = forms.DecimalField(
        label=_("Distance maximale (km)"),
        required=False,
        min_value=1,
        max_value=300,
        decimal_places=1,
        localize=True,
    )
    available_from = forms.DateField(label=_("Disponible à partir du"), required=False)
    available_to = forms.DateField(label=_("jusqu'au"), required=False)
    max_price = forms.DecimalField(
        label=_("Prix solidaire maximum (€ par unité)"),
        required=False,
        min_value=0,
        decimal_places=2,
        localize=True,
    )
    wheelchair = forms.BooleanField(label=_("Accessible en fauteuil roulant"), required=False)
    language = forms.ChoiceField(label=_("Langue parlée"), required=False, choices=LANGUAGES)
    covers = forms.BooleanField(
        label=_("Seulement les partenaires qui interviennent à cet endroit"), required=False
    )
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORTS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _place(self, data) -> Place | None:
        if data.get("near"):
            try:
                latitude, longitude = parse_coordinates(data["near"])
            except ValueError:
                self.add_error("near", _("Écrivez deux nombres séparés par une virgule."))
                return None
            return Place(latitude, longitude, data["near"])
        if data.get("commune"):
            commune = Commune.objects.filter(insee_code=data["commune"].upper()).first()
            if commune is None:
                self.add_error("commune", _("Code INSEE inconnu."))
                return None
            return place_from_commune(commune)
        if data.get("beneficiary"):
            try:
                person = beneficiary_get_for(user=self.user, beneficiary_id=data["beneficiary"])
                return place_for_address(postcode=person.postcode, commune=person.commune)
            except NotFoundError:
                self.add_error("beneficiary", _("Personne introuvable."))
            except PlaceError as exc:
                self.add_error("beneficiary", exc.message)
            return None
        if data.get("place"):
            try:
                return resolve_place(data["place"])
            except PlaceError as exc:
                self.add_error("place", exc.message)
        return None

    def clean(self):
        data = super().clean()
        data["resolved_place"] = self._place(data)
        start, end = data.get("available_from"), data.get("available_to")
        if start and end:
            if end < start:
                self.add_error(
                    "available_to", _("La date de fin doit être après la date de début.")
                )
            elif (end - start) > timedelta(days=MAX_WINDOW_DAYS):
                self.add_error(
                    "available_to",
                    _("Cherchez sur %(days)s jours au plus.") % {"days": MAX_WINDOW_DAYS},
                )
        today = timezone.localdate()
        if end and end < today:
            self.add_error("available_to", _("Cette date est déjà passée."))
        latest = today + timedelta(days=MAX_ADVANCE_DAYS)
        for name in ("available_from", "available_to"):
            if data.get(name) and data[name] > latest and name not in self.errors:
                self.add_error(name, _("Cherchez au plus un an à l'avance."))
        place_asked = any(data.get(k) for k in ("near", "commune", "beneficiary", "place"))
        if data.get("sort") == Sort.DISTANCE and not place_asked:
            self.add_error("sort", _("Pour trier par distance, indiquez un lieu."))
        if data.get("covers") and not place_asked:
            self.add_error("covers", _("Indiquez le lieu à desservir."))
        return data

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            category=data.get("category") or "",
            q=(data.get("q") or "").strip(),
            place=data.get("resolved_place"),
            radius_km=data.get("radius_km"),
            available_from=data.get("available_from"),
            available_to=data.get("available_to"),
            max_price=data.get("max_price"),
            wheelchair=bool(data.get("wheelchair")),
            language=data.get("language") or "",
            covers_place=bool(data.get("covers")),
            sort=data.get("sort") or "",
        )
