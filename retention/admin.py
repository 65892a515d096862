from django.contrib import admin, messages
from django.utils import timezone

from safeguard import audit
from safeguard.admin import AdministratorsOnly

from .models import RetentionRule
from .selectors import rules


@admin.register(RetentionRule)
class RetentionRuleAdmin(AdministratorsOnly, admin.ModelAdmin):
    """The retention schedule: one row per kind of record (retention.schedule), from the
    migration; changed, never added or deleted. Each change is an audit event naming the
    fields that changed."""

    list_display = ["kind", "length_text", "updated_at"]
    fields = ["kind", "length", "unit", "counted_from", "default", "source", "note", "updated_by"]
    readonly_fields = ["kind", "unit", "counted_from", "default", "source", "updated_by"]

    @admin.display(description="keep for")
    def length_text(self, rule):
        return rule.length_text

    @admin.display(description="unit")
    def unit(self, rule):
        return rule.declared.unit.label

    @admin.display(description="counted from")
    def counted_from(self, rule):
        return rule.declared.counted_from

    @admin.display(description="default")
    def default(self, rule):
        return f"{rule.declared.default} {rule.declared.unit.label}"

    @admin.display(description="where the default comes from")
    def source(self, rule):
        return rule.declared.source

    def changelist_view(self, request, extra_context=None):
        rules()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.updated_by, obj.updated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
        audit.record(
            request,
            action=audit.Action.CHANGE,
            obj=obj,
            changed_fields=form.changed_data,
            detail="retention schedule",
        )
        self.message_user(
            request,
            "The new length applies to every record of this kind from now on: the due list "
            "is worked out again with it.",
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
