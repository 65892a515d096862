from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import navigation
from .choices import Role

HOME_TEMPLATES = {
    Role.FRONTLINE: "safeguard/home_frontline.html",
    Role.LEAD: "safeguard/home_lead.html",
    Role.MANAGER: "safeguard/home_manager.html",
    Role.ADMIN: "safeguard/home_admin.html",
}


@require_GET
def home(request):
    return render(
        request,
        HOME_TEMPLATES[request.user.role],
        {"sections": [item for item in navigation.items_for(request.user) if item["href"] != "/"]},
    )


@login_not_required
@never_cache
@require_GET
def health(request):
    """For the load balancer and compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
def exit_page(request):
    """ "Exit this page": end the session at once and go to a neutral site.

    A GET on purpose: the GOV.UK component follows a link, and someone hiding the screen must
    never meet a confirmation step. The worst a forged link can do is sign a user out.
    """
    logout(request)
    return HttpResponseRedirect(settings.EXIT_PAGE_URL)


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
