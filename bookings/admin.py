from django.contrib import admin

from bookings.models import Booking, BookingEvent, BookingSlot
from core.admin import ReadOnlyAdmin


class BookingSlotInline(admin.TabularInline):
    model = BookingSlot
    extra = 0
    can_delete = False
    readonly_fields = ["slot", "quantity"]

    def has_add_permission(self, request, obj=None):
        return False


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "actor_role", "from_status", "to_status", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Bookings change through their transitions (pages and API), never here."""

    list_display = ["reference", "service", "status", "starts_at", "quantity", "total_price"]
    list_filter = ["status", "service__category"]
    search_fields = ["reference"]
    date_hierarchy = "starts_at"
    inlines = [BookingSlotInline, BookingEventInline]
