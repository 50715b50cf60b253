"""Financing API (DESIGN §6): booking financing plans (advisers and finance officers), grant
envelopes and the portfolio (finance officers); loans are in `financing.api_loans`.

Reaching an endpoint reserved to other roles is 403; an object outside the user's platforms
is 404."""

from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import DataKind, Need
from accounts.scoping import platform_ids
from beneficiaries.enums import Situation
from bookings import selectors as booking_selectors
from core.api.fields import MoneyField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import PermissionDeniedError
from financing import plans, selectors, services
from financing.enums import (
    ArrearsBucket,
    AwardStatus,
    LineKind,
    LoanKind,
)
from financing.permissions import can_plan
from partners.enums import PartnerCategory

PERCENT = {"max_digits": 5, "decimal_places": 1}


def require_roles(user, roles) -> None:
    """Endpoint-level check: the user holds one of `roles` in some platform, else 403."""
    if not platform_ids(user, roles=roles):
        raise PermissionDeniedError(_("Réservé aux équipes financement de la plateforme."))


def single_platform(user, requested: int | None) -> int:
    if requested is not None:
        return requested
    platforms = platform_ids(user, roles=selectors.FINANCE_ROLES)
    if len(platforms) != 1:
        raise serializers.ValidationError({"platform": _("Précisez la plateforme.")})
    return next(iter(platforms))


# --- Financing plans -------------------------------------------------------------------


class PlanLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    amount = MoneyField(min_value=Decimal("0"))
    programme = serializers.IntegerField(required=False, allow_null=True)
    loan = serializers.IntegerField(required=False, allow_null=True)
    award_status = serializers.ChoiceField(
        choices=AwardStatus.choices, read_only=True, allow_null=True
    )

    def validate(self, attrs):
        # A grant award must be positive (database check): say so rather than fail with a 500.
        if attrs["kind"] == LineKind.GRANT and attrs["amount"] <= 0:
            raise serializers.ValidationError({"amount": _("Une aide doit être positive.")})
        return attrs


class FinancingPlanApi(APIView):
    """A booking's plan: who pays what. Replacing it re-commits its grants."""

    need_to_know = Need(DataKind.FINANCING_PLAN)

    class PlanSerializer(serializers.Serializer):
        lines = PlanLineSerializer(many=True, allow_empty=True)
        total = MoneyField(read_only=True)
        beneficiary_share = MoneyField(read_only=True, allow_null=True)

    def _booking(self, request, booking_id: int):
        booking = booking_selectors.booking_get_for(user=request.user, booking_id=booking_id)
        if not can_plan(request.user, booking.platform_id):
            raise PermissionDeniedError(_("Réservé aux conseillers et au financement."))
        return booking

    def _answer(self, booking) -> Response:
        plan = selectors.plan_for(booking=booking)
        if plan is None:
            data = {"lines": [], "total": booking.total_price, "beneficiary_share": None}
        else:
            prefetch_related_objects([plan], "lines__award")
            booking.financing_plan = plan  # the reverse one-to-one: no second query
            data = {
                "lines": [
                    {
                        "kind": line.kind,
                        "amount": line.amount,
                        "programme": line.programme_id,
                        "loan": line.loan_id,
                        "award_status": line.award.status if line.award_id else None,
                    }
                    for line in plan.lines.all()
                ],
                "total": booking.total_price,
                "beneficiary_share": plans.beneficiary_share(booking),
            }
        return Response(self.PlanSerializer(data).data)

    @extend_schema(responses={200: PlanSerializer})
    def get(self, request, booking_id: int):
        return self._answer(self._booking(request, booking_id))

    @extend_schema(request=PlanSerializer, responses={200: PlanSerializer})
    def put(self, request, booking_id: int):
        booking = self._booking(request, booking_id)
        data = self.PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plans.plan_set(
            actor=request.user,
            booking_id=booking.pk,
            lines=[dict(line) for line in data.validated_data["lines"]],
        )
        return self._answer(booking)


# --- Grant envelopes -------------------------------------------------------------------


def _codes(values) -> list[tuple[str, str]]:
    """Plain codes as choices (the labels are the codes: one enum name per schema field)."""
    return [(value, value) for value in values]


class ProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    platform = serializers.IntegerField(source="platform_id", required=False)
    name = TextField(max_length=200)
    funder = serializers.IntegerField(source="funder_id")
    funder_name = TextField(source="funder.name", read_only=True)
    budget = MoneyField(min_value=Decimal("0.01"))
    committed = MoneyField(read_only=True)
    paid = MoneyField(read_only=True)
    available = MoneyField(read_only=True)
    per_beneficiary_cap = MoneyField(
        min_value=Decimal("0.01"), required=False, allow_null=True, default=None
    )
    eligible_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=_codes(PartnerCategory.values)), required=False
    )
    eligible_situations = serializers.ListField(
        child=serializers.ChoiceField(choices=_codes(Situation.values)), required=False
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    active = serializers.BooleanField(read_only=True)


class ProgrammeListApi(APIView):
    need_to_know = Need(DataKind.PROGRAMMES)
    """Grant envelopes of the finance officer's platforms."""

    pagination_class = PageNumberPagination

    @extend_schema(responses={200: ProgrammeSerializer(many=True)})
    def get(self, request):
        require_roles(request.user, selectors.FINANCE_ROLES)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.programme_list_for(user=request.user).order_by("name", "pk"),
            serializer_class=ProgrammeSerializer,
        )

    @extend_schema(request=ProgrammeSerializer, responses={201: ProgrammeSerializer})
    def post(self, request):
        require_roles(request.user, selectors.FINANCE_ROLES)
        data = ProgrammeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        programme = services.programme_create(
            actor=request.user,
            platform_id=single_platform(request.user, fields.pop("platform_id", None)),
            **fields,
        )
        programme = selectors.programme_list_for(user=request.user).get(pk=programme.pk)
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


# --- Portfolio -------------------------------------------------------------------------


class PortfolioApi(APIView):
    need_to_know = Need(DataKind.PORTFOLIO)
    """Outstanding principal, arrears buckets and PAR30 — by balance (the standard measure)
    and, for comparison, by overdue amount."""

    class OutputSerializer(serializers.Serializer):
        class BucketSerializer(serializers.Serializer):
            loans = serializers.IntegerField()
            outstanding = MoneyField()

        class Par30Serializer(serializers.Serializer):
            by_balance_percent = serializers.DecimalField(**PERCENT)
            by_overdue_amount_percent = serializers.DecimalField(**PERCENT)
            at_risk_principal = MoneyField()
            overdue_amount = MoneyField()

        class GroupSerializer(serializers.Serializer):
            lender = TextField()
            kind = TextField(help_text="micro_credit, association_loan")
            outstanding = MoneyField()

        loans = serializers.IntegerField()
        outstanding_principal = MoneyField()
        overdue_amount = MoneyField()
        buckets = serializers.DictField(
            child=BucketSerializer(), help_text="current, 1-30, 31-60, 61-90, 90+"
        )
        par30 = Par30Serializer()
        by_lender_and_kind = GroupSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request):
        require_roles(request.user, selectors.FINANCE_ROLES)
        report = selectors.portfolio_for(user=request.user)
        kinds = {str(label): value for value, label in LoanKind.choices}  # label → code
        data = {
            "loans": report.loans,
            "outstanding_principal": report.outstanding,
            "overdue_amount": report.overdue_amount,
            "buckets": {
                bucket: {
                    "loans": report.bucket_counts.get(bucket, 0),
                    "outstanding": report.buckets.get(bucket, Decimal(0)),
                }
                for bucket in ArrearsBucket.values
            },
            "par30": {
                "by_balance_percent": report.par30,
                "by_overdue_amount_percent": report.overdue_ratio_30,
                "at_risk_principal": report.at_risk_30,
                "overdue_amount": report.overdue_30,
            },
            "by_lender_and_kind": [
                {"lender": lender, "kind": kinds.get(str(kind), kind), "outstanding": amount}
                for (lender, kind), amount in sorted(report.by_group.items())
            ],
        }
        return Response(self.OutputSerializer(data).data)
