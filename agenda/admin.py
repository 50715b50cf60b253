from django.contrib import admin

from agenda.models import AgendaClosure, AgendaRule, AgendaSlot, Appointment, AppointmentKind, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "commune", "accessible", "active", "platform")
    list_filter = ("kind", "accessible", "active")
    search_fields = ("name", "address")
    raw_id_fields = ("commune",)


@admin.register(AppointmentKind)
class AppointmentKindAdmin(admin.ModelAdmin):
    """Durations and seats are the platform's data: they are edited here."""

    list_display = ("name", "category", "duration_minutes", "seats", "follow_up_within_days",
                    "platform")  # fmt: skip
    list_filter = ("category",)


@admin.register(AgendaRule)
class AgendaRuleAdmin(admin.ModelAdmin):
    list_display = ("adviser", "place", "kind", "weekdays", "start_time", "end_time")
    raw_id_fields = ("adviser",)


@admin.register(AgendaClosure)
class AgendaClosureAdmin(admin.ModelAdmin):
    list_display = ("platform", "adviser", "place", "starts_at", "ends_at", "reason")
    raw_id_fields = ("adviser",)


@admin.register(AgendaSlot)
class AgendaSlotAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "place", "kind", "adviser", "reserved", "capacity", "session")
    list_filter = ("session", "kind__category")
    raw_id_fields = ("adviser", "referrals")
    readonly_fields = ("reserved",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "kind", "place", "adviser", "status")
    list_filter = ("status", "kind__category")
    raw_id_fields = ("slot", "beneficiary", "referral", "adviser", "booked_by", "follow_up_of",
                     "moved_from")  # fmt: skip

    def has_add_permission(self, request):
        return False  # appointments are booked through the services (the capacity guard)

    def has_change_permission(self, request, obj=None):
        return False
