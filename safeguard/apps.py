from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

from .navigation import NavItem


class SafeguardConfig(AppConfig):
    default = True
    name = "safeguard"
    verbose_name = "Safeguard"
    navigation = (
        NavItem("Notifications", "notifications", order=850),
        NavItem(
            "Audit log",
            "audit_log",
            order=800,
        ),
        NavItem(
            "Administration",
            "admin:index",
            order=900,
        ),
    )

    def ready(self) -> None:
        from . import signals  # noqa: F401


class SafeguardAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "safeguard.admin_site.AdminSite"

    def ready(self) -> None:
        super().ready()  # registers every app's admin
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from allauth.usersessions.models import UserSession
        from django.contrib import admin
        from django.contrib.auth.models import Group

        # Roles replace groups; email addresses live on the user; second factors and
        # sessions are handled by the audited user actions (reset MFA, deactivate).
        for model in (Group, EmailAddress, Authenticator, UserSession):
            admin.site.unregister(model)
