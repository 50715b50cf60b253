"""Partner and service API (DESIGN §6): partners, a partner's services (create, change,
publish, delete) and their slots. The catalogue's search is `marketplace.api`. Objects a user
may not see answer 404."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import DataKind, Need
from accounts.scoping import partner_organisation_ids
from core.api.fields import MoneyField, StrictBooleanField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import NotFoundError, PermissionDeniedError
from partners import permissions, selectors, services
from partners.enums import BookingMode, PartnerCategory, ServiceUnit
from partners.models import Partner

MAX_SLOT_WINDOW_DAYS = 92


class PartnerListApi(APIView):
    need_to_know = Need(DataKind.CATALOGUE)
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
    need_to_know = Need(DataKind.CATALOGUE)

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
    no_show_owed = serializers.BooleanField()
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
    no_show_owed = StrictBooleanField(required=False)
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


class ServiceCreateApi(APIView):
    """Creating a service. It shares its address with the catalogue's search
    (`marketplace.api.ServiceListApi`, which adds the GET)."""

    need_to_know = Need(DataKind.CATALOGUE)

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
    need_to_know = Need(DataKind.CATALOGUE)

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
    need_to_know = Need(DataKind.CATALOGUE)
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

    need_to_know = Need(DataKind.CATALOGUE)

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
