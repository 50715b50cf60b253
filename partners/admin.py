from django.contrib import admin

from partners.models import AvailabilityRule, Closure, Partner, PartnerAgreement, Service, Slot


class AgreementInline(admin.TabularInline):
    model = PartnerAgreement
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["organisation", "category", "status", "timezone"]
    list_filter = ["category", "status"]
    search_fields = ["organisation__name"]
    inlines = [AgreementInline]


class RuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "unit", "solidarity_price", "market_price", "published"]
    list_filter = ["category", "published", "booking_mode"]
    search_fields = ["name", "partner__organisation__name"]
    inlines = [RuleInline]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["partner", "service", "starts_at", "ends_at", "reason", "capacity"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["service", "starts_at", "ends_at", "capacity", "reserved"]
    list_filter = ["service__partner"]
    raw_id_fields = ["service"]
