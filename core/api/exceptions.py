"""One exception handler: domain errors become `{"detail", "code"}` with their status."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.enums import ErrorCode
from core.errors import ApplicationError
from core.request_guard import out_of_range_error, request_error


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = request_error(exc)  # Django's limits on bodies, met while DRF parses one
    elif isinstance(exc, OverflowError):
        exc = out_of_range_error(exc)
    if isinstance(exc, ApplicationError):
        return Response({**exc.extra, "detail": exc.message, "code": exc.code}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        # Model and service validation speaks Django; the API answers with DRF's 400 format.
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        # Raised outside a serializer (`ValidationError("message")`, `{"field": "message"}`):
        # still the documented field-errors shape, `{field: [messages]}`.
        data = response.data
        if not isinstance(data, dict):
            data = {api_settings.NON_FIELD_ERRORS_KEY: data}
        response.data = {
            field: [messages] if isinstance(messages, str) else messages
            for field, messages in data.items()
        }
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and not isinstance(exc, exceptions.ValidationError)
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else exc.default_code
        if isinstance(exc, exceptions.ParseError):  # whichever parser failed, and how
            response.data["code"] = ErrorCode.MALFORMED_REQUEST.value
    return response
