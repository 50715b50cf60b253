"""Reads of webhook subscriptions and deliveries, scoped to the organisations the user
manages (`permissions.webhook_organisation_ids`); anything else is 404."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.errors import get_or_not_found
from exchange.models import WebhookDelivery, WebhookSubscription
from exchange.permissions import webhook_organisation_ids


def _managed(user, prefix: str = "") -> Q:
    own, platforms = webhook_organisation_ids(user)
    return Q(**{f"{prefix}pk__in": own}) | Q(**{f"{prefix}platform_id__in": platforms})


def webhook_organisations_for(*, user) -> QuerySet[Organisation]:
    """The organisations whose webhooks the user manages, by name."""
    return Organisation.objects.filter(_managed(user), is_active=True).order_by("name", "pk")


def subscription_list_for(*, user) -> QuerySet[WebhookSubscription]:
    return (
        WebhookSubscription.objects.filter(_managed(user, "organisation__"))
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def subscription_get_for(*, user, subscription_id: int) -> WebhookSubscription:
    return get_or_not_found(
        subscription_list_for(user=user), subscription_id, _("Abonnement introuvable.")
    )


def delivery_list(*, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return subscription.deliveries.order_by("-created_at", "-pk")


SUBSCRIBERS_KEY = "exchange:webhook-subscribers:v1"


def subscribers_by_event() -> dict[str, set[int]]:
    """Event name → organisations with an active subscription to it. Every booking change
    asks; kept in the cache (rebuilt by one query on a miss, forgotten by every subscription
    write, and after `WEBHOOK_SUBSCRIBERS_CACHE_SECONDS` at most), so a change that nobody
    listens to costs no query."""
    found = cache.get(SUBSCRIBERS_KEY)
    if found is None:
        found = {}
        rows = WebhookSubscription.objects.filter(active=True).values_list(
            "organisation_id", "events"
        )
        for organisation_id, events in rows:
            for event in events:
                found.setdefault(event, set()).add(organisation_id)
        cache.set(SUBSCRIBERS_KEY, found, timeout=settings.WEBHOOK_SUBSCRIBERS_CACHE_SECONDS)
    return found


def forget_subscribers() -> None:
    cache.delete(SUBSCRIBERS_KEY)
