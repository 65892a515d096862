from django.contrib import admin
from django.utils import timezone

from safeguard import audit
from safeguard.admin import AdministratorsOnly

from . import rules
from .models import AuthorityRule, Reminder


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
        return deadline.reference

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuthorityRule)
class AuthorityRuleAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Each competent authority's lengths for the timers it sets (issue 18, item 3). One row
    per authority, from the migration and the reference data: changed, never added or
    deleted. Each change is an audit event naming the fields that changed."""

    list_display = ["authority", "rg_working_days", "cg_not_before_days", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["authority", "rg_working_days", "cg_not_before_days", "note"],
                "description": "The lengths of the timers this competent authority sets, for "
                "referrals it decides. For a devolved pilot's local panel, set them to what "
                "your panel has agreed. A change applies to deadlines started afterwards: "
                "deadlines already started keep their due times.",
            },
        ),
        ("Last changed", {"fields": ["updated_by"]}),
    ]
    readonly_fields = ["authority", "updated_by"]

    def changelist_view(self, request, extra_context=None):
        rules.authority_rules_ensure()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.updated_by, obj.updated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
        audit.record(
            request,
            action=audit.Action.CHANGE,
            obj=obj,
            changed_fields=form.changed_data,
            detail="competent authority timers",
        )
        self.message_user(
            request,
            f"The {obj.get_authority_display()}'s lengths apply to deadlines started from now "
            "on. Deadlines already started keep their due times.",
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
