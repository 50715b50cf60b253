"""Per-view additions to the Content-Security-Policy.

The site-wide policy lives in settings (django-csp): our own origin only, no inline script
or style. A view that needs more — the API docs' inline style, a payment page's Stripe
origins — adds it here, on that view only:

    @csp_update({"script-src": ["https://js.stripe.com"], "frame-src": ["https://js.stripe.com"]})
    def pay(request): ...

django-csp's own `csp_update` changes either the enforced or the report-only header; the
policy is sent as one or the other depending on CSP_REPORT_ONLY, so this one updates both
(an update to a policy that is not sent is ignored).
"""

from collections.abc import Callable

from csp.decorators import csp_update as _csp_update


def csp_update(directives: dict[str, list[str]]) -> Callable:
    """Add `directives`' sources to the policy of the decorated view."""
    enforced = _csp_update(directives)
    report_only = _csp_update(directives, REPORT_ONLY=True)

    def decorator(view: Callable) -> Callable:
        return enforced(report_only(view))

    return decorator
