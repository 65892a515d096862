"""Reference data that administrators keep: the indicator checklist and exploitation types.

Neither is ever deleted: concerns already answered point at them, so a row that is no longer
asked is retired instead, and its code (the stable key fixtures load by) never changes.
"""

from django.contrib import admin

from safeguard.admin import AdministratorsOnly

from .models import ExploitationType, Indicator


class ReferenceDataAdmin(AdministratorsOnly, admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("code")
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Retire instead: answers already given must stay readable.
        return False


@admin.register(Indicator)
class IndicatorAdmin(ReferenceDataAdmin):
    list_display = ["text", "code", "group", "applies_to", "order", "retired"]
    list_filter = ["group", "applies_to", "retired"]
    search_fields = ["code", "text"]
    ordering = ["group", "order", "code"]
    fields = ["code", "group", "text", "applies_to", "source", "order", "retired"]


@admin.register(ExploitationType)
class ExploitationTypeAdmin(ReferenceDataAdmin):
    list_display = ["name", "code", "order", "retired"]
    list_filter = ["retired"]
    search_fields = ["code", "name"]
    ordering = ["order", "code"]
    fields = ["code", "name", "order", "retired"]
