"""Webhook subscriptions API (DESIGN §6): an organisation's admins list, create, read,
change and delete its subscriptions and read their deliveries. The secret is in the 201
answer only. A subscription of another organisation is 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import DataKind, Need
from core.api.fields import StrictBooleanField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from exchange import selectors, services
from exchange.enums import DeliveryStatus
from exchange.events import EVENTS

EVENTS_HELP = "Évènements : " + ", ".join(EVENTS)


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.SerializerMethodField()
    url = TextField()
    description = TextField()
    events = serializers.ListField(child=TextField())
    active = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_organisation(self, subscription) -> dict:
        return {"id": subscription.organisation_id, "name": subscription.organisation.name}


class CreatedSubscriptionSerializer(SubscriptionSerializer):
    secret = TextField(help_text="Secret de signature (whsec_…) : donné cette fois seulement.")


class SubscriptionInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, min_value=1,
        help_text="L'organisation abonnée (obligatoire si vous en gérez plusieurs).",
    )  # fmt: skip
    url = TextField(max_length=500, help_text="Adresse HTTPS publique qui reçoit les messages.")
    events = serializers.ListField(
        child=TextField(max_length=60), min_length=1, max_length=len(EVENTS) * 2,
        help_text=EVENTS_HELP,
    )  # fmt: skip
    description = TextField(max_length=200, required=False, allow_blank=True)


class SubscriptionPatchSerializer(serializers.Serializer):
    url = TextField(max_length=500, required=False)
    events = serializers.ListField(
        child=TextField(max_length=60), min_length=1, max_length=len(EVENTS) * 2,
        required=False, help_text=EVENTS_HELP,
    )  # fmt: skip
    description = TextField(max_length=200, required=False, allow_blank=True)
    active = StrictBooleanField(
        required=False, help_text="true réactive un abonnement désactivé après des échecs."
    )


class WebhookListApi(APIView):
    need_to_know = Need(DataKind.WEBHOOKS)
    pagination_class = PageNumberPagination

    @extend_schema(responses={200: SubscriptionSerializer(many=True)})
    def get(self, request):
        return paginated_response(
            request=request, view=self, queryset=selectors.subscription_list_for(user=request.user),
            serializer_class=SubscriptionSerializer,
        )  # fmt: skip

    @extend_schema(
        request=SubscriptionInputSerializer, responses={201: CreatedSubscriptionSerializer}
    )
    def post(self, request):
        data = SubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organisation_id = fields.pop("organisation", None)
        if organisation_id is None:
            managed = list(
                selectors.webhook_organisations_for(user=request.user).values_list("pk", flat=True)
            )
            if len(managed) != 1:
                raise serializers.ValidationError({"organisation": [_("Précisez l'organisation.")]})
            organisation_id = managed[0]
        subscription = services.subscription_create(
            actor=request.user, organisation_id=organisation_id, **fields
        )
        return Response(
            CreatedSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class WebhookDetailApi(APIView):
    need_to_know = Need(DataKind.WEBHOOKS)

    @extend_schema(responses={200: SubscriptionSerializer})
    def get(self, request, subscription_id: int):
        subscription = selectors.subscription_get_for(
            user=request.user, subscription_id=subscription_id
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(request=SubscriptionPatchSerializer, responses={200: SubscriptionSerializer})
    def patch(self, request, subscription_id: int):
        selectors.subscription_get_for(user=request.user, subscription_id=subscription_id)
        data = SubscriptionPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.subscription_update(
            actor=request.user, subscription_id=subscription_id, **data.validated_data
        )
        subscription = selectors.subscription_get_for(
            user=request.user, subscription_id=subscription_id
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(responses={204: None})
    def delete(self, request, subscription_id: int):
        services.subscription_delete(actor=request.user, subscription_id=subscription_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_type = TextField()
    webhook_id = TextField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    response_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    error = TextField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    payload = serializers.JSONField()


class WebhookDeliveryListApi(APIView):
    need_to_know = Need(DataKind.WEBHOOKS)
    pagination_class = PageNumberPagination

    @extend_schema(responses={200: DeliverySerializer(many=True)})
    def get(self, request, subscription_id: int):
        subscription = selectors.subscription_get_for(
            user=request.user, subscription_id=subscription_id
        )
        return paginated_response(
            request=request, view=self, queryset=selectors.delivery_list(subscription=subscription),
            serializer_class=DeliverySerializer,
        )  # fmt: skip
