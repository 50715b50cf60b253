"""`GET /api/v1/reports/indicators/?from=&to=`: every indicator family of the caller's
platform for the period, as one object (counts as integers, rates and durations as strings
with one decimal, money as strings with two). Platform staff only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Need
from reporting.display import api_value
from reporting.enums import Family
from reporting.forms import MAX_DAYS, this_year
from reporting.permissions import viewer_for
from reporting.selectors import Scope
from reporting.snapshots import report_for


class PeriodQuery(serializers.Serializer):
    from_ = serializers.DateField(required=False)
    to = serializers.DateField(required=False)
    platform = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, data):
        blank = [name for name in ("from", "to", "platform")
                 if name in self.initial_data and self.initial_data.get(name) == ""]  # fmt: skip
        if blank:  # DRF reads `?to=` as no `to` at all: a wrong date, rather
            raise serializers.ValidationError({name: "Donnez une valeur ou retirez ce paramètre."
                                               for name in blank})  # fmt: skip
        first, last = this_year()
        data["from"], data["to"] = data.get("from") or first, data.get("to") or last
        if data["to"] < data["from"]:
            raise serializers.ValidationError({"to": "La fin de la période est avant son début."})
        if (data["to"] - data["from"]).days > MAX_DAYS:
            raise serializers.ValidationError({"to": "Dix ans au plus."})
        return data


FIGURES = serializers.DictField(child=serializers.JSONField(), help_text="figure → value")


class IndicatorsApi(APIView):
    need_to_know = Need(DataKind.INDICATORS, audience=PLATFORM_STAFF)

    @extend_schema(
        operation_id="reports_indicators",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE,
                             description="First day; default 1 January of this year."),
            OpenApiParameter("to", OpenApiTypes.DATE,
                             description="Last day, on or after `from`, at most ten years "
                             "later; default 31 December of this year."),
            OpenApiParameter("platform", {"type": "integer", "minimum": 1,
                                          "maximum": 2**31 - 1},
                             description="One of the caller's platforms (default: the first)."),
        ],
        responses=inline_serializer(
            "Indicators",
            {"platform": serializers.IntegerField(), "from": serializers.DateField(),
             "to": serializers.DateField(), **{f.value: FIGURES for f in Family}},
        ),
    )  # fmt: skip
    def get(self, request):
        query = PeriodQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        viewer = viewer_for(request.user, data.get("platform"))
        report = report_for(Scope((viewer.platform_id,), data["from"], data["to"]))
        body = {"platform": viewer.platform_id, "from": data["from"].isoformat(),
                "to": data["to"].isoformat()}  # fmt: skip
        for family in report.families(Family):
            body[family.family.value] = {f.key: api_value(f.value, f.unit) for f in family.figures}
        return Response(body)
