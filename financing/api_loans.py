"""Loans API (DESIGN §6): social micro-credits and association loans with their schedule,
repayments, ledger and reversals (finance officers manage; advisers and finance officers
read). Reaching an endpoint reserved to other roles is 403; a loan outside the user's
platforms is 404."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation
from accounts.need_to_know import DataKind, Mode, Need
from core.api.fields import DecimalStringField, MoneyField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import PermissionDeniedError
from financing import loans, selectors
from financing.api import require_roles
from financing.enums import (
    ArrearsBucket,
    LoanKind,
    LoanMethod,
    LoanStatus,
    PaymentMethod,
    TransactionKind,
)
from financing.permissions import can_manage_finance


class LoanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    platform = serializers.IntegerField(source="platform_id", read_only=True)
    beneficiary = serializers.IntegerField(source="beneficiary_id")
    beneficiary_name = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=LoanKind.choices)
    # A related field for input validation only: an unknown lender is a 400.
    lender = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    lender_name = TextField(source="lender.name", read_only=True)
    # Bounds that keep every amount of the schedule within the ledger's columns: a social loan
    # stays under a million euros, at most 100 % a year, over at most 40 years.
    principal = MoneyField(
        min_value=Decimal("0.01"),
        max_value=Decimal("999999.99"),
        pattern=r"^(?=[0-9.]*[1-9])[0-9]{1,6}(?:\.[0-9]{1,2})?$",
    )
    annual_rate = DecimalStringField(
        max_digits=6,
        decimal_places=3,
        min_value=0,
        max_value=100,
        pattern=r"^(?:100(?:\.0{1,3})?|[0-9]{1,2}(?:\.[0-9]{1,3})?)$",
    )
    term_months = serializers.IntegerField(min_value=1, max_value=480)
    method = serializers.ChoiceField(
        choices=LoanMethod.choices, required=False, default=LoanMethod.DECLINING_BALANCE
    )
    grace_months = serializers.IntegerField(min_value=0, max_value=479, required=False, default=0)
    guarantee_share = DecimalStringField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        pattern=r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$",
    )
    first_due_on = serializers.DateField()
    disbursed_on = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=LoanStatus.choices, read_only=True)
    credit_balance = MoneyField(read_only=True)
    days_past_due = serializers.IntegerField(read_only=True)
    arrears_bucket = serializers.ChoiceField(choices=ArrearsBucket.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_beneficiary_name(self, loan) -> str:
        return f"{loan.beneficiary.first_name} {loan.beneficiary.last_name}".strip()


class LoanListApi(APIView):
    need_to_know = Need(DataKind.LOANS)
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        """The loans page's filters (`LoanFilterForm`), and the borrower; a value out of
        its list is a 400."""

        status = serializers.ChoiceField(choices=LoanStatus.choices, required=False)
        kind = serializers.ChoiceField(choices=LoanKind.choices, required=False)
        bucket = serializers.ChoiceField(choices=ArrearsBucket.choices, required=False)
        beneficiary = serializers.IntegerField(source="beneficiary_id", required=False, min_value=1)
        person = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=LoanStatus.values),
            OpenApiParameter("kind", str, enum=LoanKind.values),
            OpenApiParameter("bucket", str, enum=ArrearsBucket.values),
            OpenApiParameter("beneficiary", {"type": "integer", "minimum": 1}),
            OpenApiParameter("person", str, description="Nom ou prénom de la personne"),
        ],
        responses={200: LoanSerializer(many=True)},
    )
    def get(self, request):
        require_roles(request.user, selectors.READ_ROLES)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.loan_list_filtered(user=request.user, **filters.validated_data),
            serializer_class=LoanSerializer,
        )

    @extend_schema(request=LoanSerializer, responses={201: LoanSerializer})
    def post(self, request):
        require_roles(request.user, selectors.FINANCE_ROLES)
        data = LoanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        loan = loans.loan_create(actor=request.user, lender_id=fields.pop("lender").pk, **fields)
        loan = selectors.loan_get_for(user=request.user, loan_id=loan.pk)
        return Response(LoanSerializer(loan).data, status=status.HTTP_201_CREATED)


def _readable_loan(request, loan_id: int):
    require_roles(request.user, selectors.READ_ROLES)
    return selectors.loan_get_for(user=request.user, loan_id=loan_id)


def _managed_loan(request, loan_id: int):
    """A loan the user may see (else 404) and manage (else 403)."""
    loan = _readable_loan(request, loan_id)
    if not can_manage_finance(request.user, loan.platform_id):
        raise PermissionDeniedError(_("Réservé aux chargés de financement."))
    return loan


class LoanDetailApi(APIView):
    need_to_know = Need(DataKind.LOANS)

    @extend_schema(responses={200: LoanSerializer})
    def get(self, request, loan_id: int):
        return Response(LoanSerializer(_readable_loan(request, loan_id)).data)


class LoanTransitionApi(APIView):
    """approve, reject, disburse (optionally `on` a date), cancel, default."""

    need_to_know = Need(DataKind.LOANS, mode=Mode.WRITE)

    to = ""

    class InputSerializer(serializers.Serializer):
        on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={200: LoanSerializer})
    def post(self, request, loan_id: int):
        _managed_loan(request, loan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loans.loan_transition(
            actor=request.user, loan_id=loan_id, to=self.to, on=data.validated_data["on"]
        )
        return Response(LoanSerializer(_readable_loan(request, loan_id)).data)


class LoanScheduleApi(APIView):
    need_to_know = Need(DataKind.LOANS)

    class OutputSerializer(serializers.Serializer):
        number = serializers.IntegerField()
        due_on = serializers.DateField()
        principal_due = MoneyField()
        interest_due = MoneyField()
        amount_due = MoneyField()
        principal_paid = MoneyField()
        interest_paid = MoneyField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request, loan_id: int):
        loan = _readable_loan(request, loan_id)
        return Response(self.OutputSerializer(loan.installments.all(), many=True).data)


class TransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TransactionKind.choices)
    amount = MoneyField()
    value_date = serializers.DateField()
    method = TextField()
    note = TextField()
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    reversed = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_reversed(self, tx) -> bool:
        reversed_ids = self.context.get("reversed_ids")
        if reversed_ids is None:  # a single entry
            return hasattr(tx, "reversed_by")
        return tx.pk in reversed_ids


class EntryOutputSerializer(serializers.Serializer):
    class PartSerializer(serializers.Serializer):
        number = serializers.IntegerField()
        interest = MoneyField()
        principal = MoneyField()

    transaction = TransactionSerializer()
    allocation = PartSerializer(many=True)
    credit = MoneyField()


def _entry_response(entry, allocation) -> Response:
    data = {
        "transaction": entry,
        "allocation": [
            {"number": n, "interest": interest, "principal": principal}
            for n, interest, principal in allocation.parts
        ],
        "credit": allocation.credit,
    }
    return Response(EntryOutputSerializer(data).data, status=status.HTTP_201_CREATED)


class LoanRepaymentApi(APIView):
    """A repayment pays the oldest instalment first, interest before principal; any excess is
    held as credit."""

    need_to_know = Need(DataKind.LOANS, mode=Mode.WRITE)

    class InputSerializer(serializers.Serializer):
        amount = MoneyField(min_value=Decimal("0.01"))
        value_date = serializers.DateField()
        method = serializers.ChoiceField(choices=PaymentMethod.choices)

    @extend_schema(request=InputSerializer, responses={201: EntryOutputSerializer})
    def post(self, request, loan_id: int):
        _managed_loan(request, loan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry, allocation = loans.entry_record(
            actor=request.user,
            loan_id=loan_id,
            kind=TransactionKind.REPAYMENT,
            **data.validated_data,
        )
        return _entry_response(entry, allocation)


class LoanEntryApi(APIView):
    """A waiver (remise) or a write-off, allocated like a repayment."""

    need_to_know = Need(DataKind.LOANS, mode=Mode.WRITE)

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(
            choices=[(k, k.label) for k in (TransactionKind.WAIVER, TransactionKind.WRITE_OFF)]
        )
        amount = MoneyField(min_value=Decimal("0.01"))
        value_date = serializers.DateField()
        note = TextField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: EntryOutputSerializer})
    def post(self, request, loan_id: int):
        _managed_loan(request, loan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry, allocation = loans.entry_record(
            actor=request.user, loan_id=loan_id, **data.validated_data
        )
        return _entry_response(entry, allocation)


class LoanLedgerApi(APIView):
    """Every entry of the loan, in value-date order (plain list, like the schedule)."""

    need_to_know = Need(DataKind.LOANS)

    @extend_schema(responses={200: TransactionSerializer(many=True)})
    def get(self, request, loan_id: int):
        loan = _readable_loan(request, loan_id)
        entries = list(loan.transactions.all())
        reversed_ids = {tx.reverses_id for tx in entries if tx.reverses_id}
        return Response(
            TransactionSerializer(entries, many=True, context={"reversed_ids": reversed_ids}).data
        )


class TransactionReverseApi(APIView):
    need_to_know = Need(DataKind.LOANS, mode=Mode.WRITE)

    class InputSerializer(serializers.Serializer):
        note = TextField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: TransactionSerializer})
    def post(self, request, transaction_id: int):
        require_roles(request.user, selectors.FINANCE_ROLES)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = loans.entry_reverse(
            actor=request.user, transaction_id=transaction_id, note=data.validated_data["note"]
        )
        return Response(TransactionSerializer(reversal).data, status=status.HTTP_201_CREATED)
