"""Referrals API: prescribers submit and follow theirs; platform staff answer."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as account_permissions
from accounts.models import Organisation
from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, Need, may
from accounts.scoping import prescriber_organisation_ids
from beneficiaries import selectors, services
from beneficiaries.enums import (
    FrenchLevel,
    HelpKind,
    ReferralSource,
    ReferralStatus,
    RefusalReason,
    Situation,
)
from core.api.fields import PatternField, StrictBooleanField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import NotFoundError


class ReferralInputSerializer(serializers.Serializer):
    prescriber_organisation = serializers.IntegerField(required=False)
    first_name = TextField(max_length=150)
    last_name = TextField(max_length=150)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = TextField(required=False, allow_blank=True, max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True)
    commune = TextField(required=False, allow_blank=True, max_length=120)
    postcode = PatternField(r"^\d{5}$", required=False, allow_blank=True)
    situation = serializers.ChoiceField(choices=Situation.choices)
    professional_project = TextField(required=False, allow_blank=True)
    steps_taken = TextField(required=False, allow_blank=True)
    french_level = serializers.ChoiceField(
        choices=FrenchLevel.choices, required=False, allow_blank=True
    )
    need = TextField()
    consent_to_share = StrictBooleanField(required=False, default=False)


class ReferralOutputSerializer(serializers.Serializer):
    """What both sides may see of a referral: the fiche and the answer."""

    id = serializers.IntegerField()
    status = TextField()
    created_at = serializers.DateTimeField()
    prescriber_organisation = serializers.SerializerMethodField()
    source = serializers.ChoiceField(choices=ReferralSource.choices)
    help_wanted = serializers.ListField(child=serializers.ChoiceField(choices=HelpKind.choices))
    contact_preference = TextField()
    first_name = TextField()
    last_name = TextField()
    birth_date = serializers.DateField(allow_null=True)
    phone = TextField()
    email = TextField()
    commune = TextField()
    postcode = TextField()
    situation = TextField()
    professional_project = TextField()
    steps_taken = TextField()
    french_level = TextField()
    need = TextField()
    consent_to_share = serializers.BooleanField()
    refusal_reason = TextField()
    reorientation = TextField()
    answered_at = serializers.DateTimeField(allow_null=True)
    beneficiary = serializers.IntegerField(source="beneficiary_id", allow_null=True)

    def get_prescriber_organisation(self, referral) -> dict | None:
        """Null for a self-referral (the person used the public page)."""
        org = referral.prescriber_organisation
        return {"id": org.pk, "name": org.name} if org is not None else None


class FollowUpSerializer(serializers.Serializer):
    status = TextField()
    status_label = TextField()
    diagnosis_on = serializers.DateField(allow_null=True)
    decision = TextField()
    shared_summary = TextField()
    follow_up_dates = serializers.ListField(child=serializers.DateField())
    outcome = TextField()
    exited_on = serializers.DateField(allow_null=True)


def _prescriber_organisation(user, organisation_id: int | None) -> Organisation:
    ids = prescriber_organisation_ids(user)
    if organisation_id is None:
        if len(ids) != 1:
            raise serializers.ValidationError(
                {"prescriber_organisation": _("Précisez votre organisation.")}
            )
        organisation_id = next(iter(ids))
    if organisation_id not in ids:
        raise NotFoundError(_("Organisation introuvable."))
    return Organisation.objects.get(pk=organisation_id)


def _as_staff(user) -> bool:
    """Whether the user reads referrals as the platform's staff (else as a prescriber)."""
    return may(user, DataKind.REFERRAL, audience=PLATFORM_STAFF)


class ReferralListApi(APIView):
    need_to_know = Need(DataKind.REFERRAL)
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=ReferralStatus.choices, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=ReferralStatus.values)],
        responses={200: ReferralOutputSerializer(many=True)},
    )
    def get(self, request):
        """Platform staff: the referrals sent to their platforms, waiting ones the oldest
        first, answered ones the latest answer first (as the inbox page). Prescribers: their
        organisations' referrals, the latest sent first (as their list page)."""
        user = request.user
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data["status"] or None
        if _as_staff(user):
            referrals = selectors.referral_inbox_for(user=user, status=wanted)
        else:
            referrals = selectors.referral_list_for_prescriber(user=user, status=wanted)
        return paginated_response(
            request=request, view=self, queryset=referrals,
            serializer_class=ReferralOutputSerializer,
        )  # fmt: skip

    @extend_schema(request=ReferralInputSerializer, responses={201: ReferralOutputSerializer})
    def post(self, request):
        if not account_permissions.is_prescriber(request.user):
            return Response(
                {"detail": _("Seuls les prescripteurs envoient des orientations."),
                 "code": "permission_denied"},
                status=status.HTTP_403_FORBIDDEN,
            )  # fmt: skip
        data = ReferralInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organisation = _prescriber_organisation(
            request.user, fields.pop("prescriber_organisation", None)
        )
        referral = services.referral_submit(
            actor=request.user, prescriber_organisation=organisation, **fields
        )
        return Response(ReferralOutputSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetailApi(APIView):
    need_to_know = Need(DataKind.REFERRAL)

    @extend_schema(responses={200: ReferralOutputSerializer})
    def get(self, request, referral_id: int):
        user = request.user
        if _as_staff(user):
            referral = selectors.referral_get_for_staff(user=user, referral_id=referral_id)
            return Response(ReferralOutputSerializer(referral).data)
        referral = selectors.referral_get_for_prescriber(user=user, referral_id=referral_id)
        follow_up = selectors.prescriber_follow_up(user=user, referral=referral)
        return Response(
            {
                **ReferralOutputSerializer(referral).data,
                "follow_up": FollowUpSerializer(follow_up).data if follow_up else None,
            }
        )


class ReferralAcceptApi(APIView):
    need_to_know = Need(DataKind.REFERRAL, mode=Mode.WRITE, audience=PLATFORM_STAFF)

    class InputSerializer(serializers.Serializer):
        beneficiary = serializers.IntegerField(required=False)
        create_anyway = StrictBooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={200: ReferralOutputSerializer})
    def post(self, request, referral_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_accept(
            actor=request.user,
            referral_id=referral_id,
            beneficiary_id=data.validated_data.get("beneficiary"),
            create_anyway=data.validated_data["create_anyway"],
        )
        return Response(ReferralOutputSerializer(referral).data)


class ReferralRefuseApi(APIView):
    need_to_know = Need(DataKind.REFERRAL, mode=Mode.WRITE, audience=PLATFORM_STAFF)

    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=RefusalReason.choices)
        reorientation = TextField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: ReferralOutputSerializer})
    def post(self, request, referral_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_refuse(
            actor=request.user, referral_id=referral_id, **data.validated_data
        )
        return Response(ReferralOutputSerializer(referral).data)


class ReferralWithdrawApi(APIView):
    need_to_know = Need(DataKind.REFERRAL, mode=Mode.WRITE)

    @extend_schema(request=None, responses={200: ReferralOutputSerializer})
    def post(self, request, referral_id: int):
        referral = services.referral_withdraw(actor=request.user, referral_id=referral_id)
        return Response(ReferralOutputSerializer(referral).data)
