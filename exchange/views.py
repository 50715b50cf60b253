"""Webhook pages for an organisation's admins: the subscriptions, a new one (its secret shown
once), one subscription with its deliveries, re-enabling it, re-sending a delivery,
deleting it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.need_to_know import DataKind, Mode, need_to_know
from core.paging import page_context
from core.web import page_status, run_service, submit
from exchange import selectors, services
from exchange.events import EVENTS
from exchange.forms import SubscriptionForm

PAGE = 25


@need_to_know(DataKind.WEBHOOKS)
def webhook_list(request):
    subscriptions = selectors.subscription_list_for(user=request.user)
    return render(request, "exchange/webhook_list.html", {
        "title": _("Webhooks"), "subscriptions": subscriptions, "events": EVENTS,
    })  # fmt: skip


@need_to_know(DataKind.WEBHOOKS, mode=Mode.WRITE)
def webhook_new(request):
    organisations = selectors.webhook_organisations_for(user=request.user)
    form = SubscriptionForm(request.POST or None, organisations=organisations)
    made = submit(request, form, services.subscription_create, error_field="url")
    if made and made.ok:
        # The secret is shown on this answer only: never stored in a session or a link.
        return render(request, "exchange/webhook_secret.html", {
            "title": _("Webhook créé"), "subscription": made.value,
        }, status=201)  # fmt: skip
    return render(
        request, "exchange/webhook_form.html",
        {"title": _("Nouveau webhook"), "form": form}, status=page_status(form, made),
    )  # fmt: skip


@need_to_know(DataKind.WEBHOOKS)
def webhook_detail(request, subscription_id: int):
    subscription = selectors.subscription_get_for(
        user=request.user, subscription_id=subscription_id
    )
    deliveries = selectors.delivery_list(subscription=subscription)
    return render(request, "exchange/webhook_detail.html", {
        "title": subscription.url, "subscription": subscription, "events": EVENTS,
        **page_context(request, deliveries, PAGE),
    })  # fmt: skip


@need_to_know(DataKind.WEBHOOKS, mode=Mode.WRITE)
@require_POST
def webhook_enable(request, subscription_id: int):
    run_service(
        request, services.subscription_enable, actor=request.user,
        subscription_id=subscription_id,
        success_message=_("Webhook réactivé : les messages en attente partent."),
    )  # fmt: skip
    return redirect("webhook_detail", subscription_id=subscription_id)


@need_to_know(DataKind.WEBHOOKS, mode=Mode.WRITE)
@require_POST
def webhook_delete(request, subscription_id: int):
    done = run_service(
        request, services.subscription_delete, actor=request.user,
        subscription_id=subscription_id, success_message=_("Webhook supprimé."),
    )  # fmt: skip
    if done.ok:
        return redirect("webhook_list")
    return redirect("webhook_detail", subscription_id=subscription_id)


@need_to_know(DataKind.WEBHOOKS, mode=Mode.WRITE)
@require_POST
def delivery_resend(request, subscription_id: int, delivery_id: int):
    done = run_service(
        request, services.delivery_resend, actor=request.user,
        subscription_id=subscription_id, delivery_id=delivery_id,
    )  # fmt: skip
    if done.ok:
        messages.success(request, _("Message renvoyé."))
    return redirect("webhook_detail", subscription_id=subscription_id)
