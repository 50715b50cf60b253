from django.contrib import admin

from exchange.models import WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "url", "active", "consecutive_failures", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "organisation__name")
    exclude = ("secret",)
    readonly_fields = ("consecutive_failures", "disabled_at", "created_by")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("webhook_id", "event_type", "subscription", "status", "attempts",
                    "response_code", "created_at")  # fmt: skip
    list_filter = ("status", "event_type")
    search_fields = ("webhook_id",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
