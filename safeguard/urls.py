from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import SignInForm

admin.site.site_header = "Safeguard administration"
admin.site.site_title = "Safeguard administration"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("exit/", views.exit_page, name="exit"),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
]
