"""The catalogue API (DESIGN §6): GET /api/v1/services/ searches the services a user may
book, with the filters and sort of `marketplace.forms.SearchForm` (shared with the page).
The same address creates a service on POST, which is the partners app's
(`partners.api.ServiceCreateApi`); a service's own endpoints are there too."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from core.api.fields import PatternField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.places import COORDINATES_PATTERN
from marketplace.forms import SearchForm
from marketplace.selectors import SearchPaginator, Sort, service_search
from partners import selectors
from partners.api import ServiceCreateApi, ServiceOutputSerializer
from partners.enums import PartnerCategory
from partners.form_fields import LANGUAGE_CHOICES


class SearchPagination(PageNumberPagination):
    django_paginator_class = SearchPaginator


class CatalogueQuerySerializer(serializers.Serializer):
    """The catalogue's query parameters, typed as the schema documents them; `SearchForm` then
    applies its rules (a known place or person, dates ahead, a place to sort by distance...)."""

    category = serializers.ChoiceField(choices=PartnerCategory.choices, required=False)
    q = TextField(max_length=100, required=False, allow_blank=True, help_text="Mots-clés")
    place = TextField(max_length=120, required=False, allow_blank=True,
                      help_text="Commune ou code postal")  # fmt: skip
    commune = TextField(max_length=5, required=False, allow_blank=True,
                        help_text="Code INSEE de la commune")  # fmt: skip
    near = PatternField(COORDINATES_PATTERN, required=False, help_text="latitude,longitude")
    beneficiary = serializers.IntegerField(
        required=False, help_text="Autour du domicile de la personne"
    )
    # Decimals as the page's form reads them: a point or a French comma ("20,50").
    radius_km = PatternField(
        r"^(?:300(?:[.,]0)?|(?:[1-9][0-9]?|[12][0-9]{2})(?:[.,][0-9])?)$",
        required=False,
        help_text="Rayon en km, de 1 à 300 (défaut 30)",
    )
    available_from = serializers.DateField(required=False)
    available_to = serializers.DateField(required=False)
    max_price = PatternField(
        r"^[0-9]{1,10}(?:[.,][0-9]{1,2})?$", required=False, help_text="Prix solidaire maximum"
    )
    wheelchair = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    covers = serializers.BooleanField(required=False, help_text="Le partenaire dessert le lieu")
    sort = serializers.ChoiceField(choices=[Sort.DISTANCE, Sort.NEXT, Sort.PRICE], required=False)


class ServiceListApi(ServiceCreateApi):
    """The catalogue: filters and sort of `marketplace.forms.SearchForm`, scoped to the user."""

    pagination_class = SearchPagination

    @extend_schema(
        parameters=[CatalogueQuerySerializer], responses={200: ServiceOutputSerializer(many=True)}
    )
    def get(self, request):
        query = CatalogueQuerySerializer(data=request.query_params.dict())  # "" is no value
        query.is_valid(raise_exception=True)
        form = SearchForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        services = service_search(selectors.service_base_for(user=request.user), form.filters())
        return paginated_response(
            request=request,
            view=self,
            queryset=services,
            serializer_class=ServiceOutputSerializer,
            pagination_class=SearchPagination,
        )
