import pytest
import yaml
from django.urls import reverse
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on an invalid document
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert {"TokenObtainViewInputRequest", "TokenObtainViewOutput", "MeViewOutput"} <= set(
        components
    )


@pytest.mark.django_db
def test_interactive_docs_work_offline(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Served from our own static files (drf-spectacular-sidecar), not from a CDN.
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def _schema(client) -> dict:
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


@pytest.mark.django_db
def test_lists_that_paginate_are_documented_as_the_page_envelope(client):
    schema = _schema(client)
    components = schema["components"]["schemas"]
    for path in ("/api/v1/bookings/", "/api/v1/services/", "/api/v1/loans/", "/api/v1/partners/"):
        operation = schema["paths"][path]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = components[ref.rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}, path
        assert page["properties"]["results"]["type"] == "array"
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["page"]["anyOf"][0] == {"type": "integer", "minimum": 1}
        assert parameters["page"]["anyOf"][1] == {"type": "string", "enum": ["last"]}
        assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    # A plain list stays a plain list (DESIGN §6: slots).
    slots = schema["paths"]["/api/v1/services/{service_id}/slots/"]["get"]
    assert slots["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"


@pytest.mark.django_db
def test_every_operation_documents_its_errors_with_the_error_shape(client):
    schema = _schema(client)
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        expected = set()
        if path == "/api/v1/auth/token/":  # public and throttled
            expected |= {"400", "429"}
        elif path.startswith("/api/v1/open/"):  # open data: public, throttled, paginated
            expected |= {"400", "404", "429"}
        else:
            expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                expected |= {"400", "404"}
            if method != "GET":
                expected |= {"400", "404", "409"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in set(responses) & {"401", "403", "404", "409", "429"}:
            assert responses[status]["content"]["application/json"]["schema"] == error
        if "400" in responses:
            shapes = responses["400"]["content"]["application/json"]["schema"]["anyOf"]
            assert error in shapes
            assert {"$ref": "#/components/schemas/ValidationError"} in shapes


@pytest.mark.django_db
def test_error_codes_are_the_error_code_enum(client):
    from core.enums import ErrorCode

    components = _schema(client)["components"]["schemas"]
    error = components["Error"]
    assert error["required"] == ["detail", "code"]
    code = error["properties"]["code"]
    if "$ref" in code:  # drf-spectacular names the enum as a component of its own
        code = components[code["$ref"].rsplit("/", 1)[1]]
    assert code["enum"] == list(ErrorCode.values)


@pytest.mark.django_db
def test_money_is_a_decimal_string_with_its_pattern(client):
    components = _schema(client)["components"]["schemas"]
    repayment = components["LoanRepaymentApiInputRequest"]["properties"]["amount"]
    assert repayment["type"] == "string"
    assert repayment["pattern"] == r"^(?=[0-9.]*[1-9])[0-9]{1,10}(?:\.[0-9]{1,2})?$"
    total = components["BookingOutput"]["properties"]["total_price"]
    assert total["pattern"] == r"^-?[0-9]{1,10}\.[0-9]{2}$"
    assert components["ServiceInputRequest"]["properties"]["market_price"]["pattern"] == (
        r"^[0-9]{1,10}(?:\.[0-9]{1,2})?$"
    )
    # Only JSON is documented as a request body.
    schema = _schema(client)
    body = schema["paths"]["/api/v1/bookings/"]["post"]["requestBody"]["content"]
    assert list(body) == ["application/json"]
