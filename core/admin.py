from django.contrib import admin

from core.models import AuditLog, Notification, SmsOptOut


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write (state machines, ledgers, logs): the admin shows them and
    changes nothing, so no transition, capacity or budget guard can be bypassed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows of a read-only parent, listed under it: `fields` shown, none editable."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor__email"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "template", "status", "attempts",
                    "segments"]  # fmt: skip
    list_filter = ["channel", "status", "template"]
    search_fields = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(ReadOnlyAdmin):
    """Numbers that answered STOP: lifted only by recording the person's SMS consent again."""

    list_display = ["phone", "source", "created_at"]
    search_fields = ["phone"]
