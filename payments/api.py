"""Payments API (DESIGN §6, extended):

- `POST /api/v1/bookings/{id}/payment/` — the booking's person or an adviser of its platform:
  the PaymentIntent of the person's share → 201 `{id, purpose, amount, status, client_secret,
  publishable_key}`; 409 `nothing_to_pay`, `payments_disabled`.
- `GET /api/v1/payments/`, `GET /api/v1/payments/{id}/`, `POST /api/v1/payments/{id}/refund/`
  `{amount?, reason}` — finance officers (and admins) of the platform.
- `POST /api/v1/loans/{id}/mandate/` — finance officers: a SEPA mandate SetupIntent →
  `{client_secret}` (the borrower is sent the link to sign it).

Partners and prescribers get 404 on all of it (they do not learn that payments exist);
other roles the table leaves out get 403."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import PARTNER_ROLES, Role
from accounts.need_to_know import DataKind, Need
from accounts.scoping import roles
from core.api.fields import MoneyField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import NotFoundError
from payments import selectors, services, services_sepa
from payments.enums import PaymentPurpose, PaymentStatus, RefundStatus

HIDDEN_FROM = frozenset({*PARTNER_ROLES, Role.PRESCRIBER})


class PaymentsApiView(APIView):
    """Refusals are 404 for partners and prescribers, as for an object they may not see."""

    def permission_denied(self, request, message=None, code=None):
        user = request.user
        if (
            user is not None
            and user.is_authenticated
            and roles(user)
            and roles(user) <= HIDDEN_FROM
        ):
            raise NotFoundError(_("Introuvable."))
        super().permission_denied(request, message=message, code=code)


class RefundOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    reason = serializers.ChoiceField(choices=["booking_ended", "manual"])
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=PaymentPurpose.choices)
    amount = MoneyField()
    amount_refunded = MoneyField()
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    method = serializers.CharField()
    beneficiary = serializers.IntegerField(source="beneficiary_id")
    beneficiary_name = serializers.SerializerMethodField()
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    installment = serializers.IntegerField(source="installment_id", allow_null=True)
    stripe_payment_intent_id = serializers.CharField(allow_null=True)
    failure_code = serializers.CharField()
    failure_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    succeeded_at = serializers.DateTimeField(allow_null=True)

    def get_beneficiary_name(self, payment) -> str:
        return f"{payment.beneficiary.first_name} {payment.beneficiary.last_name}".strip()


class PaymentDetailSerializer(PaymentSerializer):
    refunds = RefundOutSerializer(many=True, source="refunds.all")


class ShareIntentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=PaymentPurpose.choices)
    amount = MoneyField()
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()


class BookingPaymentApi(PaymentsApiView):
    need_to_know = Need(DataKind.SHARE_PAYMENT)

    @extend_schema(request=None, responses={201: ShareIntentSerializer})
    def post(self, request, booking_id: int):
        payment = services.share_payment_start(actor=request.user, booking_id=booking_id)
        data = {
            "id": payment.pk,
            "purpose": payment.purpose,
            "amount": payment.amount,
            "status": payment.status,
            "client_secret": payment.client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        }
        return Response(ShareIntentSerializer(data).data, status=status.HTTP_201_CREATED)


class PaymentListApi(PaymentsApiView):
    need_to_know = Need(DataKind.PAYMENTS, shows=[DataKind.IDENTITY])
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
        purpose = serializers.ChoiceField(choices=PaymentPurpose.choices, required=False)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)
        person = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=PaymentStatus.values),
            OpenApiParameter("purpose", str, enum=PaymentPurpose.values),
            OpenApiParameter("date_from", {"type": "string", "format": "date"}),
            OpenApiParameter("date_to", {"type": "string", "format": "date"}),
            OpenApiParameter("person", str, description="Nom ou prénom de la personne"),
        ],
        responses={200: PaymentSerializer(many=True)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.payment_list_filtered(user=request.user, **filters.validated_data),
            serializer_class=PaymentSerializer,
        )


class PaymentDetailApi(PaymentsApiView):
    need_to_know = Need(DataKind.PAYMENTS, shows=[DataKind.IDENTITY])

    @extend_schema(responses={200: PaymentDetailSerializer})
    def get(self, request, payment_id: int):
        payment = selectors.payment_get_for(user=request.user, payment_id=payment_id)
        return Response(PaymentDetailSerializer(payment).data)


class RefundApi(PaymentsApiView):
    need_to_know = Need(DataKind.PAYMENTS)

    class InputSerializer(serializers.Serializer):
        amount = MoneyField(
            required=False,
            min_value=Decimal("0.01"),
            max_value=Decimal("999999.99"),
            pattern=r"^(?=[0-9.]*[1-9])[0-9]{1,6}(?:\.[0-9]{1,2})?$",
        )
        reason = TextField(max_length=255)

    @extend_schema(request=InputSerializer, responses={201: RefundOutSerializer})
    def post(self, request, payment_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selectors.payment_get_for(user=request.user, payment_id=payment_id)
        refund = services.refund_request(
            actor=request.user,
            payment_id=payment_id,
            amount=data.validated_data.get("amount"),
            reason=data.validated_data["reason"],
        )
        refund.refresh_from_db()
        return Response(RefundOutSerializer(refund).data, status=status.HTTP_201_CREATED)


class MandateOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_secret = serializers.CharField()
    url = serializers.CharField()


class LoanMandateApi(PaymentsApiView):
    need_to_know = Need(DataKind.PAYMENTS, shows=[DataKind.LOANS])

    @extend_schema(request=None, responses={201: MandateOutSerializer})
    def post(self, request, loan_id: int):
        mandate = services_sepa.mandate_request(actor=request.user, loan_id=loan_id)
        data = {
            "id": mandate.pk,
            "client_secret": mandate.client_secret,
            "url": services_sepa.mandate_url(mandate),
        }
        return Response(MandateOutSerializer(data).data, status=status.HTTP_201_CREATED)
