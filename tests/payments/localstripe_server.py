"""Run localstripe (a fake Stripe server, PyPI) bound to the loopback interface only.

localstripe's own command listens on every interface (`::`); this one binds 127.0.0.1 and
starts from an empty store. Used by the tests' session fixture, `make stripe-demo` and the
webhooks bench:

    python -m tests.payments.localstripe_server --port 8420
"""

import argparse
import logging
import socket


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    from aiohttp import web
    from localstripe import server

    # The store is kept in memory only: localstripe pickles it to /tmp after each write,
    # which a test run does not want shared with another one.
    server.store.dump_to_disk = lambda: None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, sock=sock, print=None)


if __name__ == "__main__":
    main()
