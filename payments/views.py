"""Payment pages for the person (and their adviser): pay the share of a booking with Stripe's
Payment Element, come back from Stripe; the borrower's page to sign a SEPA mandate (signed
link); and Stripe's webhook.

The pages load Stripe.js from `STRIPE_JS_URL` and our own `static/js/payments.js` (no inline
script); their Content-Security-Policy adds Stripe's origins, read from settings
(`gateway.origins`), on these views only."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.need_to_know import BENEFICIARIES, DataKind, Mode, need_to_know, signed_link
from bookings.selectors import booking_get_for
from core.errors import ApplicationError
from core.formatting import euros
from core.web import run_service
from payments import gateway, services, services_sepa, webhooks
from payments.enums import MandateStatus, PaymentStatus
from payments.models import Payment


def with_stripe(view):
    """Open the view's Content-Security-Policy to Stripe's origins (from settings) and its
    Permissions-Policy's `payment` to itself and Stripe.js."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        directives = gateway.origins()
        response._csp_update = directives
        response._csp_update_ro = directives
        js_origin = directives["script-src"][0]
        response._permissions_policy_override = ", ".join(
            f'{feature}=(self "{js_origin}")' if feature == "payment" else f"{feature}=()"
            for feature in settings.PERMISSIONS_POLICY
        )
        return response

    return wrapper


def _stripe_context(*, client_secret: str, return_url: str, mode: str) -> dict:
    return {
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "client_secret": client_secret,
        "return_url": settings.SITE_URL + return_url,
        "mode": mode,
    }


@never_cache
@need_to_know(DataKind.SHARE_PAYMENT, mode=Mode.WRITE)
@with_stripe
def pay_share(request, booking_id: int):
    """« Payer ma part »: the open payment of the booking (or a new one), and the form."""
    booking = booking_get_for(user=request.user, booking_id=booking_id)
    context = {"title": _("Payer ma part"), "booking": booking, "enabled": gateway.enabled()}
    if not gateway.enabled():
        return render(request, "payments/pay.html", context)
    outcome = run_service(
        request, services.share_payment_start, actor=request.user, booking_id=booking.pk
    )
    if outcome.ok:
        payment = outcome.value
        context |= {"payment": payment, "amount": euros(payment.amount)}
        context |= _stripe_context(
            client_secret=payment.client_secret,
            return_url=reverse("pay_share_done", args=[booking.pk]),
            mode="payment",
        )
    return render(request, "payments/pay.html", context, status=outcome.status)


@never_cache
@need_to_know(DataKind.SHARE_PAYMENT)
def pay_share_done(request, booking_id: int):
    """Where Stripe sends the person back: read the payment again, say where it stands."""
    booking = booking_get_for(user=request.user, booking_id=booking_id)
    payment = (
        Payment.objects.filter(booking=booking, stripe_payment_intent_id__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    if payment is not None and gateway.enabled():
        try:
            payment = services.payment_sync(payment_id=payment.pk)
        except ApplicationError:
            pass  # the webhook will tell; the page says « en cours »
    back = "my_bookings" if booking.beneficiary.user_id == request.user.pk else "booking_detail"
    back_url = reverse(back) if back == "my_bookings" else reverse(back, args=[booking.pk])
    return render(
        request,
        "payments/pay_done.html",
        {
            "title": _("Votre paiement"),
            "booking": booking,
            "payment": payment,
            "succeeded": payment is not None and payment.status == PaymentStatus.SUCCEEDED,
            "failed": payment is not None and payment.status == PaymentStatus.FAILED,
            "back_url": back_url,
        },
    )


# --- The borrower's mandate ----------------------------------------------------------------------


@signed_link(DataKind.SHARE_PAYMENT, link_for=BENEFICIARIES)
@never_cache
@with_stripe
def mandate_sign(request, token: str):
    mandate = services_sepa.mandate_from_token(token)
    context = {
        "title": _("Prélèvement de vos mensualités"),
        "mandate": mandate,
        "enabled": gateway.enabled(),
        "active": mandate.status == MandateStatus.ACTIVE,
        "person": mandate.loan.beneficiary,
    }
    if gateway.enabled() and mandate.status == MandateStatus.PENDING and mandate.client_secret:
        context |= _stripe_context(
            client_secret=mandate.client_secret,
            return_url=reverse("mandate_signed", args=[token]),
            mode="setup",
        )
    return render(request, "payments/mandate.html", context)


@signed_link(DataKind.SHARE_PAYMENT, link_for=BENEFICIARIES)
@never_cache
def mandate_signed(request, token: str):
    mandate = services_sepa.mandate_from_token(token)
    if gateway.enabled() and mandate.setup_intent_id:
        try:
            mandate = services_sepa.mandate_setup_sync(setup_intent_id=mandate.setup_intent_id)
        except ApplicationError:
            pass
    return render(
        request,
        "payments/mandate_done.html",
        {"title": _("Prélèvement de vos mensualités"), "mandate": mandate,
         "active": mandate.status == MandateStatus.ACTIVE},
    )  # fmt: skip


# --- Stripe's webhook --------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Store the signed event and answer; 400 without detail for a bad or missing signature."""
    try:
        webhooks.event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except webhooks.BadSignature:
        return HttpResponseBadRequest(b"")
    return HttpResponse(b"", status=200)
