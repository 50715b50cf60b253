"""Bookings API (DESIGN §6): advisers book, partners answer, everyone reads their own."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as account_permissions
from accounts.need_to_know import BENEFICIARIES, DataKind, Mode, Need
from bookings import idempotency, selectors, services
from bookings.enums import BookingStatus
from bookings.permissions import role_of
from core.api.fields import DecimalStringField, MoneyField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import PermissionDeniedError


class BookingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = TextField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    service = serializers.SerializerMethodField()
    beneficiary = serializers.SerializerMethodField()
    slots = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    quantity = serializers.IntegerField()
    units = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = MoneyField()
    market_unit_price = MoneyField()
    total_price = MoneyField()
    market_total = MoneyField()
    note_for_partner = TextField()
    decline_reason = TextField()
    cancellation_reason = TextField()

    def get_service(self, booking) -> dict:
        return {"id": booking.service_id, "name": booking.service.name,
                "partner": {"id": booking.service.partner_id,
                            "name": booking.service.partner.organisation.name}}  # fmt: skip

    def get_beneficiary(self, booking) -> dict:
        """Name and phone only: what a partner needs, and nothing of the person's file."""
        person = booking.beneficiary
        return {"id": person.pk, "first_name": person.first_name,
                "last_name": person.last_name, "phone": person.phone}  # fmt: skip

    def get_slots(self, booking) -> list[int]:
        if "slot_ids" in self.context:  # a booking just made: handed over, not read back
            return self.context["slot_ids"]
        return [bs.slot_id for bs in booking.booking_slots.all()]


class BookingListApi(APIView):
    need_to_know = Need(DataKind.BOOKINGS, shows=[DataKind.BOOKING_PARTIES])
    pagination_class = PageNumberPagination

    class InputSerializer(serializers.Serializer):
        beneficiary = serializers.IntegerField()
        service = serializers.IntegerField()
        slots = serializers.ListField(child=serializers.IntegerField(), min_length=1,
                                      max_length=120)  # fmt: skip
        quantity = serializers.IntegerField(min_value=1, max_value=50, required=False, default=1)
        units = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0,
                                         required=False, allow_null=True)  # fmt: skip
        note = TextField(required=False, allow_blank=True, default="",
                                     max_length=2000)  # fmt: skip

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
        upcoming = serializers.BooleanField(required=False, default=False)
        from_ = serializers.DateField(required=False)
        to = serializers.DateField(required=False)
        beneficiary = serializers.IntegerField(required=False, min_value=1)
        person = serializers.CharField(required=False, allow_blank=True, max_length=100)

        def to_internal_value(self, data):
            data = {k: v for k, v in data.items() if k != "page" and k != "page_size"}
            if "from" in data:
                data["from_"] = data.pop("from")
            return super().to_internal_value(data)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=BookingStatus.values),
            OpenApiParameter("upcoming", bool),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("beneficiary", {"type": "integer", "minimum": 1}),
            OpenApiParameter("person", str, description="Nom ou prénom de la personne"),
        ],
        responses={200: BookingOutputSerializer(many=True)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        bookings = selectors.booking_list_filtered(
            user=request.user, status=data.get("status", ""), upcoming=data["upcoming"],
            date_from=data.get("from_"), date_to=data.get("to"),
            beneficiary_id=data.get("beneficiary"), person=data.get("person", ""),
        ).prefetch_related("booking_slots")  # fmt: skip
        return paginated_response(
            request=request, view=self, queryset=bookings.order_by("starts_at", "pk"),
            serializer_class=BookingOutputSerializer,
        )  # fmt: skip

    @extend_schema(
        request=InputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        responses={201: BookingOutputSerializer},
    )
    def post(self, request):
        user = request.user
        if not (
            account_permissions.is_adviser(user) or account_permissions.is_platform_admin(user)
        ):
            raise PermissionDeniedError(_("Seuls les conseillers réservent."))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()[: idempotency.KEY_MAX_LENGTH]
        if not key:
            return self._create(request, data.validated_data)
        code, payload = idempotency.run_once(
            user=user, key=key, digest=idempotency.request_hash(request.data),
            run=lambda: self._answer(self._create(request, data.validated_data)),
        )  # fmt: skip
        return Response(payload, status=code)

    @staticmethod
    def _answer(response: Response) -> tuple[int, dict]:
        return response.status_code, response.data

    def _create(self, request, data) -> Response:
        booking = services.booking_create(
            actor=request.user, beneficiary_id=data["beneficiary"], service_id=data["service"],
            slot_ids=data["slots"], quantity=data["quantity"], units=data.get("units"),
            note=data["note"],
        )  # fmt: skip
        # The service returns the booking with its service, partner and person loaded, and
        # the booking holds exactly the slots asked for (all or nothing): the answer lists
        # them, in primary-key order, without reading them back.
        output = BookingOutputSerializer(booking, context={"slot_ids": sorted(set(data["slots"]))})
        return Response(output.data, status=status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    need_to_know = Need(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES)

    @extend_schema(responses={200: BookingOutputSerializer})
    def get(self, request, booking_id: int):
        booking = selectors.booking_get_for(user=request.user, booking_id=booking_id)
        return Response(BookingOutputSerializer(booking).data)


class BookingActionApi(APIView):
    """One endpoint per transition: confirm, decline, complete, no-show, cancel."""

    need_to_know = Need(DataKind.BOOKINGS, mode=Mode.WRITE, shows=[DataKind.BOOKING_PARTIES])
    action = ""

    class ReasonSerializer(serializers.Serializer):
        reason = TextField(max_length=255)

    class UnitsSerializer(serializers.Serializer):
        units = DecimalStringField(max_digits=10, decimal_places=2, min_value=0,
                                   required=False, allow_null=True)  # fmt: skip

    class NothingSerializer(serializers.Serializer):
        pass

    def get_serializer_class(self):
        """What each action reads (and the schema documents): a reason to decline or cancel,
        the actual units to complete, nothing to confirm or mark a no-show."""
        readers = {"decline": self.ReasonSerializer, "cancel": self.ReasonSerializer,
                   "complete": self.UnitsSerializer}  # fmt: skip
        return readers.get(self.action, self.NothingSerializer)

    @extend_schema(responses={200: BookingOutputSerializer})
    def post(self, request, booking_id: int):
        booking = selectors.booking_get_for(user=request.user, booking_id=booking_id)
        if role_of(request.user, booking) is None:  # finance officers read, they do not act
            raise PermissionDeniedError(_("Cette action revient à une autre personne."))
        data = self.get_serializer_class()(data=request.data)
        data.is_valid(raise_exception=True)
        args = {"actor": request.user, "booking_id": booking_id}
        if self.action == "confirm":
            services.booking_confirm(**args)
        elif self.action == "decline":
            services.booking_decline(**args, reason=data.validated_data["reason"])
        elif self.action == "cancel":
            services.booking_cancel(**args, reason=data.validated_data["reason"])
        elif self.action == "complete":
            services.booking_complete(**args, units=data.validated_data.get("units"))
        else:
            services.booking_no_show(**args)
        booking = selectors.booking_get_for(user=request.user, booking_id=booking_id)
        return Response(BookingOutputSerializer(booking).data)


class MyBookingsApi(APIView):
    """A beneficiary's own bookings, as their page shows them: those to come (soonest first),
    then the others, past or called off (latest first)."""

    need_to_know = Need(DataKind.BOOKINGS, shows=[DataKind.BOOKING_PARTIES],
                        audience=BENEFICIARIES)  # fmt: skip

    @extend_schema(responses={200: BookingOutputSerializer(many=True)})
    def get(self, request):
        person = getattr(request.user, "beneficiary", None)
        if not account_permissions.is_beneficiary(request.user) or person is None:
            raise PermissionDeniedError(_("Réservé aux personnes accompagnées."))
        upcoming, others = selectors.bookings_of_beneficiary_in_order(
            beneficiary_id=person.pk, now=timezone.now(), with_slots=True
        )
        return Response(BookingOutputSerializer(upcoming + others, many=True).data)


class BookingDocumentApi(APIView):
    """The voucher (PDF) and the calendar entry (.ics) for the parties of a booking."""

    need_to_know = Need(DataKind.BOOKING_DOCUMENTS)
    document = "voucher"

    @extend_schema(responses={(200, "application/pdf"): bytes, (200, "text/calendar"): bytes})
    def get(self, request, booking_id: int):
        from bookings import views_people

        booking = views_people.party_booking(request.user, booking_id)
        if self.document == "voucher":
            return views_people.voucher_response(booking)
        return views_people.calendar_response(booking)
