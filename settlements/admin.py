from django.contrib import admin

from core.admin import ReadOnlyInline
from settlements.models import Settlement, SettlementEvent, SettlementLine


class LineInline(ReadOnlyInline):
    model = SettlementLine
    fields = ("kind", "reference", "day", "service_name", "owed", "active")


class EventInline(ReadOnlyInline):
    model = SettlementEvent
    fields = ("at", "actor", "from_status", "to_status", "note")


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    """Read-only: statements change through their services (pages and API)."""

    list_display = ("reference", "partner", "period_start", "status", "total")
    list_filter = ("status",)
    inlines = [LineInline, EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
