"""What payments plugs into bookings (`bookings.hooks`), connected by `PaymentsConfig.ready()`:
a booking that stops holding its places has its paid share refunded (rows written in the
transition's transaction, Stripe called after commit), the booking's staff page shows a
« Paiement en ligne » card, and the person's page, the partner's page and the voucher say
whether the share is paid."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.need_to_know import DataKind, Mode, may
from beneficiaries import hooks as beneficiary_hooks
from bookings import hooks
from bookings.enums import HOLDING
from core.formatting import euros
from payments import gateway, selectors, services

WORDS = {
    "paid": _("Payé en ligne : %(paid)s"),
    "partly_paid": _("Payé en partie : %(paid)s sur %(share)s, reste %(left)s"),
    "to_pay": _("À payer : %(left)s"),
}


def refund_on_release(sender, *, booking, **kwargs) -> None:
    services.refunds_for_ended_booking(booking=booking)


def _text(summary, viewer: str) -> str:
    amounts = {"paid": euros(summary.paid), "share": euros(summary.share),
               "left": euros(summary.left)}  # fmt: skip
    return str(WORDS[summary.state]) % amounts


def badges(sender, *, bookings, viewer, request=None, **kwargs) -> dict:
    bookings = list(bookings)
    summaries = selectors.share_summaries(b.pk for b in bookings)
    answer = {}
    for booking in bookings:
        summary = summaries.get(booking.pk)
        if summary is None or summary.state == "none":
            continue
        if summary.state == "to_pay" and not gateway.enabled():
            continue  # nothing is paid online here: the voucher says what to pay
        pay_url = ""
        if (
            viewer == "person"
            and summary.left > 0
            and booking.status in HOLDING
            and gateway.enabled()
        ):
            pay_url = reverse("pay_share", args=[booking.pk])
        answer[booking.pk] = hooks.PaymentBadge(
            state=summary.state, text=_text(summary, viewer), paid=summary.paid, pay_url=pay_url
        )
    return answer


def payment_panel(sender, *, booking, request, **kwargs) -> str:
    """The « Paiement en ligne » card of the staff booking page."""
    user = request.user
    summary = selectors.share_summaries([booking.pk]).get(booking.pk)
    payer = may(user, DataKind.SHARE_PAYMENT, Mode.WRITE, organisation=booking.platform_id)
    finance = may(user, DataKind.PAYMENTS, organisation=booking.platform_id)
    if summary is None or summary.state == "none" or not (payer or finance):
        return ""
    return render_to_string(
        "payments/_booking_panel.html",
        {
            "summary": summary,
            "text": _text(summary, "staff"),
            "enabled": gateway.enabled(),
            "can_pay": payer and summary.left > 0 and booking.status in HOLDING,
            "pay_url": reverse("pay_share", args=[booking.pk]),
            "payments": list(booking.payments.order_by("-created_at")[:10]) if finance else [],
        },
        request=request,
    )


def export_payments(sender, *, beneficiary, **kwargs) -> dict:
    """The person's export: their online payments and refunds."""
    return {"payments": selectors.payments_export_rows(beneficiary_id=beneficiary.pk)}


def connect() -> None:
    beneficiary_hooks.person_exported.connect(
        export_payments, dispatch_uid="payments.export_payments"
    )
    hooks.places_released.connect(refund_on_release, dispatch_uid="payments.refund_on_release")
    hooks.payment_badges.connect(badges, dispatch_uid="payments.badges")
    hooks.booking_page_panels.connect(payment_panel, dispatch_uid="payments.panel")
