"""The Stripe gateway: the only module that imports `stripe`.

- Amounts cross here from euros (`Decimal`) to Stripe's minor units (cents) and back, and
  nowhere else (`to_minor`, `from_minor`).
- Every call that creates or changes something carries an idempotency key derived from our
  row's id and the operation (`key("payment", 12, "create")` → `solimob-payment-12-create`),
  so a retry after a timeout gets Stripe's first answer instead of a second charge.
- Stripe's errors and timeouts become our `ApplicationError`s (`card_declined` 409,
  `payment_provider_refused` 409, `payment_provider_unavailable` 503), never a 500.
- Off when `STRIPE_SECRET_KEY` is unset: every call raises 409 `payments_disabled`.
- `STRIPE_API_BASE` points the client elsewhere (localstripe in the tests and the demo).
"""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError

CURRENCY = "eur"
CENT = Decimal("0.01")
_http_client = None  # tests may record the outgoing requests (`use_http_client`)


# --- Money ----------------------------------------------------------------------------------


def to_minor(amount: Decimal) -> int:
    """Euros to cents, half up (35.005 € → 3501)."""
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_minor(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(CENT)


def key(kind: str, pk: int, operation: str) -> str:
    return f"solimob-{kind}-{pk}-{operation}"


# --- The client -------------------------------------------------------------------------------


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def disabled_error() -> ConflictError:
    return ConflictError(
        _("Le paiement en ligne n'est pas activé sur ce portail."),
        code=ErrorCode.PAYMENTS_DISABLED,
    )


def use_http_client(http_client) -> None:
    """Send through this `stripe.HTTPClient` (None: the default one, with our timeout)."""
    global _http_client
    _http_client = http_client


def default_http_client():
    return stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)


_clients: dict[tuple, stripe.StripeClient] = {}


def client() -> stripe.StripeClient:
    """One client per configuration and process (its HTTP connections are kept alive)."""
    if not enabled():
        raise disabled_error()
    base = settings.STRIPE_API_BASE
    config = (settings.STRIPE_SECRET_KEY, base, settings.STRIPE_TIMEOUT_SECONDS, id(_http_client))
    found = _clients.get(config)
    if found is None:
        found = _clients[config] = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": base} if base else None,
            max_network_retries=0,  # retries are ours: same idempotency key, later
            http_client=_http_client or default_http_client(),
        )
    return found


def origins() -> dict[str, list[str]]:
    """The Content-Security-Policy sources a payment page needs: Stripe.js and its frames,
    and Stripe's API (from settings, so that a test double or localstripe can stand in)."""
    js = urlsplit(settings.STRIPE_JS_URL)
    js_origin = f"{js.scheme}://{js.netloc}"
    api = urlsplit(settings.STRIPE_API_BASE or "https://api.stripe.com")
    return {
        "script-src": [js_origin],
        "frame-src": [js_origin, "https://hooks.stripe.com"],
        "connect-src": [f"{api.scheme}://{api.netloc}"],
    }


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.CardError as exc:
        raise ConflictError(
            _("La carte a été refusée. Essayez une autre carte ou contactez votre banque."),
            code=ErrorCode.CARD_DECLINED,
            extra={"decline_code": exc.code or ""},
        ) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        raise ApplicationError(
            _("Le service de paiement ne répond pas. Réessayez dans quelques minutes."),
            code=ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
            status=503,
        ) from exc
    except stripe.AuthenticationError as exc:
        raise ApplicationError(
            _("Le service de paiement est mal configuré. Prévenez l'équipe de la plateforme."),
            code=ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
            status=503,
        ) from exc
    except stripe.StripeError as exc:
        raise ConflictError(
            _("Le service de paiement a refusé l'opération : %(reason)s")
            % {"reason": exc.user_message or str(exc)[:200]},
            code=ErrorCode.PAYMENT_PROVIDER_REFUSED,
        ) from exc


# --- What we read back -------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: Decimal
    amount_refunded: Decimal
    client_secret: str
    failure_code: str
    failure_message: str
    method: str


@dataclass(frozen=True)
class Setup:
    id: str
    status: str
    client_secret: str
    customer: str
    payment_method: str
    mandate: str
    iban_last4: str


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: Decimal
    payment_intent: str


def _get(obj, name, default=None):
    try:
        value = obj[name]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _intent(obj, charge=None) -> Intent:
    error = _get(obj, "last_payment_error") or {}
    types = _get(obj, "payment_method_types") or []
    return Intent(
        id=obj["id"],
        status=obj["status"],
        amount=from_minor(obj["amount"]),
        amount_refunded=from_minor(_get(charge, "amount_refunded", 0)),
        client_secret=_get(obj, "client_secret", ""),
        failure_code=_get(error, "code", "") or _get(error, "decline_code", ""),
        failure_message=(_get(error, "message", "") or "")[:255],
        method=types[0] if len(types) == 1 else "",
    )


def _setup(obj) -> Setup:
    return Setup(
        id=obj["id"],
        status=obj["status"],
        client_secret=_get(obj, "client_secret", ""),
        customer=_get(obj, "customer", "") or "",
        payment_method=_get(obj, "payment_method", "") or "",
        mandate=_get(obj, "mandate", "") or "",
        iban_last4="",
    )


# --- Payments ----------------------------------------------------------------------------------


def payment_intent_create(
    *,
    payment_id: int,
    amount: Decimal,
    methods: list[str],
    metadata: dict,
    customer: str = "",
    payment_method: str = "",
    off_session: bool = False,
) -> Intent:
    params = {
        "amount": to_minor(amount),
        "currency": CURRENCY,
        "payment_method_types": methods,
        "metadata": {"payment": str(payment_id), **metadata},
    }
    if customer:
        params["customer"] = customer
    if payment_method:
        params["payment_method"] = payment_method
    if off_session:
        params.update(confirm=True, off_session=True)
    options = {"idempotency_key": key("payment", payment_id, "create")}
    obj = _call(client().v1.payment_intents.create, params=params, options=options)
    return _intent(obj)


def payment_intent_retrieve(intent_id: str) -> Intent:
    obj = _call(
        client().v1.payment_intents.retrieve, intent_id, params={"expand": ["latest_charge"]}
    )
    charge = _get(obj, "latest_charge")
    if isinstance(charge, str):  # a server that does not expand
        charge = _call(client().v1.charges.retrieve, charge)
    return _intent(obj, charge)


def payment_intent_cancel(*, payment_id: int, intent_id: str) -> Intent:
    options = {"idempotency_key": key("payment", payment_id, "cancel")}
    obj = _call(client().v1.payment_intents.cancel, intent_id, options=options)
    return _intent(obj)


def refund_create(*, refund_id: int, payment_id: int, intent_id: str, amount: Decimal):
    params = {
        "payment_intent": intent_id,
        "amount": to_minor(amount),
        "metadata": {"payment": str(payment_id), "refund": str(refund_id)},
    }
    options = {"idempotency_key": key("refund", refund_id, "create")}
    obj = _call(client().v1.refunds.create, params=params, options=options)
    return RefundResult(
        id=obj["id"],
        status=obj["status"],
        amount=from_minor(obj["amount"]),
        payment_intent=_get(obj, "payment_intent", "") or intent_id,
    )


def refund_retrieve(refund_id: str) -> RefundResult:
    obj = _call(client().v1.refunds.retrieve, refund_id)
    return RefundResult(
        id=obj["id"],
        status=obj["status"],
        amount=from_minor(obj["amount"]),
        payment_intent=_get(obj, "payment_intent", "") or "",
    )


def charge_intent(charge_id: str) -> str:
    """The PaymentIntent a charge belongs to."""
    return _get(_call(client().v1.charges.retrieve, charge_id), "payment_intent", "") or ""


# --- SEPA mandates -----------------------------------------------------------------------------


def customer_create(*, mandate_id: int, name: str, email: str) -> str:
    params = {"name": name[:200], "metadata": {"mandate": str(mandate_id)}}
    if email:
        params["email"] = email
    options = {"idempotency_key": key("mandate", mandate_id, "customer")}
    return _call(client().v1.customers.create, params=params, options=options)["id"]


def setup_intent_create(*, mandate_id: int, customer: str) -> Setup:
    params = {
        "customer": customer,
        "payment_method_types": ["sepa_debit"],
        "usage": "off_session",
        "metadata": {"mandate": str(mandate_id)},
    }
    options = {"idempotency_key": key("mandate", mandate_id, "setup")}
    return _setup(_call(client().v1.setup_intents.create, params=params, options=options))


def setup_intent_retrieve(setup_id: str) -> Setup:
    setup = _setup(_call(client().v1.setup_intents.retrieve, setup_id))
    if not setup.payment_method:
        return setup
    method = _call(client().v1.payment_methods.retrieve, setup.payment_method)
    sepa = _get(method, "sepa_debit") or {}
    return Setup(**{**setup.__dict__, "iban_last4": _get(sepa, "last4", "") or ""})


# --- Webhooks ----------------------------------------------------------------------------------


class BadSignature(Exception):
    pass


def webhook_event(payload: bytes, signature: str | None) -> dict:
    """The event Stripe signed, as a plain dict; BadSignature for anything else."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise BadSignature
    try:
        # Only the check: Stripe's event object (built for API calls) is not needed to store it.
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
        data = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadSignature from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("id"), str)
        or not isinstance(data.get("type"), str)
    ):
        raise BadSignature
    return data
