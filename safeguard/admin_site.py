from allauth.account.decorators import secure_admin_login
from django.contrib import admin


class AdminSite(admin.AdminSite):
    """The Django admin, for administrators who signed in with a second factor.

    Its sign-in page is our own (with lockout and MFA); it has no password form of its own.
    """

    site_header = "Safeguard administration"
    site_title = "Safeguard administration"
    index_title = "Users, teams and settings"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.has_mfa

    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)
