"""Statements API (DESIGN §6): `GET/POST /api/v1/settlements/` (the platform's finance team;
partners read their own issued and paid statements), `GET /{id}/`, `POST /{id}/issue/`,
`/{id}/mark-paid/` `{paid_on}`, `/{id}/cancel/` (a draft), `GET /{id}/statement.pdf` and
`.xlsx`, `POST /settlements/transfer-file/` `{settlements: [ids]}` → SEPA pain.001 XML.

Errors: 409 `already_settled`, `invalid_transition`, `bank_details_missing`,
`bank_details_unapproved`, `nothing_to_transfer`; a statement the user may not see is 404.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import DataKind, Mode, Need, platforms_where
from core.api.fields import MoneyField, TextField
from core.api.pagination import PageNumberPagination, paginated_response
from core.errors import PermissionDeniedError
from settlements import building, documents, selectors, services, transfers
from settlements.enums import LineKind, SettlementStatus
from settlements.models import SettlementLine


class GrantSerializer(serializers.Serializer):
    programme = serializers.IntegerField(source="programme_id")
    programme_name = TextField()
    amount = MoneyField()


class LineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    reference = TextField(help_text="the booking's reference (never the person)")
    day = serializers.DateField()
    service = TextField(source="service_name")
    units = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit = TextField()
    solidarity_total = MoneyField()
    grant = MoneyField()
    grants = GrantSerializer(many=True)
    loan = MoneyField()
    platform = MoneyField(source="platform_share")
    beneficiary_share = MoneyField()
    paid_online = MoneyField()
    paid_directly = MoneyField()
    owed = MoneyField()
    note = TextField()


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = TextField()
    platform = serializers.IntegerField(source="platform_id")
    partner = serializers.IntegerField(source="partner_id")
    partner_name = TextField(source="partner.name")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.ChoiceField(choices=SettlementStatus.choices)
    total = MoneyField(help_text="owed by the platform: funding + paid online")
    total_funding = MoneyField()
    total_online = MoneyField()
    total_direct = MoneyField()
    issued_at = serializers.DateTimeField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    exported_at = serializers.DateTimeField(allow_null=True)
    lines = LineSerializer(many=True)


LINES = Prefetch(
    "lines",
    queryset=SettlementLine.objects.prefetch_related("grants").order_by("day", "pk"),
)


def require_finance(user) -> None:
    if not platforms_where(user, DataKind.SETTLEMENTS, Mode.WRITE):
        raise PermissionDeniedError(_("Réservé à l'équipe financement de la plateforme."))


def detail(user, settlement_id: int):
    return (
        selectors.settlement_list_for(user=user).prefetch_related(LINES).filter(pk=settlement_id)
    ).first() or selectors.settlement_get_for(user=user, settlement_id=settlement_id)


class SettlementListApi(APIView):
    need_to_know = Need(DataKind.SETTLEMENTS)
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=SettlementStatus.choices, required=False)
        partner = serializers.IntegerField(required=False, min_value=1)

    class InputSerializer(serializers.Serializer):
        partner = serializers.IntegerField(min_value=1)
        platform = serializers.IntegerField(required=False, min_value=1)
        period_start = serializers.DateField(required=False, help_text="default: last month")
        period_end = serializers.DateField(required=False)

        def validate(self, attrs):
            if ("period_start" in attrs) != ("period_end" in attrs):
                raise serializers.ValidationError(
                    {"period_end": _("Donnez le début et la fin de la période, ou aucun.")}
                )
            if "period_start" in attrs and attrs["period_end"] < attrs["period_start"]:
                raise serializers.ValidationError(
                    {"period_end": _("La fin de la période suit son début.")}
                )
            return attrs

    @extend_schema(parameters=[FilterSerializer], responses={200: SettlementSerializer(many=True)})
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        settlements = selectors.settlement_list_filtered(
            user=request.user,
            status=filters.validated_data.get("status", ""),
            partner_id=filters.validated_data.get("partner"),
        ).prefetch_related(LINES)
        return paginated_response(
            request=request, view=self, queryset=settlements,
            serializer_class=SettlementSerializer,
        )  # fmt: skip

    @extend_schema(request=InputSerializer, responses={201: SettlementSerializer})
    def post(self, request):
        require_finance(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        platforms = platforms_where(request.user, DataKind.SETTLEMENTS, Mode.WRITE)
        platform_id = fields.get("platform")
        if platform_id is None:
            if len(platforms) != 1:
                raise serializers.ValidationError({"platform": _("Précisez la plateforme.")})
            platform_id = next(iter(platforms))
        if "period_start" in fields:
            start, end = fields["period_start"], fields["period_end"]
        else:
            start, end = building.month_period(*building.previous_month(timezone.localdate()))
        settlement = services.settlement_build(
            actor=request.user, platform_id=platform_id, partner_id=fields["partner"],
            period_start=start, period_end=end,
        )  # fmt: skip
        return Response(
            SettlementSerializer(detail(request.user, settlement.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class SettlementDetailApi(APIView):
    need_to_know = Need(DataKind.SETTLEMENTS)

    @extend_schema(responses={200: SettlementSerializer})
    def get(self, request, settlement_id: int):
        return Response(SettlementSerializer(detail(request.user, settlement_id)).data)


class SettlementTransitionApi(APIView):
    need_to_know = Need(DataKind.SETTLEMENTS, mode=Mode.WRITE)
    action = "issue"

    class PaidSerializer(serializers.Serializer):
        paid_on = serializers.DateField()

    @extend_schema(request=PaidSerializer, responses={200: SettlementSerializer})
    def post(self, request, settlement_id: int):
        selectors.settlement_get_for(user=request.user, settlement_id=settlement_id)
        if self.action == "issue":
            services.settlement_issue(actor=request.user, settlement_id=settlement_id)
        elif self.action == "cancel":
            services.settlement_cancel(actor=request.user, settlement_id=settlement_id)
        else:
            data = self.PaidSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.settlement_mark_paid(
                actor=request.user, settlement_id=settlement_id,
                paid_on=data.validated_data["paid_on"],
            )  # fmt: skip
        return Response(SettlementSerializer(detail(request.user, settlement_id)).data)


class SettlementDocumentApi(APIView):
    need_to_know = Need(DataKind.SETTLEMENTS)
    document = "pdf"

    @extend_schema(
        responses={
            (200, "application/pdf"): bytes,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
        }
    )
    def get(self, request, settlement_id: int):
        settlement = selectors.settlement_get_for(user=request.user, settlement_id=settlement_id)
        return document_response(settlement, self.document)


def document_response(settlement, kind: str) -> HttpResponse:
    lines = list(selectors.lines_of(settlement))
    name = settlement.reference or f"releve-brouillon-{settlement.pk}"
    if kind == "pdf":
        response = HttpResponse(
            documents.statement_pdf(settlement, lines), content_type="application/pdf"
        )
    else:
        response = HttpResponse(
            documents.statement_xlsx(settlement, lines),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


class TransferFileApi(APIView):
    need_to_know = Need(DataKind.SETTLEMENTS, mode=Mode.WRITE)

    class InputSerializer(serializers.Serializer):
        settlements = serializers.ListField(
            child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000
        )
        execution_date = serializers.DateField(required=False)

    @extend_schema(request=InputSerializer, responses={(200, "application/xml"): bytes})
    def post(self, request):
        require_finance(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        xml = transfers.transfer_file(
            actor=request.user,
            settlement_ids=data.validated_data["settlements"],
            execution_date=data.validated_data.get("execution_date"),
        )
        response = HttpResponse(xml, content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="virements-pain001.xml"'
        return response
