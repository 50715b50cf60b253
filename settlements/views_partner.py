"""« Mes relevés »: a partner's issued and paid statements, with their downloads."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.need_to_know import PARTNERS, DataKind, need_to_know
from core.paging import page_context
from settlements import selectors


@need_to_know(DataKind.SETTLEMENTS, audience=PARTNERS)
def my_statements(request):
    statements = selectors.settlement_list_filtered(user=request.user)
    return render(request, "settlements/partner_list.html", {
        "title": _("Mes relevés"), **page_context(request, statements, 25),
    })  # fmt: skip
