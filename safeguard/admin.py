from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import OrganisationSettings, Team, User


class UserCreationForm(auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "teams"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


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
        (None, {"fields": ["email", "full_name", "job_title", "password"]}),
        ("Role and teams", {"fields": ["role", "teams", "is_active"]}),
        ("History", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "teams", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: a user's name stays on every record they made.
        return False


@admin.register(Team)
class TeamAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(OrganisationSettings)
class OrganisationSettingsAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "nation", "is_first_responder", "holds_duty_to_notify"]

    def has_add_permission(self, request):
        return request.user.is_staff and not OrganisationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
