"""Beneficiaries API: platform staff for people (own platform only), each part of a record
for the roles the need-to-know table lets see it (a finance officer reads identity and
contact, never the social record); partners, prescribers and beneficiaries have no access.
Referrals are in `beneficiaries.referrals_api`."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import DataKind, Mode, Need
from accounts.scoping import platform_ids
from beneficiaries import journey, privacy, selectors, services
from beneficiaries.enums import (
    BarrierCategory,
    BeneficiaryStatus,
    ConsentPurpose,
    DiagnosisDecision,
    DrivingLicence,
    FollowUpChannel,
    FrenchLevel,
    NationalityGroup,
    OutcomeCode,
    Situation,
    Vehicle,
)
from beneficiaries.permissions import FIELD_KINDS, readable_fields
from core.api.fields import PatternField, StrictBooleanField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.api.schema import role_dependent_fields


@role_dependent_fields(*FIELD_KINDS)
class BeneficiarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    platform = serializers.IntegerField(source="platform_id", read_only=True)
    adviser = serializers.IntegerField(source="adviser_id", read_only=True, allow_null=True)
    status = TextField(read_only=True)
    first_name = TextField(max_length=150)
    last_name = TextField(max_length=150)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = TextField(required=False, allow_blank=True, max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = TextField(required=False, allow_blank=True, max_length=255)
    commune = TextField(required=False, allow_blank=True, max_length=120)
    postcode = PatternField(r"^\d{5}$", required=False, allow_blank=True)
    situation = serializers.ChoiceField(choices=Situation.choices, required=False)
    professional_project = TextField(required=False, allow_blank=True)
    project_defined = StrictBooleanField(required=False)
    french_level = serializers.ChoiceField(
        choices=FrenchLevel.choices, required=False, allow_blank=True
    )
    driving_licence = serializers.ChoiceField(
        choices=DrivingLicence.choices, required=False, allow_blank=True
    )
    vehicle = serializers.ChoiceField(choices=Vehicle.choices, required=False, allow_blank=True)
    household = TextField(required=False, allow_blank=True, max_length=255)
    income_notes = TextField(required=False, allow_blank=True)
    nationality_group = serializers.ChoiceField(
        choices=NationalityGroup.choices, required=False, allow_blank=True
    )
    last_contact_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance):
        """Only the fields of the kinds the reader may see (`context["user"]`)."""
        data = super().to_representation(instance)
        hidden = FIELD_KINDS.keys() - readable_fields(self.context["user"], instance)
        return {name: value for name, value in data.items() if name not in hidden}


class BeneficiaryListApi(APIView):
    need_to_know = Need(DataKind.IDENTITY, DataKind.CONTACT)
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        """The people page's filters (`PeopleFilterForm`); an unknown status is a 400."""

        q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
        status = serializers.ChoiceField(
            choices=BeneficiaryStatus.choices, required=False, allow_blank=True, default=""
        )
        mine = StrictBooleanField(required=False, default=False)

    class CreateSerializer(BeneficiarySerializer):
        platform_id = serializers.IntegerField(required=False, write_only=True)
        create_anyway = StrictBooleanField(required=False, default=False, write_only=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Nom ou prénom"),
            OpenApiParameter("status", str, enum=BeneficiaryStatus.values),
            OpenApiParameter("mine", bool, description="Seulement les personnes que je suis"),
        ],
        responses={200: BeneficiarySerializer(many=True)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        people = selectors.beneficiary_list_filtered(user=request.user, **filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=people, serializer_class=BeneficiarySerializer,
            context={"user": request.user},
        )  # fmt: skip

    @extend_schema(request=CreateSerializer, responses={201: BeneficiarySerializer})
    def post(self, request):
        data = self.CreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        create_anyway = fields.pop("create_anyway", False)
        platforms = platform_ids(request.user)
        platform_id = fields.pop("platform_id", None) or (
            next(iter(platforms)) if len(platforms) == 1 else None
        )
        if platform_id is None:
            raise serializers.ValidationError({"platform_id": _("Précisez la plateforme.")})
        person = services.beneficiary_create(
            actor=request.user, platform_id=platform_id, create_anyway=create_anyway, **fields
        )
        return Response(
            BeneficiarySerializer(person, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED,
        )


class BeneficiaryDetailApi(APIView):
    """Reading a record writes the access log."""

    need_to_know = Need(DataKind.IDENTITY, DataKind.CONTACT)

    @extend_schema(responses={200: BeneficiarySerializer})
    def get(self, request, beneficiary_id: int):
        person = privacy.beneficiary_open(user=request.user, beneficiary_id=beneficiary_id)
        return Response(BeneficiarySerializer(person, context={"user": request.user}).data)

    @extend_schema(request=BeneficiarySerializer, responses={200: BeneficiarySerializer})
    def patch(self, request, beneficiary_id: int):
        selectors.beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        data = BeneficiarySerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        person = services.beneficiary_update(
            actor=request.user, beneficiary_id=beneficiary_id, **data.validated_data
        )
        return Response(BeneficiarySerializer(person, context={"user": request.user}).data)


class BeneficiaryExportApi(APIView):
    need_to_know = Need(DataKind.EXPORT, DataKind.ACCESS_LOG)

    @extend_schema(responses={200: dict})
    def get(self, request, beneficiary_id: int):
        return Response(
            privacy.beneficiary_export(user=request.user, beneficiary_id=beneficiary_id)
        )


class EligibilityCheckApi(APIView):
    need_to_know = Need(DataKind.SITUATION, mode=Mode.WRITE)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        eligible = serializers.BooleanField()
        results = serializers.ListField(child=serializers.DictField())
        valid_until = serializers.DateField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request, beneficiary_id: int):
        check = services.eligibility_check(actor=request.user, beneficiary_id=beneficiary_id)
        return Response(self.OutputSerializer(check).data, status=status.HTTP_201_CREATED)


class BarrierSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=BarrierCategory.choices)
    code = TextField(max_length=40)
    priority = serializers.ChoiceField(choices=[1, 2, 3], required=False, default=2)


class DiagnosisApi(APIView):
    need_to_know = Need(DataKind.DIAGNOSIS)

    class InputSerializer(serializers.Serializer):
        held_on = serializers.DateField()
        duration_minutes = serializers.IntegerField(min_value=10, max_value=480)
        summary = TextField()
        decision = serializers.ChoiceField(choices=DiagnosisDecision.choices)
        barriers = BarrierSerializer(many=True, required=False)
        share_with_prescriber = StrictBooleanField(required=False, default=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        held_on = serializers.DateField()
        duration_minutes = serializers.IntegerField()
        summary = TextField()
        decision = TextField()
        shared_with_prescriber_at = serializers.DateTimeField(allow_null=True)
        barriers = serializers.SerializerMethodField()

        def get_barriers(self, diagnosis) -> list[dict]:
            return [
                {"id": b.pk, "category": b.category, "code": b.code, "priority": b.priority,
                 "lifted_at": b.lifted_at}
                for b in diagnosis.barriers.all()
            ]  # fmt: skip

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request, beneficiary_id: int):
        person = privacy.beneficiary_open(
            user=request.user, beneficiary_id=beneficiary_id, kind=DataKind.DIAGNOSIS
        )
        diagnoses = person.diagnoses.prefetch_related("barriers")
        return Response(self.OutputSerializer(diagnoses, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, beneficiary_id: int):
        selectors.beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["barriers"] = [dict(barrier) for barrier in fields.get("barriers", [])]
        diagnosis = journey.diagnosis_record(
            actor=request.user, beneficiary_id=beneficiary_id, **fields
        )
        return Response(self.OutputSerializer(diagnosis).data, status=status.HTTP_201_CREATED)


class FollowUpApi(APIView):
    need_to_know = Need(DataKind.FOLLOW_UP)

    class InputSerializer(serializers.Serializer):
        held_on = serializers.DateField()
        channel = serializers.ChoiceField(choices=FollowUpChannel.choices)
        notes = TextField(required=False, allow_blank=True)

    class OutputSerializer(InputSerializer):
        id = serializers.IntegerField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request, beneficiary_id: int):
        person = privacy.beneficiary_open(
            user=request.user, beneficiary_id=beneficiary_id, kind=DataKind.FOLLOW_UP
        )
        return Response(self.OutputSerializer(person.follow_ups.all(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, beneficiary_id: int):
        selectors.beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = journey.follow_up_record(
            actor=request.user, beneficiary_id=beneficiary_id, **data.validated_data
        )
        return Response(self.OutputSerializer(follow_up).data, status=status.HTTP_201_CREATED)


class ConsentApi(APIView):
    need_to_know = Need(DataKind.CONSENT)

    class InputSerializer(serializers.Serializer):
        purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
        prescriber_organisation = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        purpose = TextField()
        prescriber_organisation = serializers.IntegerField(
            source="prescriber_organisation_id", allow_null=True
        )
        given_at = serializers.DateTimeField()
        withdrawn_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request, beneficiary_id: int):
        person = privacy.beneficiary_open(
            user=request.user, beneficiary_id=beneficiary_id, kind=DataKind.CONSENT
        )
        return Response(self.OutputSerializer(person.consents.all(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, beneficiary_id: int):
        selectors.beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = journey.consent_give(
            actor=request.user,
            beneficiary_id=beneficiary_id,
            purpose=data.validated_data["purpose"],
            prescriber_organisation_id=data.validated_data.get("prescriber_organisation"),
        )
        return Response(self.OutputSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(APIView):
    need_to_know = Need(DataKind.CONSENT, mode=Mode.WRITE)

    @extend_schema(request=None, responses={200: ConsentApi.OutputSerializer})
    def post(self, request, consent_id: int):
        consent = journey.consent_withdraw(actor=request.user, consent_id=consent_id)
        return Response(ConsentApi.OutputSerializer(consent).data)


class OutcomeApi(APIView):
    need_to_know = Need(DataKind.OUTCOME, mode=Mode.WRITE)

    class InputSerializer(serializers.Serializer):
        code = serializers.ChoiceField(choices=OutcomeCode.choices)
        exited_on = serializers.DateField()

    @extend_schema(request=InputSerializer, responses={201: InputSerializer})
    def post(self, request, beneficiary_id: int):
        selectors.beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = journey.outcome_record(
            actor=request.user, beneficiary_id=beneficiary_id, **data.validated_data
        )
        return Response(self.InputSerializer(outcome).data, status=status.HTTP_201_CREATED)
