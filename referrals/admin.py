from django.contrib import admin

from safeguard.admin import AdministratorsOnly

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Reminders that failed, with their error, for administrators to see and act on.

    Read-only: the engine alone writes reminders; a failed one is a fault to fix (the mail
    settings), not a row to edit.
    """

    list_display = [
        "created_at",
        "deadline_reference",
        "stage",
        "sequence",
        "recipient",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "stage"]
    list_select_related = ["deadline__case", "deadline__concern", "recipient"]
    readonly_fields = list_display

    @admin.display(description="Case or concern")
    def deadline_reference(self, reminder):
        deadline = reminder.deadline
        return deadline.case.reference if deadline.case_id else deadline.concern.reference

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
