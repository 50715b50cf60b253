"""Lists shown a page at a time: the page asked for (`?page=`) and the numbers to link to,
as `templates/core/_pagination.html` reads them."""

from django.core.paginator import Paginator


def page_context(request, items, per_page: int, paginator: type[Paginator] = Paginator) -> dict:
    """`page_obj` (the page asked for, the last one past the end) and `page_range` (its
    neighbours, the ends, and ellipses in between)."""
    page = paginator(items, per_page).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
