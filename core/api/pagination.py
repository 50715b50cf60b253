import re

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination

_DIGITS = re.compile(r"[0-9]{1,18}")


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` (from 1, or `last`) and `?page_size=` (1 to 100): anything else is a 400, as
    documented, rather than silently read as another page or page size."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def _number(self, request, name: str, default: int, maximum: int | None = None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        number = int(raw) if _DIGITS.fullmatch(raw) else 0
        if number < 1 or (maximum is not None and number > maximum):
            message = (
                _("Indiquez un nombre entier entre 1 et %(max)s.") % {"max": maximum}
                if maximum is not None
                else _("Indiquez un nombre entier à partir de 1.")
            )
            raise exceptions.ValidationError({name: [message]})
        return number

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return paginator.num_pages
        return self._number(request, self.page_query_param, default=1)

    def get_page_size(self, request):
        return self._number(
            request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
            elif parameter["name"] == self.page_query_param and self.last_page_strings:
                parameter["schema"] = {
                    "anyOf": [
                        parameter["schema"],
                        {"type": "string", "enum": list(self.last_page_strings)},
                    ]
                }
        return parameters


def paginated_response(
    *, request, view, queryset, serializer_class, context=None, pagination_class=None
):
    """Paginate `queryset` with the view's `pagination_class` and serialize the page.

    The view declares its `pagination_class` (as a generic view would): that is what tells the
    OpenAPI schema that its list is the paginated envelope, not a bare array."""
    pagination_class = pagination_class or getattr(view, "pagination_class", None)
    if pagination_class is None:
        raise ImproperlyConfigured(
            f"{type(view).__name__} paginates: set its `pagination_class` so that the schema "
            "documents the page envelope."
        )
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)
