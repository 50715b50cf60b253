from django.contrib import admin

from core.admin import ReadOnlyInline
from payments.models import Payment, Refund, SepaMandate, StripeEvent


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("amount", "reason", "note", "status", "stripe_refund_id", "attempts", "error")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("pk", "purpose", "amount", "amount_refunded", "status", "created_at")
    list_filter = ("status", "purpose")
    search_fields = ("stripe_payment_intent_id", "beneficiary__last_name")
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [RefundInline]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ("stripe_id", "type", "status", "received_at", "processed_at")
    list_filter = ("status", "type")
    search_fields = ("stripe_id", "object_id")
    readonly_fields = [f.name for f in StripeEvent._meta.fields]


@admin.register(SepaMandate)
class SepaMandateAdmin(admin.ModelAdmin):
    list_display = ("pk", "loan", "status", "iban_last4", "created_at", "activated_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in SepaMandate._meta.fields]
