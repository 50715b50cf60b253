from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(
    *, request, view, queryset, serializer_class, context=None, pagination_class=None
):
    """Paginate `queryset` with the project's paginator (or `pagination_class`) and
    serialize the page."""
    paginator = (pagination_class or PageNumberPagination)()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)
