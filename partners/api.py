"""Partner and service API (DESIGN §6). Objects a user may not see answer 404."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as account_permissions
from accounts.scoping import partner_organisation_ids
from core.api.fields import MoneyField, PatternField, StrictBooleanField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import NotFoundError, PermissionDeniedError
from core.places import COORDINATES_PATTERN
from marketplace.forms import SearchForm
from marketplace.selectors import SearchPaginator, Sort, service_search
from partners import permissions, selectors, services
from partners.enums import BookingMode, PartnerCategory, ServiceUnit
from partners.form_fields import LANGUAGE_CHOICES
from partners.models import Partner

MAX_SLOT_WINDOW_DAYS = 92


class IsStaffMember(BasePermission):
    """Platform staff and partner members; prescribers and beneficiaries have no catalogue."""

    message = _("Réservé aux équipes des plateformes et des partenaires.")

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (
                account_permissions.is_platform_staff(user)
                or account_permissions.is_partner_member(user)
            )
        )


class PartnerListApi(APIView):
    permission_classes = [IsStaffMember]
    pagination_class = PageNumberPagination

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = TextField()
        category = serializers.ChoiceField(choices=PartnerCategory.choices)
        status = TextField()
        description = TextField()
        opening_hours = TextField()
        address = TextField(source="organisation.address")
        commune = TextField(source="organisation.commune")
        postcode = TextField(source="organisation.postcode")
        latitude = serializers.DecimalField(
            source="organisation.latitude", max_digits=9, decimal_places=6, allow_null=True
        )
        longitude = serializers.DecimalField(
            source="organisation.longitude", max_digits=9, decimal_places=6, allow_null=True
        )
        wheelchair_accessible = serializers.BooleanField()
        languages = serializers.ListField(child=TextField())
        service_radius_km = serializers.IntegerField(allow_null=True)
        service_area = serializers.SerializerMethodField()

        def get_service_area(self, partner) -> list[dict]:
            return [
                {"insee_code": c.insee_code, "name": c.name} for c in partner.service_area.all()
            ]

        timezone = TextField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.partner_list_for(user=request.user).prefetch_related("service_area"),
            serializer_class=self.OutputSerializer,
        )


class PartnerDetailApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses={200: PartnerListApi.OutputSerializer})
    def get(self, request, partner_id: int):
        partner = selectors.partner_get_for(user=request.user, partner_id=partner_id)
        return Response(PartnerListApi.OutputSerializer(partner).data)


class ServiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    category = serializers.ChoiceField(choices=PartnerCategory.choices)
    unit = serializers.ChoiceField(choices=ServiceUnit.choices)
    market_price = MoneyField()
    solidarity_price = MoneyField()
    saving = MoneyField()
    deposit = MoneyField()
    partner = serializers.SerializerMethodField()
    commune = TextField(source="partner.organisation.commune")
    distance_km = serializers.SerializerMethodField()
    next_available_at = serializers.DateTimeField(allow_null=True)
    description = TextField()
    eligibility_note = TextField()
    booking_mode = serializers.ChoiceField(choices=BookingMode.choices)
    auto_confirm = serializers.BooleanField()
    min_notice_hours = serializers.IntegerField()
    max_advance_days = serializers.IntegerField()
    cancellation_cutoff_hours = serializers.IntegerField()
    published = serializers.BooleanField()

    def get_partner(self, service) -> dict:
        return {"id": service.partner_id, "name": service.partner.organisation.name}

    def get_distance_km(self, service) -> float | None:
        distance = getattr(service, "distance_km", None)
        return None if distance is None else round(float(distance), 1)


class ServiceInputSerializer(serializers.Serializer):
    partner = serializers.IntegerField(required=False)
    name = TextField(max_length=150)
    description = TextField(required=False, allow_blank=True)
    unit = serializers.ChoiceField(choices=ServiceUnit.choices)
    market_price = MoneyField(min_value=0)
    solidarity_price = MoneyField(min_value=0)
    deposit = MoneyField(min_value=0, required=False)
    eligibility_note = TextField(required=False, allow_blank=True)
    booking_mode = serializers.ChoiceField(choices=BookingMode.choices, required=False)
    auto_confirm = StrictBooleanField(required=False)
    min_notice_hours = serializers.IntegerField(min_value=0, max_value=24 * 90, required=False)
    max_advance_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    cancellation_cutoff_hours = serializers.IntegerField(
        min_value=0, max_value=24 * 30, required=False
    )

    def validate(self, attrs):
        market, solidarity = attrs.get("market_price"), attrs.get("solidarity_price")
        if market is not None and solidarity is not None and solidarity > market:
            raise serializers.ValidationError(
                {
                    "solidarity_price": _(
                        "Le prix solidaire doit être inférieur ou égal au prix du marché."
                    )
                }
            )
        return attrs


def _managed_partner_for_creation(user, partner_id: int | None) -> Partner:
    visible = selectors.partner_list_for(user=user)
    if partner_id is None:
        own = list(visible.filter(organisation_id__in=partner_organisation_ids(user)))
        manageable = [p for p in own if permissions.can_manage_partner(user, p)]
        if not manageable and not any(permissions.can_manage_partner(user, p) for p in visible):
            raise PermissionDeniedError(_("Vous ne gérez aucun partenaire."))
        if len(manageable) != 1:
            raise serializers.ValidationError(
                {"partner": _("Précisez le partenaire qui propose ce service.")}
            )
        return manageable[0]
    partner = visible.filter(pk=partner_id).first()
    if partner is None:
        raise NotFoundError(_("Partenaire introuvable."))
    if not permissions.can_manage_partner(user, partner):
        raise PermissionDeniedError(_("Vous ne pouvez pas modifier ce partenaire."))
    return partner


def _service_for_change(user, service_id: int):
    service = selectors.service_get_for(user=user, service_id=service_id)
    if not permissions.can_manage_partner(user, service.partner):
        raise PermissionDeniedError(_("Vous ne pouvez pas modifier ce service."))
    return service


class SearchPagination(PageNumberPagination):
    django_paginator_class = SearchPaginator


class CatalogueQuerySerializer(serializers.Serializer):
    """The catalogue's query parameters, typed as the schema documents them; `SearchForm` then
    applies its rules (a known place or person, dates ahead, a place to sort by distance...)."""

    category = serializers.ChoiceField(choices=PartnerCategory.choices, required=False)
    q = TextField(max_length=100, required=False, allow_blank=True,
                              help_text="Mots-clés")  # fmt: skip
    place = TextField(max_length=120, required=False, allow_blank=True,
                                  help_text="Commune ou code postal")  # fmt: skip
    commune = TextField(max_length=5, required=False, allow_blank=True,
                                    help_text="Code INSEE de la commune")  # fmt: skip
    near = PatternField(COORDINATES_PATTERN, required=False,
                                  help_text="latitude,longitude")  # fmt: skip
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


class ServiceListApi(APIView):
    """The catalogue: filters and sort of `marketplace.forms.SearchForm`, scoped to the user."""

    permission_classes = [IsStaffMember]
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

    @extend_schema(request=ServiceInputSerializer, responses={201: ServiceOutputSerializer})
    def post(self, request):
        data = ServiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        partner = _managed_partner_for_creation(request.user, fields.pop("partner", None))
        service = services.service_create(actor=request.user, partner_id=partner.pk, **fields)
        service = selectors.service_get_for(user=request.user, service_id=service.pk)
        return Response(ServiceOutputSerializer(service).data, status=status.HTTP_201_CREATED)


class ServiceDetailApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses={200: ServiceOutputSerializer})
    def get(self, request, service_id: int):
        service = selectors.service_get_for(user=request.user, service_id=service_id)
        return Response(ServiceOutputSerializer(service).data)

    def _update(self, request, service_id: int, partial: bool):
        _service_for_change(request.user, service_id)
        data = ServiceInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("partner", None)  # a service never moves to another partner
        services.service_update(actor=request.user, service_id=service_id, **fields)
        service = selectors.service_get_for(user=request.user, service_id=service_id)
        return Response(ServiceOutputSerializer(service).data)

    @extend_schema(request=ServiceInputSerializer, responses={200: ServiceOutputSerializer})
    def put(self, request, service_id: int):
        return self._update(request, service_id, partial=False)

    @extend_schema(request=ServiceInputSerializer, responses={200: ServiceOutputSerializer})
    def patch(self, request, service_id: int):
        return self._update(request, service_id, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, service_id: int):
        _service_for_change(request.user, service_id)
        services.service_delete(actor=request.user, service_id=service_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServicePublishApi(APIView):
    permission_classes = [IsStaffMember]
    publish = True

    @extend_schema(request=None, responses={200: ServiceOutputSerializer})
    def post(self, request, service_id: int):
        _service_for_change(request.user, service_id)
        action = services.service_publish if self.publish else services.service_unpublish
        action(actor=request.user, service_id=service_id)
        service = selectors.service_get_for(user=request.user, service_id=service_id)
        return Response(ServiceOutputSerializer(service).data)


class SlotListApi(APIView):
    """Slots of one service between two dates (the partner's local days), with what remains."""

    permission_classes = [IsStaffMember]

    class FilterSerializer(serializers.Serializer):
        from_ = serializers.DateField(required=False)
        to = serializers.DateField(required=False)

        def to_internal_value(self, data):
            data = {"from_": data.get("from"), "to": data.get("to")}
            return super().to_internal_value({k: v for k, v in data.items() if v is not None})

        def validate(self, attrs):
            start, end = attrs.get("from_"), attrs.get("to")
            if start and end:
                if end < start:
                    raise serializers.ValidationError(
                        {"to": _("La date de fin doit être après la date de début.")}
                    )
                if (end - start).days > MAX_SLOT_WINDOW_DAYS:
                    raise serializers.ValidationError(
                        {"to": _("Au plus %(days)s jours à la fois.") % {"days": 92}}
                    )
            return attrs

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        capacity = serializers.IntegerField()
        remaining = serializers.IntegerField()

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Premier jour"),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Dernier jour inclus (au plus 92 jours)"
            ),
        ],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request, service_id: int):
        service = selectors.service_get_for(user=request.user, service_id=service_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tz = ZoneInfo(service.partner.timezone)
        first = filters.validated_data.get("from_") or timezone.now().astimezone(tz).date()
        last = filters.validated_data.get("to") or first + timedelta(days=13)
        start = datetime.combine(first, time(0), tzinfo=tz)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
        slots = selectors.slot_list(service=service, start=start, end=end)
        return Response(self.OutputSerializer(slots, many=True).data)
