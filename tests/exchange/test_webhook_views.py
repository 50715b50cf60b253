"""The webhook pages of an organisation's admins: list, create (the secret shown on that
answer only), a subscription with its deliveries, re-enable, re-send, delete."""

import pytest
from django.urls import reverse

from exchange import services
from exchange.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


URL = "http://127.0.0.1:9/hook"  # nobody listens: every attempt fails


def subscription_of(manager, organisation, **fields):
    return services.subscription_create(
        actor=manager, organisation_id=organisation.pk,
        url=URL, events=["booking.requested"], **fields,
    )  # fmt: skip


def test_creating_shows_the_secret_once(client, partner_manager, partner_org):
    client.force_login(partner_manager)
    form = client.get(reverse("webhook_new"))
    assert form.status_code == 200 and "booking.confirmed" in form.content.decode()
    made = client.post(reverse("webhook_new"), {
        "organisation": partner_org.pk, "url": "http://127.0.0.1:8080/solimob",
        "events": ["booking.confirmed", "booking.cancelled"], "description": "ERP",
    })  # fmt: skip
    subscription = WebhookSubscription.objects.get()
    assert made.status_code == 201 and subscription.secret in made.content.decode()
    assert subscription.events == ["booking.confirmed", "booking.cancelled"]
    detail = client.get(reverse("webhook_detail", args=[subscription.pk]))
    assert detail.status_code == 200 and subscription.secret not in detail.content.decode()
    listed = client.get(reverse("webhook_list")).content.decode()
    assert "http://127.0.0.1:8080/solimob" in listed and subscription.secret not in listed


def test_a_refused_url_is_shown_on_the_form(client, partner_manager, partner_org, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    client.force_login(partner_manager)
    page = client.post(reverse("webhook_new"), {
        "organisation": partner_org.pk, "url": "http://exemple.fr/",
        "events": ["booking.confirmed"],
    })  # fmt: skip
    assert page.status_code == 400
    assert "doit commencer par https://" in page.content.decode()
    assert not WebhookSubscription.objects.exists()
    empty = client.post(reverse("webhook_new"), {"organisation": partner_org.pk, "url": ""})
    assert empty.status_code == 400 and "au moins un évènement" in empty.content.decode()


def test_the_detail_logs_deliveries_and_offers_re_sending(
    client, partner_manager, partner_org, django_capture_on_commit_callbacks
):
    subscription = subscription_of(partner_manager, partner_org)
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type="booking.requested", status="failed",
        payload={"type": "booking.requested", "data": {}}, webhook_id="msg_page",
        attempts=8, response_code=500, duration_ms=12, error="HTTP 500",
    )  # fmt: skip
    client.force_login(partner_manager)
    page = client.get(reverse("webhook_detail", args=[subscription.pk])).content.decode()
    assert "msg_page" in page and "HTTP 500" in page and "12 ms" in page
    resend = reverse("webhook_delivery_resend", args=[subscription.pk, delivery.pk])
    assert resend in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(resend)
    assert answer.status_code == 302
    again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert again.webhook_id == "msg_page" and again.attempts == 1  # tried (nobody listens)


def test_a_disabled_webhook_is_re_enabled_from_its_page(client, partner_manager, partner_org):
    subscription = subscription_of(partner_manager, partner_org)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, consecutive_failures=15
    )
    client.force_login(partner_manager)
    page = client.get(reverse("webhook_detail", args=[subscription.pk])).content.decode()
    assert "Réactiver" in page
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type="booking.requested", status="failed",
        payload={}, webhook_id="msg_x",
    )  # fmt: skip
    refused = client.post(reverse("webhook_delivery_resend", args=[subscription.pk, delivery.pk]))
    assert refused.status_code == 302 and WebhookDelivery.objects.count() == 1
    client.post(reverse("webhook_enable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active and subscription.consecutive_failures == 0


def test_deleting(client, partner_manager, partner_org):
    subscription = subscription_of(partner_manager, partner_org)
    client.force_login(partner_manager)
    answer = client.post(reverse("webhook_delete", args=[subscription.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("webhook_list")
    assert not WebhookSubscription.objects.exists()


def test_others_get_403_or_404(client, partner_manager, partner_org, adviser, other_platform):
    from tests.factories import member

    subscription = subscription_of(partner_manager, partner_org)
    client.force_login(adviser)
    assert client.get(reverse("webhook_list")).status_code == 403
    client.force_login(member("admin", other_platform))
    assert client.get(reverse("webhook_list")).status_code == 200
    assert client.get(reverse("webhook_detail", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("webhook_delete", args=[subscription.pk])).status_code == 404
    assert WebhookSubscription.objects.exists()


def test_the_navigation_links_the_page_for_admins_only(client, partner_manager, partner_staff):
    client.force_login(partner_manager)
    assert reverse("webhook_list") in client.get(reverse("home")).content.decode()
    client.force_login(partner_staff)
    assert reverse("webhook_list") not in client.get(reverse("home")).content.decode()
