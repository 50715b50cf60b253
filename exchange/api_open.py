"""The open-data feed (DESIGN §6): `GET /api/v1/open/structures/` and `/api/v1/open/services/`
answer data·inclusion schema v1 objects to anyone, paginated like every list.

Each page is built once per `OPEN_DATA_CACHE_SECONDS` (the default cache, `core.cache`)
and answered with an `ETag` (a hash of the page) and `Last-Modified` (the latest change
among its objects): a client that sends `If-None-Match` (or `If-Modified-Since`) with the
same values gets 304 and no body. Anonymous clients are throttled per address (DRF's anon
throttle, scope `open_data`, rate `OPEN_DATA_THROTTLE_RATE`)."""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api.fields import TextField
from core.api.pagination import PageNumberPagination
from exchange import opendata
from exchange.selectors_opendata import service_feed, structure_queryset


class OpenDataThrottle(AnonRateThrottle):
    scope = "open_data"


class StructureDoc(serializers.Serializer):
    """A data·inclusion schema v1 `Structure` (all of its fields; those shown here are
    always given)."""

    source = TextField()
    id = TextField()
    nom = TextField()
    date_maj = serializers.DateField()


class ServiceDoc(serializers.Serializer):
    """A data·inclusion schema v1 `Service` (all of its fields; those shown here are always
    given)."""

    source = TextField()
    structure_id = TextField()
    id = TextField()
    nom = TextField()
    description = TextField()
    date_maj = serializers.DateField()


class _OpenDataApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [OpenDataThrottle]
    pagination_class = PageNumberPagination
    kind = ""

    def rows(self):
        raise NotImplementedError

    def objects(self, rows):
        raise NotImplementedError

    def _page(self, request) -> dict:
        key = "exchange:open:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        cached = cache.get(key)
        if cached is None:
            paginator = self.pagination_class()
            rows = paginator.paginate_queryset(self.rows(), request, view=self)
            items, changed = self.objects(rows)
            body = paginator.get_paginated_response(items).data
            text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
            cached = {
                "body": body,
                "etag": quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32]),
                "modified": int(changed.timestamp()) if changed else None,
            }
            cache.set(key, cached, timeout=settings.OPEN_DATA_CACHE_SECONDS)
        return cached

    def get(self, request):
        page = self._page(request)
        headers = {
            "ETag": page["etag"],
            "Cache-Control": f"public, max-age={settings.OPEN_DATA_CACHE_SECONDS}",
        }
        if page["modified"] is not None:
            headers["Last-Modified"] = http_date(page["modified"])
        if_none_match = request.headers.get("If-None-Match")
        since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            if page["etag"] in tags or "*" in tags:
                return Response(status=304, headers=headers)
        elif since is not None and page["modified"] is not None and page["modified"] <= since:
            return Response(status=304, headers=headers)
        return Response(page["body"], headers=headers)


class OpenStructureListApi(_OpenDataApi):
    """Every active partner and platform as a data·inclusion `Structure`."""

    def rows(self):
        return structure_queryset()

    def objects(self, rows):
        return opendata.structures(rows)

    @extend_schema(responses={200: StructureDoc(many=True)})
    def get(self, request):
        return super().get(request)


class OpenServiceListApi(_OpenDataApi):
    """The platforms' own offers and every published service of an active partner as
    data·inclusion `Service`s."""

    def rows(self):
        return service_feed()

    def objects(self, rows):
        return opendata.services(rows)

    @extend_schema(responses={200: ServiceDoc(many=True)})
    def get(self, request):
        return super().get(request)
