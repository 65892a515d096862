from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import audit, services
from .choices import NATION_DEFAULTS, PeriodEnd
from .models import OrganisationSettings, Team, User


class UserCreationForm(forms.ModelForm):
    """No password: the new user sets their own from the invitation email."""

    class Meta:
        model = User
        fields = ["email", "full_name", "job_title", "role", "teams"]


class UserChangeForm(auth_forms.UserChangeForm):
    """Administrators never set someone's password: they send an invitation instead."""

    class Meta:
        model = User
        fields = ["email", "full_name", "job_title", "role", "teams", "is_active"]


class AdministratorsOnly:
    """Admin pages that every administrator may use in full, without per-model permissions.

    The Django admin is for administrators only (`User.is_staff`); case data never appears
    in it, so the role is the permission.
    """

    def has_module_permission(self, request):
        return request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    def has_add_permission(self, request):
        return request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff

    def has_delete_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(User)
class UserAdmin(AdministratorsOnly, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "teams"]
    search_fields = ["full_name", "email"]
    filter_horizontal = ["teams"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "job_title"]}),
        ("Role and teams", {"fields": ["role", "teams", "is_active"]}),
        ("History", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "job_title", "role", "teams"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["invite", "deactivate", "reset_mfa"]

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(request=request, actor=request.user, user=obj)
        if not change:
            services.user_invite(request=request, actor=request.user, user=obj)
            messages.info(request, f"An invitation has been sent to {obj.email}.")

    @admin.action(description="Send an invitation to set a password")
    def invite(self, request, queryset):
        for user in queryset.filter(is_active=True):
            services.user_invite(request=request, actor=request.user, user=user)
        self.message_user(request, "Invitations sent.")

    @admin.action(description="Deactivate, and end their sessions")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            services.user_deactivate(request=request, actor=request.user, user=user)
        self.message_user(request, "Users deactivated. You cannot deactivate yourself.")

    @admin.action(description="Reset multi-factor authentication (lost device)")
    def reset_mfa(self, request, queryset):
        for user in queryset:
            services.user_reset_mfa(request=request, actor=request.user, user=user)
        self.message_user(request, "Second factors removed: they will enrol again at sign-in.")

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: a user's name stays on every record they made.
        return False

    def get_urls(self):
        # No "change password" page: administrators invite, they never set a password.
        return [url for url in super().get_urls() if url.name != "auth_user_password_change"]


@admin.register(Team)
class TeamAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


def _defaults_in_words(organisation: OrganisationSettings) -> str:
    defaults = organisation.nation_defaults()
    return (
        f"recovery period {defaults['recovery_days']} days, "
        f"{PeriodEnd(defaults['recovery_end']).label.lower()}"
    )


class OrganisationSettingsForm(forms.ModelForm):
    use_nation_defaults = forms.BooleanField(
        label="Use today's defaults for the nation chosen",
        required=False,
        help_text="Sets the recovery period's length and end to the nation's current rules. "
        "Deadlines already started keep their due times: only new deadlines use them.",
    )

    # No Meta: the admin builds the form's fields from the model (modelform_factory).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new organisation gets its nation's defaults unless the administrator says not.
        self.fields["use_nation_defaults"].initial = self.instance._state.adding

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("use_nation_defaults") and cleaned.get("nation"):
            for name, value in NATION_DEFAULTS[cleaned["nation"]].items():
                cleaned[name] = value
        return cleaned


@admin.register(OrganisationSettings)
class OrganisationSettingsAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = OrganisationSettingsForm
    list_display = ["name", "nation", "is_first_responder", "holds_duty_to_notify"]

    def save_model(self, request, obj, form, change):
        before = OrganisationSettings.objects.filter(pk=obj.pk).values().first() or {}
        if form.cleaned_data.get("use_nation_defaults"):
            obj.apply_nation_defaults()
        super().save_model(request, obj, form, change)
        # The lengths every new deadline is counted with, who may refer, the privacy notice:
        # each change in the audit trail by field name (never the values), like every other.
        after = OrganisationSettings.objects.filter(pk=obj.pk).values().get()
        changed = [f for f, v in after.items() if f != "updated_at" and before.get(f) != v]
        if changed:
            audit.record(
                request,
                action=audit.Action.CREATE if not change else audit.Action.CHANGE,
                obj=obj,
                changed_fields=changed,
                detail="organisation settings",
            )
        if form.cleaned_data.get("use_nation_defaults"):
            self.message_user(
                request,
                f"Today's defaults for {obj.get_nation_display()} are in use "
                f"({_defaults_in_words(obj)}) for deadlines started from now on. Deadlines "
                "already started keep their due times.",
            )
        elif obj.differs_from_nation_defaults():
            # Changing the nation offers its defaults; it never applies them silently.
            self.message_user(
                request,
                f"Today's defaults for {obj.get_nation_display()} are "
                f"{_defaults_in_words(obj)}. Your settings differ. To use the defaults, tick "
                '"Use today\'s defaults for the nation chosen" and save: only deadlines '
                "started afterwards change.",
                level=messages.WARNING,
            )

    def has_add_permission(self, request):
        return request.user.is_staff and not OrganisationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
