"""Webhook pages, under `integrations/`."""

from django.urls import path

from exchange import views

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/nouveau/", views.webhook_new, name="webhook_new"),
    path("webhooks/<int:subscription_id>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:subscription_id>/reactiver/", views.webhook_enable,
         name="webhook_enable"),
    path("webhooks/<int:subscription_id>/supprimer/", views.webhook_delete,
         name="webhook_delete"),
    path("webhooks/<int:subscription_id>/envois/<int:delivery_id>/renvoyer/",
         views.delivery_resend, name="webhook_delivery_resend"),
]  # fmt: skip
