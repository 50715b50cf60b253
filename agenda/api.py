"""Agenda API: places and free slots for the platform's staff; appointments (the staff of
the platform; the person reads their own); collective sessions and outreach dates.
A partner or a prescriber gets 403 everywhere (the need-to-know table)."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, Need, may
from accounts.permissions import is_beneficiary
from agenda import selectors, services, services_appointments
from agenda.enums import AppointmentStatus, KindCategory, PlaceKind
from agenda.generation import agenda_tz
from agenda.permissions import agenda_platforms
from core.api.fields import TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import PermissionDeniedError


class PlaceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    kind = serializers.ChoiceField(choices=PlaceKind.choices)
    address = TextField()
    commune = serializers.CharField(source="commune.name")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    accessible = serializers.BooleanField()
    access_notes = TextField()


class KindSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=KindCategory.choices)
    name = TextField()
    duration_minutes = serializers.IntegerField()


class SlotOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    kind = KindSerializer()
    place = serializers.SerializerMethodField()
    adviser = serializers.SerializerMethodField()
    capacity = serializers.IntegerField()
    reserved = serializers.IntegerField()
    session = serializers.BooleanField()
    theme = TextField()

    def get_place(self, slot) -> dict:
        return {"id": slot.place_id, "name": slot.place.name}

    def get_adviser(self, slot) -> dict:
        return {"id": slot.adviser_id, "name": slot.adviser.get_full_name() or slot.adviser.email}


class AppointmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = KindSerializer()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slot = serializers.IntegerField(source="slot_id", allow_null=True)
    place = PlaceOutputSerializer()
    adviser = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField()
    follow_up_of = serializers.IntegerField(source="follow_up_of_id", allow_null=True)
    cancelled_by = TextField()

    def get_adviser(self, appointment) -> dict:
        adviser = appointment.adviser
        return {"id": adviser.pk, "name": adviser.get_full_name() or adviser.email}

    def get_person(self, appointment) -> dict:
        person = appointment.person
        return {"beneficiary": appointment.beneficiary_id, "referral": appointment.referral_id,
                "first_name": person.first_name, "last_name": person.last_name,
                "phone": person.phone}  # fmt: skip


class Window(serializers.Serializer):
    """`from` / `to`: local dates of the platform, at most 92 days apart."""

    from_ = serializers.DateField(required=False)
    to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        data = {k: v for k, v in data.items() if k not in ("page", "page_size")}
        if "from" in data:
            data["from_"] = data.pop("from")
        return super().to_internal_value(data)

    def validate(self, attrs):
        start, end = attrs.get("from_"), attrs.get("to")
        if start and end and not timedelta(0) <= end - start <= timedelta(days=92):
            raise serializers.ValidationError({"to": _("Au plus 92 jours après « from ».")})
        return attrs


def _bounds(data) -> tuple[datetime | None, datetime | None]:
    tz = agenda_tz()
    start = data.get("from_")
    end = data.get("to")
    return (
        datetime.combine(start, time(0), tzinfo=tz) if start else None,
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz) if end else None,
    )


DATE_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE),
    OpenApiParameter("to", OpenApiTypes.DATE),
]
ID = {"type": "integer", "minimum": 1}


class PlaceListApi(APIView):
    need_to_know = Need(DataKind.AGENDA)
    pagination_class = PageNumberPagination

    @extend_schema(responses={200: PlaceOutputSerializer(many=True)})
    def get(self, request):
        places = selectors.places_for(request.user).filter(active=True).order_by("name", "pk")
        return paginated_response(request=request, view=self, queryset=places,
                                  serializer_class=PlaceOutputSerializer)  # fmt: skip


class SlotListApi(APIView):
    """Free slots of the agenda (a seat left, not started yet), soonest first."""

    need_to_know = Need(DataKind.AGENDA)
    pagination_class = PageNumberPagination

    class FilterSerializer(Window):
        kind = serializers.ChoiceField(choices=KindCategory.choices, required=False)
        place = serializers.IntegerField(required=False, min_value=1)
        adviser = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=KindCategory.values),
            OpenApiParameter("place", ID), OpenApiParameter("adviser", ID), *DATE_PARAMS,
        ],
        responses={200: SlotOutputSerializer(many=True)},
    )  # fmt: skip
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        start, end = _bounds(data)
        slots = selectors.free_slots(
            platform_ids=agenda_platforms(request.user), category=data.get("kind"),
            now=max(start, timezone.now()) if start else None, until=end,
            place_id=data.get("place"), adviser_id=data.get("adviser"),
        )  # fmt: skip
        return paginated_response(request=request, view=self, queryset=slots,
                                  serializer_class=SlotOutputSerializer)  # fmt: skip


def _staff_only(request) -> None:
    if not may(request.user, DataKind.APPOINTMENTS, Mode.WRITE, audience=PLATFORM_STAFF):
        raise PermissionDeniedError(_("Seule l'équipe de la plateforme prend les rendez-vous."))


def _visible(user):
    """The staff's appointments, or the person's own."""
    if may(user, DataKind.APPOINTMENTS, audience=PLATFORM_STAFF):
        return selectors.appointments_for(user)
    if is_beneficiary(user):
        return selectors.appointments_of_person(user.beneficiary.pk).select_related(
            "beneficiary", "referral"
        )
    return selectors.appointments_for(user).none()


class AppointmentListApi(APIView):
    need_to_know = Need(DataKind.APPOINTMENTS)
    pagination_class = PageNumberPagination

    class InputSerializer(serializers.Serializer):
        slot = serializers.IntegerField(min_value=1)
        beneficiary = serializers.IntegerField(min_value=1, required=False)
        referral = serializers.IntegerField(min_value=1, required=False)
        follow_up_of = serializers.IntegerField(min_value=1, required=False)

        def validate(self, attrs):
            if ("beneficiary" in attrs) == ("referral" in attrs):
                raise serializers.ValidationError(
                    {"beneficiary": _("Donnez « beneficiary » ou « referral », pas les deux.")}
                )
            return attrs

    class FilterSerializer(Window):
        status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
        kind = serializers.ChoiceField(choices=KindCategory.choices, required=False)
        beneficiary = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=AppointmentStatus.values),
            OpenApiParameter("kind", str, enum=KindCategory.values),
            OpenApiParameter("beneficiary", ID), *DATE_PARAMS,
        ],
        responses={200: AppointmentOutputSerializer(many=True)},
    )  # fmt: skip
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        appointments = _visible(request.user).select_related("place__commune")
        start, end = _bounds(data)
        if start:
            appointments = appointments.filter(starts_at__gte=start)
        if end:
            appointments = appointments.filter(starts_at__lt=end)
        if data.get("status"):
            appointments = appointments.filter(status=data["status"])
        if data.get("kind"):
            appointments = appointments.filter(kind__category=data["kind"])
        if data.get("beneficiary"):
            appointments = appointments.filter(
                selectors.appointments_of_person_q(data["beneficiary"])
            )
        return paginated_response(
            request=request, view=self, queryset=appointments.order_by("starts_at", "pk"),
            serializer_class=AppointmentOutputSerializer,
        )  # fmt: skip

    @extend_schema(request=InputSerializer, responses={201: AppointmentOutputSerializer})
    def post(self, request):
        _staff_only(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        appointment = services_appointments.appointment_book(
            actor=request.user, slot_id=values["slot"], beneficiary_id=values.get("beneficiary"),
            referral_id=values.get("referral"), follow_up_of_id=values.get("follow_up_of"),
        )  # fmt: skip
        return Response(AppointmentOutputSerializer(appointment).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class AppointmentDetailApi(APIView):
    need_to_know = Need(DataKind.APPOINTMENTS)

    @extend_schema(responses={200: AppointmentOutputSerializer})
    def get(self, request, appointment_id: int):
        from core.errors import get_or_not_found

        appointment = get_or_not_found(
            _visible(request.user).select_related("place__commune"), appointment_id,
            _("Rendez-vous introuvable."),
        )  # fmt: skip
        return Response(AppointmentOutputSerializer(appointment).data)


class AppointmentActionApi(APIView):
    """One endpoint per change: cancel, attended, no-show, move."""

    need_to_know = Need(DataKind.APPOINTMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
    action = ""

    class CancelSerializer(serializers.Serializer):
        reason = TextField(max_length=255)

    class MoveSerializer(serializers.Serializer):
        slot = serializers.IntegerField(min_value=1)

    class NothingSerializer(serializers.Serializer):
        pass

    def get_serializer_class(self):
        return {"cancel": self.CancelSerializer, "move": self.MoveSerializer}.get(
            self.action, self.NothingSerializer
        )

    @extend_schema(responses={200: AppointmentOutputSerializer})
    def post(self, request, appointment_id: int):
        data = self.get_serializer_class()(data=request.data)
        data.is_valid(raise_exception=True)
        values, actor = data.validated_data, request.user
        if self.action == "cancel":
            appointment = services_appointments.appointment_cancel(
                actor=actor, appointment_id=appointment_id, reason=values["reason"]
            )
        elif self.action == "move":
            appointment = services_appointments.appointment_move(
                actor=actor, appointment_id=appointment_id, slot_id=values["slot"]
            )
        else:
            appointment = services_appointments.appointment_mark(
                actor=actor, appointment_id=appointment_id, to=self.action
            )
        return Response(AppointmentOutputSerializer(appointment).data)


class SessionListApi(APIView):
    """Collective sessions and outreach dates: list (with their seats) and create."""

    need_to_know = Need(DataKind.APPOINTMENTS, audience=PLATFORM_STAFF)
    pagination_class = PageNumberPagination

    class InputSerializer(serializers.Serializer):
        kind = serializers.IntegerField(min_value=1)
        place = serializers.IntegerField(min_value=1)
        adviser = serializers.IntegerField(min_value=1)
        starts_at = serializers.DateTimeField()
        theme = TextField(max_length=200)
        seats = serializers.IntegerField(min_value=1, max_value=200)

    @extend_schema(parameters=DATE_PARAMS, responses={200: SlotOutputSerializer(many=True)})
    def get(self, request):
        filters = Window(data=request.query_params)
        filters.is_valid(raise_exception=True)
        start, end = _bounds(filters.validated_data)
        sessions = selectors.sessions_for(request.user)
        if start:
            sessions = sessions.filter(starts_at__gte=start)
        if end:
            sessions = sessions.filter(starts_at__lt=end)
        return paginated_response(request=request, view=self, queryset=sessions,
                                  serializer_class=SlotOutputSerializer)  # fmt: skip

    @extend_schema(request=InputSerializer, responses={201: SlotOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        platform_ids = sorted(agenda_platforms(request.user, Mode.WRITE))
        if not platform_ids:
            raise PermissionDeniedError(_("L'agenda est réservé à l'équipe de la plateforme."))
        session = services.session_create(
            actor=request.user, platform_id=platform_ids[0], kind_id=values["kind"],
            place_id=values["place"], adviser_id=values["adviser"],
            starts_at=values["starts_at"], theme=values["theme"], seats=values["seats"],
        )  # fmt: skip
        return Response(SlotOutputSerializer(session).data, status=status.HTTP_201_CREATED)
