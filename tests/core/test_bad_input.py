"""No input is a 500 (issue 18), in the API: every endpoint the URL resolver lists gets every
kind of bad input, as a signed-in adviser and as a finance officer, and answers 4xx with a
`code` (or DRF's field errors), never a 500 — on SQLite and on PostgreSQL.

Whether an endpoint reads its body is found by sending it plain text (a 415 if it does);
one that does must answer a body it cannot parse with 400 `malformed_request`, one that
does not answers as it does to `{}`. The writes also get a body that works (checked, then
rolled back, like every request here) with one field at a time replaced by a bad value.
"""

import copy
import re

import pytest
from django.urls import reverse
from rest_framework.views import APIView

from accounts.api import TokenObtainView
from tests.core.bad_input import (
    BAD_QUERY,
    TODAY,
    bad_values,
    outcome,
    resolved_url,
    rolled_back,
    send,
    url_patterns,
)

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
ROLES = ["adviser", "finance_officer"]


def api_endpoints() -> list[tuple[str, object, list[str]]]:
    """(route, pattern, methods) of every DRF view the URL resolver knows."""
    found = []
    for route, pattern in url_patterns():
        view = getattr(pattern.callback, "cls", None)
        if isinstance(view, type) and issubclass(view, APIView):
            found.append((route, pattern, [m for m in ("get", *WRITES) if hasattr(view, m)]))
    return found


ENDPOINTS = api_endpoints()


@pytest.fixture(autouse=True)
def _no_token_throttle(monkeypatch):
    """Dozens of requests to the token endpoint: its rate limit is not what is tested."""
    monkeypatch.setattr(TokenObtainView, "throttle_classes", [])


def failed(got) -> bool:
    """A 500, or a refusal that says nothing a program can read."""
    return not isinstance(got[0], int) or got[0] >= 500 or got[1] in ("no code", "not json")


# --- bodies that cannot be parsed -------------------------------------------------------------

# Refused by the parser when the endpoint reads its body.
BODIES = {
    "malformed": (b'{"reason": ', "application/json"),
    "deep_array": (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    "deep_object": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json"),
    "too_deep": (b'{"a":' * 40 + b"1" + b"}" * 40, "application/json"),
    "invalid_utf8": (b'{"reason": "\xff\xfe\xfd"}', "application/json"),
    "nan": (b'{"reason": NaN}', "application/json"),
    "huge_number": (b'{"reason": ' + b"9" * 5000 + b"}", "application/json"),
    "bad_multipart": (b"garbage", "multipart/form-data"),
}
# Refused before any view runs, whatever the endpoint does with its body.
TOO_LARGE = b'{"reason": "' + b"x" * (2621440 + 1) + b'"}'  # Django's default limit, 2.5 MiB
REFUSED = {
    "too_large": (TOO_LARGE, "application/json", "request_too_large"),
    "nul_in_form": (b"reason=a%00b&note=ok", "application/x-www-form-urlencoded", "invalid"),
    "bad_charset": (b'{"reason": "x"}', "application/json; charset=bz2_codec", "malformed_request"),
}


def writes(client, world):
    """(method, url, answer to `{}`, whether it reads its body) of every write endpoint."""
    for route, pattern, methods in ENDPOINTS:
        url = resolved_url(route, pattern, world)
        for method in [m for m in methods if m in WRITES]:
            control = outcome(rolled_back(lambda: send(client, method, url, {})))  # noqa: B023
            plain = outcome(rolled_back(lambda: send(client, method, url, b"x", "text/plain")))  # noqa: B023
            yield method, url, control, plain == (415, "unsupported_media_type")


@pytest.mark.parametrize("role", ROLES)
def test_unparseable_bodies_are_400_malformed_request(client, world, request, role):
    client.force_login(request.getfixturevalue(role))
    failures, readers = [], 0
    for method, url, control, reads_body in writes(client, world):
        readers += reads_body
        expected = (400, "malformed_request") if reads_body else control
        refused = dict(REFUSED)
        for kind, (body, content_type) in BODIES.items():
            if kind == "bad_multipart" and method == "post":  # Django reads a POST's form
                refused[kind] = (body, content_type, "malformed_request")
                continue
            got = outcome(rolled_back(lambda: send(client, method, url, body, content_type)))  # noqa: B023
            if got != expected:
                failures.append((kind, method.upper(), url, "expected", expected, "got", got))
        for kind, (body, content_type, code) in refused.items():
            got = outcome(rolled_back(lambda: send(client, method, url, body, content_type)))  # noqa: B023
            if got != (400, code):
                failures.append((kind, method.upper(), url, "expected", (400, code), "got", got))
    assert not failures, "\n".join(map(str, failures))
    assert readers >= 10  # this user's writes were reached, not only refused


# --- query strings, paths, headers ----------------------------------------------------------

# Refusals the contract names (DESIGN §6 filters): (path, parameter, value, statuses). A page
# past the last is 404; one no database could reach may be refused as a 400 first.
MUST_REFUSE = [
    ("/api/v1/services/", "page", "99999999999999999999", {400, 404}),
    ("/api/v1/services/", "near", "nan,inf", {400}),
    ("/api/v1/services/", "near", "1e400,1e400", {400}),
    ("/api/v1/services/", "radius_km", "nan", {400}),
    ("/api/v1/services/", "available_from", "0000-01-01", {400}),
    ("/api/v1/services/", "beneficiary", "99999999999999999999", {400}),
    ("/api/v1/services/{service_id}/slots/", "from", "0000-01-01", {400}),
    ("/api/v1/services/{service_id}/slots/", "to", "9999-12-31", {400}),
    ("/api/v1/bookings/", "from", "0000-01-01", {400}),
    ("/api/v1/bookings/", "to", "99999-01-01", {400}),
    ("/api/v1/bookings/", "page", "99999999999999999999", {400, 404}),
    ("/api/v1/loans/", "beneficiary", "99999999999999999999", {400}),
]


@pytest.fixture(scope="module")
def declared_parameters(django_db_blocker) -> dict[str, set[str]]:
    """Query parameters the OpenAPI schema declares, by path."""
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {p["name"] for op in ops.values() for p in op.get("parameters", [])
               if p["in"] == "query"}
        for path, ops in schema["paths"].items()
    }  # fmt: skip


def schema_path(route: str) -> str:
    """`api/v1/loans/<int:loan_id>/` as the schema writes it: `/api/v1/loans/{loan_id}/`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@pytest.mark.parametrize("role", ROLES)
def test_bad_query_strings_are_4xx_with_a_code(client, world, request, role, declared_parameters):
    """Each parameter an endpoint declares, one bad value at a time; the others all at once
    (ignored, they must break nothing either); a NUL in any of them."""
    client.force_login(request.getfixturevalue(role))
    failures, answers = [], {}
    for route, pattern, methods in ENDPOINTS:
        if "get" not in methods:
            continue
        url = resolved_url(route, pattern, world)
        declared = declared_parameters.get(schema_path(route), set())
        plain = send(client, "get", url)
        if outcome(plain)[1] == "ok" and plain["Content-Type"] == "application/json":
            if "results" in plain.json():  # a paginated list
                declared |= {"page", "page_size"}
        tries = [{name: value} for name in sorted(declared & set(BAD_QUERY))
                 for value in BAD_QUERY[name]]  # fmt: skip
        tries.append({name: values[0] for name, values in BAD_QUERY.items()})
        tries += [{name: "a\x00b"} for name in sorted(declared | {"q"})]
        for query in tries:
            got = outcome(send(client, "get", url, query))
            answers[schema_path(route), *query.items()] = got
            if failed(got) or ("a\x00b" in query.values() and got != (400, "invalid")):
                failures.append((url, query, got))
    assert not failures, "\n".join(map(str, failures))
    if role == "adviser":  # the catalogue and the bookings are the adviser's
        for path, name, value, statuses in MUST_REFUSE:
            assert answers[path, (name, value)][0] in statuses, (path, name, value)


@pytest.mark.parametrize("role", ROLES)
def test_out_of_range_ids_in_paths_are_400_or_404(client, world, request, role):
    client.force_login(request.getfixturevalue(role))
    failures = []
    for route, pattern, methods in ENDPOINTS:
        for name in pattern.pattern.converters:
            for value in (2**63, 10**20, 2**63 - 1, 0):
                url = resolved_url(route, pattern, world, **{name: value})
                for method in methods:
                    got = outcome(rolled_back(lambda: send(client, method, url, {})))  # noqa: B023
                    if failed(got) or got[0] not in (400, 403, 404):
                        failures.append((method.upper(), url, got))
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_IDEMPOTENCY_KEY": "clé\x00"},
        {"HTTP_AUTHORIZATION": "Token abc\x00def"},
        {"HTTP_COOKIE": "sessionid=abc\x00def"},
        {"HTTP_ACCEPT_LANGUAGE": "fr\x00"},
    ],
)
def test_nul_in_headers_and_cookies_is_400_before_any_query(client, adviser, world, header):
    client.force_login(adviser)
    body = {"beneficiary": world["beneficiary_id"], "service": world["service_id"],
            "slots": [world["slot"]]}  # fmt: skip
    response = send(client, "post", "/api/v1/bookings/", body, **header)

    assert outcome(response) == (400, "invalid")
    assert response.json()["detail"] == "Le caractère nul n'est pas autorisé."


# --- one bad field at a time in a body that works -----------------------------------------

# (role, URL name, method, URL kwargs, body); "@name" is the world's id of that name.
BASELINES = [
    ("adviser", "api-booking-list", "post", {},
     {"beneficiary": "@beneficiary_id", "service": "@service_id", "slots": ["@slot"],
      "quantity": 1, "note": "Apporter la carte grise"}),
    ("adviser", "api-booking-cancel", "post", {"booking_id": "@booking_id"},
     {"reason": "Empêchement"}),
    ("adviser", "api-beneficiary-list", "post", {},
     {"first_name": "Zoé", "last_name": "Durand", "birth_date": "1988-03-04",
      "situation": "rsa", "phone": "0601020304", "postcode": "03000",
      "professional_project": "Aide-soignante", "create_anyway": True}),
    ("adviser", "api-beneficiary-detail", "patch", {"beneficiary_id": "@beneficiary_id"},
     {"first_name": "Léa", "birth_date": "1991-04-05", "household": "Seule"}),
    ("adviser", "api-beneficiary-diagnoses", "post", {"beneficiary_id": "@beneficiary_id"},
     {"held_on": TODAY, "duration_minutes": 60, "summary": "Pas de permis",
      "decision": "reinforced",
      "barriers": [{"category": "financial", "code": "Budget", "priority": 1}]}),
    ("adviser", "api-beneficiary-follow-ups", "post", {"beneficiary_id": "@beneficiary_id"},
     {"held_on": TODAY, "channel": "phone", "notes": "Point d'étape"}),
    ("adviser", "api-beneficiary-consents", "post", {"beneficiary_id": "@beneficiary_id"},
     {"purpose": "sms"}),
    ("adviser", "api-beneficiary-outcome", "post", {"beneficiary_id": "@beneficiary_id"},
     {"code": "training", "exited_on": TODAY}),
    ("adviser", "api-referral-accept", "post", {"referral_id": "@referral_id"},
     {"create_anyway": True}),
    ("adviser", "api-referral-refuse", "post", {"referral_id": "@referral_id"},
     {"reason": "not_eligible", "reorientation": "Mission locale"}),
    ("finance_officer", "api-programme-list", "post", {},
     {"name": "Aide au permis", "funder": "@funder", "budget": "1000.00",
      "per_beneficiary_cap": "300.00", "eligible_categories": ["garage"],
      "eligible_situations": ["rsa"], "starts_on": TODAY, "ends_on": "2026-12-31"}),
    ("finance_officer", "api-loan-list", "post", {},
     {"beneficiary": "@beneficiary_id", "kind": "micro_credit", "lender": "@lender",
      "principal": "3000.00", "annual_rate": "3", "term_months": 36,
      "method": "declining_balance", "grace_months": 0, "first_due_on": "2026-05-05"}),
    ("finance_officer", "api-loan-repayments", "post", {"loan_id": "@loan_id"},
     {"amount": "10.00", "value_date": TODAY, "method": "cash"}),
    ("finance_officer", "api-loan-entries", "post", {"loan_id": "@loan_id"},
     {"kind": "waiver", "amount": "1.00", "value_date": TODAY, "note": "Geste"}),
    ("finance_officer", "api-loan-transaction-reverse", "post",
     {"transaction_id": "@transaction_id"}, {"note": "Chèque rejeté"}),
    ("finance_officer", "api-booking-financing", "put", {"booking_id": "@booking_id"},
     {"lines": [{"kind": "grant", "amount": "10.00", "programme": "@programme"},
                {"kind": "beneficiary", "amount": "25.00"}]}),
]  # fmt: skip


def with_ids(value, world):
    if isinstance(value, dict):
        return {key: with_ids(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [with_ids(item, world) for item in value]
    if isinstance(value, str) and value.startswith("@"):
        return world[value[1:]]
    return value


def leaves(body, path=()):
    """Paths to every scalar of a body (in the first item of each list)."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from leaves(value, (*path, key))
    elif isinstance(body, list):
        yield from leaves(body[0], (*path, 0))
    else:
        yield path, body


def replaced(body, path, value):
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("role", "name", "method", "kwargs", "body"),
    BASELINES,
    ids=[f"{name}-{method}" for _role, name, method, _kwargs, _body in BASELINES],
)
def test_one_bad_field_at_a_time_is_4xx_with_a_code(
    client, world, request, role, name, method, kwargs, body
):
    client.force_login(request.getfixturevalue(role))
    url, body = reverse(name, kwargs=with_ids(kwargs, world)), with_ids(body, world)
    good = outcome(rolled_back(lambda: send(client, method, url, body)))
    assert 200 <= good[0] < 300, (url, good)  # else the bad values below would prove nothing
    failures = []
    for path, value in leaves(body):
        refused, tolerated = bad_values(value)
        for bad in [*refused, *tolerated]:
            got = outcome(rolled_back(lambda: send(client, method, url, replaced(body, path, bad))))  # noqa: B023
            if failed(got) or (bad in refused and got[0] < 400):
                failures.append((path, repr(bad)[:40], got))
    assert not failures, f"{method.upper()} {url}\n" + "\n".join(map(str, failures))
