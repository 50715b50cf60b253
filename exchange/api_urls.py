from django.urls import path

from exchange import api_open, api_webhooks

urlpatterns = [
    path("open/structures/", api_open.OpenStructureListApi.as_view(), name="api-open-structures"),
    path("open/services/", api_open.OpenServiceListApi.as_view(), name="api-open-services"),
    path("webhooks/", api_webhooks.WebhookListApi.as_view(), name="api-webhook-list"),
    path("webhooks/<int:subscription_id>/", api_webhooks.WebhookDetailApi.as_view(),
         name="api-webhook-detail"),
    path("webhooks/<int:subscription_id>/deliveries/",
         api_webhooks.WebhookDeliveryListApi.as_view(), name="api-webhook-deliveries"),
]  # fmt: skip
