"""A transactional SMS provider on 127.0.0.1 for the tests: `POST /v1/messages` with the
contract of core.sms.HttpSmsBackend. It records what it received and answers `answers`
in turn (status, body), then 201 with a message id."""

import json
from http.server import BaseHTTPRequestHandler

from tests.local_http import LocalHttpServer

API_KEY = "test-sms-key"


class FakeSmsProvider:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        self.http = LocalHttpServer(self._handler())
        self.url = self.http.base + "/v1"

    def __enter__(self):
        self.http.start()
        return self

    def __exit__(self, *exc):
        self.http.stop()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.received.append({"path": self.path, "headers": dict(self.headers),
                                      "json": body})  # fmt: skip
                if self.path != "/v1/messages":
                    status, answer = 404, {"error": "not_found"}
                elif self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    status, answer = 401, {"error": "unauthorized"}
                elif fake.answers:
                    status, answer = fake.answers.pop(0)
                else:
                    status, answer = 201, {"id": f"msg-{len(fake.received)}", "segments": 1}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
