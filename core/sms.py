"""SMS backends. `settings.SMS_BACKEND` names the class; the console one is the default.

A backend's `send(to=, body=, encoding=, reference=)` sends one message (the text already
prepared by `core.sms_text`, `encoding` "GSM7" or "UCS2", `reference` our outbox id) and
returns the provider's message id ("" when there is none). It raises `SmsRejected` when the
provider refuses this message for good (a number it cannot reach, a text it will not
send), any other exception when trying again may work.

`HttpSmsBackend` speaks to a transactional SMS provider over HTTPS (`SMS_API_URL`,
`SMS_API_KEY`, `SMS_SENDER`), with the generic contract described in docs/architecture.md
(« SMS »): `POST {SMS_API_URL}/messages`, JSON in and out, a bearer key, our reference as
the idempotency key, delivery reports and replies (STOP) posted back to
`/sms/callbacks/status/` and `/sms/callbacks/inbound/`.
"""

import sys

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

# Messages sent through LocMemSmsBackend, like django.core.mail.outbox.
outbox: list[dict] = []


class SmsRejected(Exception):
    """The provider refused this message for good: sending it again would not help."""


class BaseSmsBackend:
    def send(self, *, to: str, body: str, encoding: str = "GSM7", reference: str = "") -> str:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, encoding: str = "GSM7", reference: str = "") -> str:
        sys.stdout.write(
            f"SMS from {settings.SMS_SENDER} to {to} ({encoding}):\n{body}\n{'-' * 40}\n"
        )
        sys.stdout.flush()
        return ""


class LocMemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, encoding: str = "GSM7", reference: str = "") -> str:
        outbox.append({"to": to, "body": body, "sender": settings.SMS_SENDER,
                       "encoding": encoding, "reference": reference})  # fmt: skip
        return f"locmem-{len(outbox)}"


def callback_url(name: str) -> str:
    """The address the provider posts to, with the shared secret (SMS_CALLBACK_TOKEN)."""
    return f"{settings.SITE_URL}{reverse(name)}?token={settings.SMS_CALLBACK_TOKEN}"


class HttpSmsBackend(BaseSmsBackend):
    """A French transactional SMS provider's HTTPS API (see the module's docstring)."""

    def __init__(self) -> None:
        if not (settings.SMS_API_URL and settings.SMS_API_KEY):
            raise RuntimeError("HttpSmsBackend needs SMS_API_URL and SMS_API_KEY.")
        self.url = settings.SMS_API_URL.rstrip("/") + "/messages"

    def send(self, *, to: str, body: str, encoding: str = "GSM7", reference: str = "") -> str:
        payload = {
            "from": settings.SMS_SENDER,
            "to": to,
            "text": body,
            "encoding": encoding,
            "reference": reference,
        }
        if settings.SMS_CALLBACK_TOKEN:
            payload["status_callback"] = callback_url("sms_status_callback")
        headers = {"Authorization": f"Bearer {settings.SMS_API_KEY}"}
        if reference:
            headers["Idempotency-Key"] = f"solimob-sms-{reference}"
        response = requests.post(
            self.url, json=payload, headers=headers, timeout=settings.SMS_API_TIMEOUT
        )
        if response.status_code in (400, 403, 404, 422):
            raise SmsRejected(f"HTTP {response.status_code}: {response.text[:500]}")
        response.raise_for_status()  # 401, 429, 5xx: worth another try later
        return str(response.json().get("id", ""))[:100]


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
