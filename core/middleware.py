from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import ApplicationError

_TITLES = {
    403: _("Accès refusé"),
    404: _("Page introuvable"),
    409: _("Action impossible"),
}


class ApplicationErrorMiddleware:
    """Pages show a domain error as a French message with its status, never as a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        title = _TITLES.get(exception.status, _("Demande impossible"))
        return render(
            request,
            "core/error.html",
            {"title": title, "message": exception.message, "code": exception.code},
            status=exception.status,
        )
