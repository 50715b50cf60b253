"""No input is a 500: what no field can refuse is refused here, once for every view.

`RequestGuardMiddleware` answers 400 (`{"detail", "code"}` in the API, a French page
elsewhere) before any view runs when a request carries a NUL character in its path, query
string, headers, cookies or form body (PostgreSQL cannot store one, and no field means one),
or a body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (the project takes no file uploads).
Then, while the view runs, every SQL parameter is checked: an integer beyond 64 bits (an id
of 20 digits in a URL, a query string or a body field without bounds) or a string holding a
NUL becomes an `ApplicationError` (400 `invalid`), where SQLite would raise an
`OverflowError` and PostgreSQL refuse the string — a 500 either way. Django's execute
wrapper is its documented hook for exactly this; fields keep validating what they know
(lengths, choices, dates), with their own messages.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework.views import APIView

from core.enums import ErrorCode
from core.errors import ApplicationError

logger = logging.getLogger(__name__)

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_error(exc: Exception) -> ApplicationError:
    """Django's refusals of a request body, as the 400 the API and the pages answer."""
    if isinstance(exc, RequestDataTooBig):
        return ApplicationError(
            _("La requête est trop volumineuse."), code=ErrorCode.REQUEST_TOO_LARGE
        )
    return ApplicationError(_("La requête est illisible."), code=ErrorCode.MALFORMED_REQUEST)


def out_of_range_error(exc: OverflowError | None = None) -> ApplicationError:
    """A value beyond what a column or a date can hold. An `OverflowError` a view meets (a
    date at the end of the calendar plus a day) is logged, then answered as this 400."""
    if exc is not None:
        logger.warning("Value out of range: answered 400", exc_info=exc)
    return ApplicationError(
        _("Une valeur envoyée dépasse les limites possibles."), code=ErrorCode.INVALID
    )


def nul_error() -> ApplicationError:
    return ApplicationError(_("Le caractère nul n'est pas autorisé."), code=ErrorCode.INVALID)


def _check_value(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise nul_error()
    elif isinstance(value, int) and not isinstance(value, bool):
        if not BIGINT_MIN <= value <= BIGINT_MAX:
            raise out_of_range_error()
    elif isinstance(value, list | tuple):  # PostgreSQL arrays
        for item in value:
            _check_value(item)


def check_parameters(execute, sql, params, many, context):
    """Execute wrapper: refuse the parameters no database column can take."""
    if params:
        if many and not isinstance(params, list | tuple):
            params = list(params)  # an iterator would be spent by the check
        for row in params if many else (params,):
            for value in row.values() if isinstance(row, dict) else row:
                _check_value(value)
    return execute(sql, params, many, context)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    for key, value in request.META.items():
        if key.startswith("HTTP_") and "\x00" in value:  # cookies included
            return True
    return _nul_in(request.GET)


def _form(request) -> QueryDict | None:
    """The form in the body: Django reads POST's; a PUT or PATCH form is read here (DRF
    reads it again from the same cached body)."""
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return request.POST
    if request.content_type == FORM_TYPES[0]:
        return QueryDict(request.body, encoding=request.encoding)
    return None


def _nul_in(query: QueryDict) -> bool:
    return any("\x00" in key or "\x00" in "".join(values) for key, values in query.lists())


def _is_api(request) -> bool:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False
    return isinstance(getattr(view, "cls", None), type) and issubclass(view.cls, APIView)


def refusal(request, error: ApplicationError):
    """The 400 answer, in the API's shape or as a French page."""
    if _is_api(request):
        return JsonResponse({"detail": error.message, "code": error.code}, status=error.status)
    context = {"title": _("Demande impossible"), "message": error.message, "code": error.code}
    return render(request, "core/error.html", context, status=error.status)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        error = self._refused(request)
        if error is not None:
            return refusal(request, error)
        with connection.execute_wrapper(check_parameters):
            return self.get_response(request)

    def _refused(self, request) -> ApplicationError | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return request_error(ValueError())
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return request_error(RequestDataTooBig())
        try:  # a charset Django would take to decode the query string and the form with
            "".encode(request.encoding or settings.DEFAULT_CHARSET)
        except (LookupError, UnicodeError):
            return request_error(LookupError())
        if _has_nul(request):
            return nul_error()
        try:
            form = _form(request)
        except (
            RequestDataTooBig,
            TooManyFieldsSent,
            TooManyFilesSent,
            MultiPartParserError,
        ) as exc:
            return request_error(exc)
        if form is not None and _nul_in(form):
            return nul_error()
        return None
