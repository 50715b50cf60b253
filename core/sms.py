"""SMS backends. `settings.SMS_BACKEND` names the class; the console one is the default."""

import sys

from django.conf import settings
from django.utils.module_loading import import_string

# Messages sent through LocMemSmsBackend, like django.core.mail.outbox.
outbox: list[dict] = []


class BaseSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS from {settings.SMS_SENDER} to {to}:\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()


class LocMemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        outbox.append({"to": to, "body": body, "sender": settings.SMS_SENDER})


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
