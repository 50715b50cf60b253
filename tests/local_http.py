"""An HTTP server on 127.0.0.1 and a free port, in a daemon thread: what the tests use to
play a remote party (an OpenID Connect provider, an SMS provider, a webhook receiver)."""

import threading
from http.server import ThreadingHTTPServer


class LocalHttpServer:
    def __init__(self, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LocalHttpServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
