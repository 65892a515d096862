"""The panels this app adds to each role's home page (the `home_panels` hook on its AppConfig).

Administrators get none: they run the system, not cases.
"""

from django.utils import timezone

from safeguard.choices import Role
from safeguard.navigation import HomePanel

from . import selectors_home
from .views_deadlines import deadline_row


def panels(request) -> list[HomePanel]:
    user = request.user
    now = timezone.now()
    if user.role == Role.FRONTLINE:
        home = selectors_home.frontline_home(user)
        return [HomePanel("referrals/home/frontline.html", {"home": home})]
    if user.role == Role.LEAD:
        home = selectors_home.lead_home(user, now=now)
        return [
            HomePanel(
                "referrals/home/lead.html",
                {
                    "home": home,
                    "urgent": [deadline_row(d, now=now, user=user) for d in home.urgent],
                    "now": now,
                },
            )
        ]
    if user.role == Role.MANAGER:
        home = selectors_home.manager_home(user, now=now)
        return [
            HomePanel(
                "referrals/home/manager.html",
                {
                    "home": home,
                    "now": now,
                },
            )
        ]
    return []
