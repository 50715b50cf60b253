"""The catalogue API (DESIGN §6): GET /api/v1/services/ searches the services a user may
book, with the filters and sort of `marketplace.forms.SearchForm` (shared with the page).
The same address creates a service on POST, which is the partners app's
(`partners.api.ServiceCreateApi`); a service's own endpoints are there too."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from core.api.pagination import PageNumberPagination, paginated_response
from marketplace.forms import SearchForm
from marketplace.selectors import SearchPaginator, service_search
from partners import selectors
from partners.api import ServiceCreateApi, ServiceOutputSerializer
from partners.enums import PartnerCategory


class SearchPagination(PageNumberPagination):
    django_paginator_class = SearchPaginator


class ServiceListApi(ServiceCreateApi):
    """The catalogue: filters and sort of `marketplace.forms.SearchForm`, scoped to the user."""

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, enum=PartnerCategory.values),
            OpenApiParameter("q", str, description="Mots-clés"),
            OpenApiParameter("place", str, description="Commune ou code postal"),
            OpenApiParameter("commune", str, description="Code INSEE de la commune"),
            OpenApiParameter("near", str, description="latitude,longitude"),
            OpenApiParameter("beneficiary", int, description="Autour du domicile de la personne"),
            OpenApiParameter("radius_km", float, description="Rayon (km, défaut 30)"),
            OpenApiParameter("available_from", OpenApiTypes.DATE),
            OpenApiParameter("available_to", OpenApiTypes.DATE),
            OpenApiParameter("max_price", float, description="Prix solidaire maximum"),
            OpenApiParameter("wheelchair", bool),
            OpenApiParameter("language", str),
            OpenApiParameter("covers", bool, description="Le partenaire dessert le lieu"),
            OpenApiParameter("sort", str, enum=["distance", "next", "price"]),
        ],
        responses={200: ServiceOutputSerializer(many=True)},
    )
    def get(self, request):
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
