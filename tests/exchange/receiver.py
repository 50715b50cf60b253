"""A webhook receiver on 127.0.0.1 (a free port, its own thread), as a subscriber would
write one: it verifies each message with the `standardwebhooks` package — signature, and
timestamp within the package's tolerance (5 minutes), which is what rejects a replay — and
answers 204, or 400 with the reason. `answer` forces another status (500, 302...)."""

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.local_http import LocalHttpServer


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool
    error: str = ""
    payload: dict | None = None


@dataclass
class Receiver:
    secret: str = ""
    answer: int | None = None
    received: list[Received] = field(default_factory=list)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {key.lower(): value for key, value in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                    got = Received(headers, body, True, payload=payload)
                except WebhookVerificationError as exc:
                    got = Received(headers, body, False, str(exc))
                receiver.received.append(got)
                status = receiver.answer or (204 if got.verified else 400)
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", receiver.url + "elsewhere/")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.http = LocalHttpServer(Handler).start()
        return self

    @property
    def url(self) -> str:
        return self.http.base + "/hooks/"

    def replay(self, message: Received) -> int:
        """Send a message received earlier again, byte for byte (an attacker's replay)."""
        request = urllib.request.Request(self.url, data=message.body, method="POST",
                                         headers=message.headers)  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        self.http.stop()
