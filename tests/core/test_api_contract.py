"""The API's shared contract pieces: strict pages, decimal strings, booleans, text, errors."""

import re
from decimal import Decimal

import pytest
from rest_framework import serializers

from core.api.fields import (
    DecimalStringField,
    MoneyField,
    PatternField,
    StrictBooleanField,
    TextField,
)


class Input(serializers.Serializer):
    amount = MoneyField(min_value=Decimal("0.01"))
    signed = MoneyField(required=False)
    flag = StrictBooleanField(required=False)
    text = TextField(required=False)
    postcode = PatternField(r"^\d{5}$", required=False)


@pytest.mark.parametrize("amount", ["35", "35.5", "35.00", "0.01", "9999999999.99"])
def test_money_accepts_decimal_strings(amount):
    data = Input(data={"amount": amount})
    assert data.is_valid(), data.errors
    assert data.validated_data["amount"] == Decimal(amount)


@pytest.mark.parametrize(
    "amount",
    [35, 35.5, "0", "0.00", "-1.00", "35.001", "1e3", " 35", "3,5", "٣٥", "", "12345678901"],
)
def test_money_refuses_anything_else(amount):
    data = Input(data={"amount": amount})
    assert not data.is_valid()
    assert "amount" in data.errors


def test_the_pattern_is_the_check():
    field = MoneyField(min_value=Decimal("0.01"))
    assert field.input_pattern == r"^(?=[0-9.]*[1-9])[0-9]{1,10}(?:\.[0-9]{1,2})?$"
    assert re.fullmatch(field.input_pattern, "0.10") and not re.fullmatch(field.input_pattern, "0")
    assert MoneyField().input_pattern == r"^-?[0-9]{1,10}(?:\.[0-9]{1,2})?$"
    assert MoneyField().output_pattern == r"^-?[0-9]{1,10}\.[0-9]{2}$"
    assert Input(data={"amount": "1", "signed": "-2.5"}).is_valid()


def test_a_bound_the_pattern_cannot_say_needs_an_explicit_pattern():
    with pytest.raises(Exception, match="pattern"):
        DecimalStringField(max_digits=5, decimal_places=2, max_value=100)


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False), ("true", True)])
def test_booleans_are_true_or_false(value, expected):
    data = Input(data={"amount": "1", "flag": value})
    assert data.is_valid(), data.errors
    assert data.validated_data["flag"] is expected


@pytest.mark.parametrize("value", [0, 1, "1", "yes", "on", None])
def test_other_spellings_of_booleans_are_refused(value):
    assert not Input(data={"amount": "1", "flag": value}).is_valid()


@pytest.mark.parametrize(("name", "value"), [("text", 12), ("text", 1.5), ("postcode", 3000)])
def test_text_is_a_string_not_a_number(name, value):
    data = Input(data={"amount": "1", name: value})
    assert not data.is_valid()
    assert name in data.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page=abc", "page"), ("page=", "page"), ("page_size=101", "page_size"),
     ("page_size=0", "page_size"), ("page_size=-5", "page_size"), ("page=LAST", "page")],
)  # fmt: skip
def test_pages_out_of_bounds_are_a_400(api_client, adviser, query, field):
    api_client.force_authenticate(adviser)
    response = api_client.get(f"/api/v1/beneficiaries/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.django_db
def test_a_page_past_the_last_is_a_404_and_page_size_100_is_allowed(api_client, adviser):
    api_client.force_authenticate(adviser)
    assert api_client.get("/api/v1/beneficiaries/?page_size=100").status_code == 200
    response = api_client.get("/api/v1/beneficiaries/?page=2")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_api_urls_answer_json(client):
    response = client.get("/api/v1/bookings/abc/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Introuvable.", "code": "not_found"}
    assert "application/json" not in client.get("/pas-de-page/")["Content-Type"]


@pytest.mark.django_db
def test_not_signed_in_is_a_401_with_the_error_shape(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    bad = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope")
    assert (bad.status_code, bad.json()["code"]) == (401, "authentication_failed")


def test_error_codes_outside_the_enum_are_refused():
    from core.enums import ErrorCode
    from core.errors import ApplicationError

    with pytest.raises(TypeError):
        ApplicationError("x", code="not_a_code")
    with pytest.raises(TypeError):  # a member, not its value
        ApplicationError("x", code="slot_full")
    assert ApplicationError("x", code=ErrorCode.SLOT_FULL).code == "slot_full"


def test_validation_errors_raised_outside_serializers_keep_the_field_errors_shape():
    from core.api.exceptions import exception_handler

    response = exception_handler(serializers.ValidationError({"partner": "Précisez."}), {})
    assert response.data == {"partner": ["Précisez."]}
    response = exception_handler(serializers.ValidationError("Non."), {})
    assert response.data == {"non_field_errors": ["Non."]}
