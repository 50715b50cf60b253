"""A partner's bank details over the API: `GET/PUT /api/v1/partners/{id}/bank-details/` (its
manager writes; the finance officers of its platforms read) and `POST
.../bank-details/approve/` (a finance officer approves a new IBAN). A wrong IBAN checksum is
a 400 on `iban`."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import DataKind, Mode, Need
from core.api.fields import TextField
from core.errors import NotFoundError
from partners import permissions, selectors, services_bank


class BankDetailsSerializer(serializers.Serializer):
    iban = TextField(max_length=42)
    bic = TextField(max_length=14, required=False, allow_blank=True, default="")
    approved = serializers.BooleanField(source="bank_details_approved", read_only=True)
    changed_at = serializers.DateTimeField(
        source="bank_details_changed_at", read_only=True, allow_null=True
    )
    approved_at = serializers.DateTimeField(
        source="bank_details_approved_at", read_only=True, allow_null=True
    )


def visible_partner(user, partner_id: int):
    """The partner, for its managers and the finance officers of its platforms; else 404."""
    partner = selectors.partner_bank_get(partner_id=partner_id)
    if partner is None or not (
        permissions.can_manage_partner(user, partner)
        or services_bank.can_approve_bank_details(user, partner)
    ):
        raise NotFoundError(_("Partenaire introuvable."))
    return partner


class BankDetailsApi(APIView):
    need_to_know = Need(DataKind.BANK_DETAILS)

    @extend_schema(responses={200: BankDetailsSerializer})
    def get(self, request, partner_id: int):
        return Response(BankDetailsSerializer(visible_partner(request.user, partner_id)).data)

    @extend_schema(request=BankDetailsSerializer, responses={200: BankDetailsSerializer})
    def put(self, request, partner_id: int):
        visible_partner(request.user, partner_id)
        data = BankDetailsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services_bank.partner_bank_details_set(
            actor=request.user, partner_id=partner_id, **data.validated_data
        )
        return Response(BankDetailsSerializer(partner).data)


class BankDetailsApproveApi(APIView):
    need_to_know = Need(DataKind.BANK_DETAILS, mode=Mode.WRITE)

    @extend_schema(request=None, responses={200: BankDetailsSerializer})
    def post(self, request, partner_id: int):
        visible_partner(request.user, partner_id)
        partner = services_bank.partner_bank_details_approve(
            actor=request.user, partner_id=partner_id
        )
        return Response(BankDetailsSerializer(partner).data)
