"""Run localstripe (a fake Stripe server, PyPI) bound to the loopback interface only.

localstripe's own command listens on every interface (`::`); this one binds 127.0.0.1 and
starts from an empty store. It also serves `stripe_double.js`, a test double of Stripe.js
(localstripe's own script has no Payment Element), at `/js.stripe.com/solimob-double.js`, and with
`--webhook URL` registers that URL for its webhooks, signed with `--webhook-secret`. Used by
the tests' session fixture, the browser tests, `make stripe-demo` and the webhooks bench:

    python -m tests.payments.localstripe_server --port 8420
"""

import argparse
import logging
import socket
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--key", default="sk_test_localstripe")
    parser.add_argument("--webhook", default="")
    parser.add_argument("--webhook-secret", default="whsec_test_solimob")
    args = parser.parse_args()

    from aiohttp import web
    from localstripe import server

    # The store is kept in memory only: localstripe pickles it to /tmp after each write,
    # which a test run does not want shared with another one.
    server.store.dump_to_disk = lambda: None
    double = (Path(__file__).with_name("stripe_double.js").read_text()).replace(
        "__LOCALSTRIPE_KEY__", args.key
    )

    async def stripe_double(request):
        return web.Response(text=double, content_type="application/javascript")

    server.app.router.add_get("/js.stripe.com/solimob-double.js", stripe_double)

    @web.middleware
    async def preflight(request, handler):
        """The double sends its key in `Authorization`: let browsers' preflights through."""
        if request.method == "OPTIONS":
            return web.Response(
                headers={
                    "Access-Control-Allow-Origin": request.headers.get("Origin", "*"),
                    "Access-Control-Allow-Headers": "Authorization, Content-Type",
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                }
            )
        return await handler(request)

    server.app.middlewares.insert(0, preflight)

    async def allow_authorization(request, response):  # after localstripe's CORS headers
        if request.headers.get("Origin"):
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"

    server.app.on_response_prepare.append(allow_authorization)
    if args.webhook:
        from localstripe.webhooks import register_webhook

        register_webhook("solimob", args.webhook, args.webhook_secret, None)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, sock=sock, print=None)


if __name__ == "__main__":
    main()
