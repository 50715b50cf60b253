from django.contrib import admin

from bookings.models import Booking, BookingEvent, BookingSlot
from core.admin import ReadOnlyAdmin, ReadOnlyInline


class BookingSlotInline(ReadOnlyInline):
    model = BookingSlot
    fields = ["slot", "quantity", "holding"]


class BookingEventInline(ReadOnlyInline):
    model = BookingEvent
    fields = ["at", "actor", "actor_role", "from_status", "to_status", "note"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Bookings change through their transitions (pages and API), never here."""

    list_display = ["reference", "service", "status", "starts_at", "quantity", "total_price"]
    list_filter = ["status", "service__category"]
    search_fields = ["reference"]
    date_hierarchy = "starts_at"
    inlines = [BookingSlotInline, BookingEventInline]
