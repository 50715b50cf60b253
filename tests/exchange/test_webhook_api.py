"""The webhooks API: who may do what, each role; other organisations' subscriptions are 404;
the secret is given once; bad URLs and events are 400 `invalid`; lists paginate with flat
query counts."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.enums import Role
from exchange import services
from exchange.models import WebhookDelivery, WebhookSubscription
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db
LIST = "/api/v1/webhooks/"
URL = "https://hooks.garage.example/solimob"
PUBLIC_DNS = [(2, 1, 6, "", ("93.184.215.14", 443))]


@pytest.fixture(autouse=True)
def _public_dns():
    """hooks.*.example resolve to a public address (no DNS in the test suite)."""
    with mock.patch("exchange.endpoints.socket.getaddrinfo", return_value=PUBLIC_DNS) as found:
        yield found


def client_for(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def create(client, **body):
    return client.post(LIST, {"url": URL, "events": ["booking.confirmed"], **body}, format="json")


def test_a_partner_manager_subscribes_and_gets_the_secret_once(api_client, partner_manager):
    client = client_for(api_client, partner_manager)
    made = create(client, description="ERP du garage")
    assert made.status_code == 201, made.data
    secret = made.data["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert made.data["organisation"]["name"] == "Garage A"
    assert made.data["events"] == ["booking.confirmed"] and made.data["active"] is True
    subscription_id = made.data["id"]
    assert "secret" not in client.get(f"{LIST}{subscription_id}/").data
    assert all("secret" not in row for row in client.get(LIST).data["results"])
    assert WebhookSubscription.objects.get().secret == secret


@pytest.mark.parametrize("role", [Role.ADVISER, Role.FINANCE_OFFICER])
def test_other_platform_roles_are_refused(api_client, platform, role):
    client = client_for(api_client, member(role, platform))
    assert client.get(LIST).status_code == 403
    assert create(client, organisation=platform.pk).status_code == 403


def test_partner_staff_prescribers_and_people_are_refused(
    api_client, partner_staff, prescriber, platform
):
    person = BeneficiaryFactory(platform=platform, user=UserFactory())
    for user in (partner_staff, prescriber, person.user):
        client = client_for(api_client, user)
        assert client.get(LIST).status_code == 403
        assert create(client).status_code == 403


def test_signed_out_is_401(api_client):
    assert api_client.get(LIST).status_code == 401


def test_a_platform_admin_manages_its_own_and_its_partners_webhooks(
    api_client, admin_user, platform, partner_org, partner_manager
):
    client = client_for(api_client, admin_user)
    assert create(client).status_code == 400  # two organisations: which one?
    assert create(client, organisation=platform.pk).status_code == 201
    theirs = services.subscription_create(actor=partner_manager, organisation_id=partner_org.pk,
                                          url=URL, events=["booking.requested"])  # fmt: skip
    listed = client.get(LIST).data
    assert listed["count"] == 2
    assert client.get(f"{LIST}{theirs.pk}/").status_code == 200


def test_other_organisations_subscriptions_are_404(
    api_client, partner_manager, partner_org, other_platform
):
    stranger_platform_admin = member(Role.ADMIN, other_platform)
    other_garage = member(Role.PARTNER_MANAGER, OrganisationFactory(partner=True))
    mine = services.subscription_create(actor=partner_manager, organisation_id=partner_org.pk,
                                        url=URL, events=["booking.requested"])  # fmt: skip
    for user in (stranger_platform_admin, other_garage):
        client = client_for(api_client, user)
        detail = f"{LIST}{mine.pk}/"
        assert client.get(detail).status_code == 404
        assert client.patch(detail, {"active": False}, format="json").status_code == 404
        assert client.delete(detail).status_code == 404
        assert client.get(f"{detail}deliveries/").status_code == 404
        assert client.get(LIST).data["count"] == 0
        assert create(client, organisation=partner_org.pk).status_code == 404
    assert WebhookSubscription.objects.filter(pk=mine.pk, active=True).exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.garage.example/solimob",  # not HTTPS
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://[::1]/hook",
        "https://user:pass@hooks.garage.example/",
        "ftp://hooks.garage.example/",
        "pas une adresse",
    ],
)
def test_non_https_or_private_urls_are_400_invalid(api_client, partner_manager, url):
    response = create(client_for(api_client, partner_manager), url=url)
    assert response.status_code == 400 and response.data["code"] == "invalid"
    assert not WebhookSubscription.objects.exists()


def test_a_name_resolving_to_a_private_address_is_refused(api_client, partner_manager, _public_dns):
    _public_dns.return_value = [(2, 1, 6, "", ("10.0.0.5", 443))]
    response = create(client_for(api_client, partner_manager))
    assert response.status_code == 400 and response.data["code"] == "invalid"
    _public_dns.side_effect = OSError("no such name")
    assert create(client_for(api_client, partner_manager)).data["code"] == "invalid"


def test_the_setting_allows_a_local_receiver(api_client, partner_manager, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    assert (
        create(client_for(api_client, partner_manager), url="http://127.0.0.1:8765/").status_code
        == 201
    )


@pytest.mark.parametrize("events", [["booking.teleported"], ["booking.confirmed", "payment.x"]])
def test_unknown_events_are_400_invalid(api_client, partner_manager, events):
    response = create(client_for(api_client, partner_manager), events=events)
    assert response.status_code == 400 and response.data["code"] == "invalid"


def test_patch_changes_events_and_re_enables(api_client, partner_manager, partner_org):
    subscription = services.subscription_create(
        actor=partner_manager, organisation_id=partner_org.pk, url=URL,
        events=["booking.requested"],
    )  # fmt: skip
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, consecutive_failures=15
    )
    client = client_for(api_client, partner_manager)
    detail = f"{LIST}{subscription.pk}/"
    changed = client.patch(detail, {"events": ["booking.cancelled", "booking.requested"],
                                    "active": True}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.data
    assert changed.data["events"] == ["booking.requested", "booking.cancelled"]
    assert changed.data["active"] is True and changed.data["consecutive_failures"] == 0
    assert client.patch(detail, {"url": "http://x.example/"}, format="json").status_code == 400
    assert client.delete(detail).status_code == 204
    assert not WebhookSubscription.objects.exists()


def _deliveries(subscription, count):
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscription,
            event_type="booking.requested",
            payload={"type": "booking.requested", "data": {}},
            webhook_id=services.new_webhook_id(),
        )  # fmt: skip
        for _ in range(count)
    )


def test_deliveries_paginate_with_flat_query_counts(api_client, partner_manager, partner_org):
    subscription = services.subscription_create(
        actor=partner_manager, organisation_id=partner_org.pk, url=URL,
        events=["booking.requested"],
    )  # fmt: skip
    client = client_for(api_client, partner_manager)
    url = f"{LIST}{subscription.pk}/deliveries/"
    counts = []
    for size in (2, 12):
        _deliveries(subscription, size - WebhookDelivery.objects.count())
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, {"page_size": 50})
        counts.append(len(queries))
        assert page.data["count"] == size
    assert counts[0] == counts[1] <= 4
    row = page.data["results"][0]
    assert set(row) >= {"event_type", "webhook_id", "status", "attempts", "response_code",
                        "duration_ms", "error", "next_attempt_at", "payload"}  # fmt: skip


def test_the_list_has_flat_query_counts(api_client, admin_user, platform):
    client = client_for(api_client, admin_user)
    counts = []
    for size in (1, 6):
        while WebhookSubscription.objects.count() < size:
            services.subscription_create(actor=admin_user, organisation_id=platform.pk, url=URL,
                                         events=["booking.requested"])  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).data["count"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4
