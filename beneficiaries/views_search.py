"""The person search behind the "Personne accompagnée" fields (the booking form's
autocomplete): `GET /personnes/recherche/?q=mart` answers, as JSON, at most 20 people of
the caller's platforms whose names, commune or birth year hold every word typed. Platform
staff only (need-to-know: identity); partners and prescribers get 403."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from accounts.need_to_know import PLATFORM_STAFF, DataKind, need_to_know
from beneficiaries.selectors import SEARCH_LIMIT, beneficiary_search, search_label

QUERY_MAX_LENGTH = 100


@require_GET
@need_to_know(DataKind.IDENTITY, audience=PLATFORM_STAFF)
def beneficiary_search_json(request):
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
    people = beneficiary_search(user=request.user, q=query, limit=SEARCH_LIMIT)
    return JsonResponse(
        {"results": [{"id": person.pk, "label": search_label(person)} for person in people]}
    )
