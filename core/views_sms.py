"""The SMS provider's callbacks: delivery reports and replies (STOP). Machines call them,
not people: no session, no CSRF; the shared secret `SMS_CALLBACK_TOKEN` comes as
`Authorization: Bearer …` or `?token=…` (the provider is given the URL with it). Unset, the
callbacks are off (404). Bodies are JSON; answers `{"detail", "code"}` on refusal."""

import hmac
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.enums import ErrorCode
from core.errors import ApplicationError
from core.sms_callbacks import sms_delivery_report, sms_reply


def _refusal(message: str, code: ErrorCode, status: int) -> JsonResponse:
    return JsonResponse({"detail": message, "code": code}, status=status)


def _authenticated(request) -> bool:
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    given = given or request.GET.get("token", "")
    return hmac.compare_digest(given.encode(), settings.SMS_CALLBACK_TOKEN.encode())


def _callback(handle):
    """Check the secret, read the JSON object, run `handle(payload)`, answer 204."""

    @csrf_exempt
    @require_POST
    def view(request):
        if not settings.SMS_CALLBACK_TOKEN:
            return _refusal(_("Introuvable."), ErrorCode.NOT_FOUND, 404)
        if not _authenticated(request):
            return _refusal(_("Jeton absent ou incorrect."), ErrorCode.PERMISSION_DENIED, 403)
        try:
            payload = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            return _refusal(_("Requête illisible."), ErrorCode.MALFORMED_REQUEST, 400)
        try:
            handle({k: v if isinstance(v, str) else str(v) for k, v in payload.items()})
        except ApplicationError as error:
            return _refusal(error.message, ErrorCode(error.code), error.status)
        return HttpResponse(status=204)

    view.__name__ = handle.__name__
    return view


def _status(payload: dict) -> None:
    sms_delivery_report(
        reference=payload.get("reference", ""),
        provider_id=payload.get("id", ""),
        status=payload.get("status", ""),
        error=payload.get("error", ""),
        at=payload.get("at", ""),
    )


def _inbound(payload: dict) -> None:
    sms_reply(sender=payload.get("from", ""), text=payload.get("text", ""))


status_callback = _callback(_status)
inbound_callback = _callback(_inbound)
