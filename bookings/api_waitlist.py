"""Waiting-list API (issue 16): `/api/v1/waiting-list/`. Platform staff (advisers, admins)
list, add, remove and answer offers for the people of their platforms; a person signed in
reads their own entries. An entry waits for a partner's service or for a collective session
of the platform's agenda."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, Need
from bookings import selectors_waitlist as selectors
from bookings import services_waitlist as services
from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.waitlist_targets import target_of
from core.api.fields import TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import NotFoundError


class WaitingListOfferOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slot = serializers.IntegerField(source="slot_id", allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=OfferStatus.choices)


class WaitingListSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Le type et le thème de la séance")
    place = serializers.CharField()


class WaitingListEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    position = serializers.SerializerMethodField()
    beneficiary = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()
    wanted_from = serializers.DateField()
    wanted_until = serializers.DateField()
    note = TextField()
    offer = serializers.SerializerMethodField()
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_position(self, entry) -> int | None:
        """1 for the first in line; null once out of line (booked, removed)."""
        if entry.status not in selectors.LIVE:
            return None
        return getattr(entry, "ahead", 0) + 1

    def get_beneficiary(self, entry) -> dict:
        person = entry.beneficiary
        return {"id": person.pk, "first_name": person.first_name, "last_name": person.last_name}

    @extend_schema_field(
        {"type": "object", "nullable": True, "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "partner": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}}},
        }}
    )  # fmt: skip
    def get_service(self, entry) -> dict | None:
        """The partner's service the person waits for (null: a session)."""
        service = entry.service
        if service is None:
            return None
        return {"id": service.pk, "name": service.name,
                "partner": {"id": service.partner_id,
                            "name": service.partner.organisation.name}}  # fmt: skip

    @extend_schema_field(WaitingListSessionSerializer(allow_null=True))
    def get_session(self, entry) -> dict | None:
        """The collective session the person waits for (null: a service)."""
        if entry.session_id is None:
            return None
        described = target_of(entry).describe(entry)
        return {"id": entry.session_id, "name": described.name, "place": described.where}

    @extend_schema_field(WaitingListOfferOutputSerializer(allow_null=True))
    def get_offer(self, entry) -> dict | None:
        """The place held for the person now, if any."""
        offers = getattr(entry, "open_offers", [])
        return WaitingListOfferOutputSerializer(offers[0]).data if offers else None


def _staff_entry(request, waiting_id: int):
    entry = selectors.waitlist_entry_get_for(user=request.user, entry_id=waiting_id)
    return entry


def _entry_answer(request, waiting_id: int, code=status.HTTP_200_OK) -> Response:
    entry = selectors.with_position(selectors.waitlist_entries_for(user=request.user)).filter(
        pk=waiting_id
    )
    return Response(WaitingListEntryOutputSerializer(entry.get()).data, status=code)


class WaitingListApi(APIView):
    # The entries name the person: staff who read waiting lists read identities too, and a
    # person reads their own name.
    need_to_know = Need(DataKind.WAITING_LIST)
    pagination_class = PageNumberPagination

    class InputSerializer(serializers.Serializer):
        beneficiary = serializers.IntegerField(min_value=1)
        service = serializers.IntegerField(min_value=1, required=False,
                                           help_text="Un service à créneaux, ou :")  # fmt: skip
        session = serializers.IntegerField(
            min_value=1, required=False, help_text="une séance collective complète"
        )
        wanted_from = serializers.DateField(required=False, help_text="Pour un service")
        wanted_until = serializers.DateField(required=False, help_text="Pour un service")
        note = TextField(required=False, allow_blank=True, default="", max_length=500)

        def validate(self, data):
            if ("service" in data) == ("session" in data):
                raise serializers.ValidationError(
                    _("Indiquez un service ou une séance, pas les deux.")
                )
            if "service" in data:
                missing = {f: [_("Ce champ est obligatoire.")]
                           for f in ("wanted_from", "wanted_until") if f not in data}  # fmt: skip
                if missing:
                    raise serializers.ValidationError(missing)
            return data

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=EntryStatus.choices, required=False)
        service = serializers.IntegerField(required=False, min_value=1)
        session = serializers.IntegerField(required=False, min_value=1)
        beneficiary = serializers.IntegerField(required=False, min_value=1)

        def to_internal_value(self, data):
            data = {k: v for k, v in data.items() if k not in ("page", "page_size")}
            return super().to_internal_value(data)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=EntryStatus.values,
                             description="Par défaut : en attente ou place proposée"),
            OpenApiParameter("service", {"type": "integer", "minimum": 1}),
            OpenApiParameter("session", {"type": "integer", "minimum": 1}),
            OpenApiParameter("beneficiary", {"type": "integer", "minimum": 1}),
        ],
        responses={200: WaitingListEntryOutputSerializer(many=True)},
    )  # fmt: skip
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        entries = selectors.waitlist_entries_filtered(
            user=request.user, status=data.get("status", ""), service_id=data.get("service"),
            session_id=data.get("session"), beneficiary_id=data.get("beneficiary"),
        )  # fmt: skip
        return paginated_response(
            request=request, view=self, queryset=selectors.with_position(entries),
            serializer_class=WaitingListEntryOutputSerializer,
        )  # fmt: skip

    @extend_schema(request=InputSerializer, responses={201: WaitingListEntryOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        entry = services.waitlist_entry_add(
            actor=request.user, beneficiary_id=fields["beneficiary"],
            service_id=fields.get("service"), session_id=fields.get("session"),
            wanted_from=fields.get("wanted_from"), wanted_until=fields.get("wanted_until"),
            note=fields["note"],
        )  # fmt: skip
        return _entry_answer(request, entry.pk, status.HTTP_201_CREATED)


class WaitingListEntryApi(APIView):
    need_to_know = Need(DataKind.WAITING_LIST)

    @extend_schema(responses={200: WaitingListEntryOutputSerializer})
    def get(self, request, waiting_id: int):
        return _entry_answer(request, _staff_entry(request, waiting_id).pk)

    @extend_schema(responses={200: WaitingListEntryOutputSerializer})
    def delete(self, request, waiting_id: int):
        """Take the person off the list (a place held for them goes to the next in line)."""
        entry = _staff_entry(request, waiting_id)
        services.waitlist_entry_remove(actor=request.user, entry_id=entry.pk)
        return _entry_answer(request, entry.pk)


class WaitingListAnswerApi(APIView):
    """The adviser answers the offer made to the person (who said so on the phone)."""

    need_to_know = Need(DataKind.WAITING_LIST, mode=Mode.WRITE, shows=[DataKind.IDENTITY],
                        audience=PLATFORM_STAFF)  # fmt: skip
    answer = "accept"

    @extend_schema(request=None, responses={200: WaitingListEntryOutputSerializer})
    def post(self, request, waiting_id: int):
        entry = _staff_entry(request, waiting_id)
        offers = entry.open_offers
        if not offers:
            raise NotFoundError(_("Aucune place n'est proposée à cette personne en ce moment."))
        if self.answer == "accept":
            services.waitlist_offer_accept(offer_id=offers[0].pk, actor=request.user)
        else:
            services.waitlist_offer_decline(offer_id=offers[0].pk, actor=request.user)
        return _entry_answer(request, entry.pk)
