from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.request_guard import out_of_range_error

_TITLES = {
    403: gettext_lazy("Accès refusé"),
    404: gettext_lazy("Page introuvable"),
    409: gettext_lazy("Action impossible"),
}


class ApplicationErrorMiddleware:
    """Pages show a domain error as a French message with its status, never as a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            exception = out_of_range_error(exception)
        if not isinstance(exception, ApplicationError):
            return None
        title = _TITLES.get(exception.status, _("Demande impossible"))
        return render(
            request,
            "core/error.html",
            {"title": title, "message": exception.message, "code": exception.code},
            status=exception.status,
        )
