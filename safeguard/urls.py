from django.contrib import admin
from django.urls import include, path

import dashboards.views

from . import views

urlpatterns = [
    path("", dashboards.views.home, name="home"),
    path("account/", include("allauth.urls")),
    path("session/keep-alive/", views.session_keep_alive, name="session_keep_alive"),
    path("exit/", views.exit_page, name="exit"),
    path("health/", views.health, name="health"),
    path("health/live/", views.health_live, name="health_live"),
    path("notifications/", views.notifications, name="notifications"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_log_export, name="audit_log_export"),
    path("contacts/", include("contacts.urls")),
    path("", include("cases.urls")),
    path("", include("referrals.urls")),
    path("", include("documents.urls")),
    path("subject-access/", include("subject_access.urls")),
    path("", include("dashboards.urls")),
    path("", include("retention.urls")),
    path("admin/", admin.site.urls),
]
