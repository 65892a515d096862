"""What each role's home page shows below its heading. Administrators get nothing here: they
run the system, not cases.
"""

from dataclasses import dataclass

from django.utils import timezone

from referrals.rows import deadline_row
from safeguard.choices import Role

from . import selectors


@dataclass(frozen=True)
class Panel:
    template: str
    data: dict


def panel_for(user) -> Panel | None:
    now = timezone.now()
    if user.role == Role.FRONTLINE:
        return Panel("dashboards/home/frontline.html", {"home": selectors.frontline_home(user)})
    if user.role == Role.LEAD:
        home = selectors.lead_home(user, now=now)
        return Panel(
            "dashboards/home/lead.html",
            {
                "home": home,
                "urgent": [deadline_row(d, now=now, user=user) for d in home.urgent],
                "now": now,
            },
        )
    if user.role == Role.MANAGER:
        return Panel(
            "dashboards/home/manager.html",
            {"home": selectors.manager_home(user, now=now), "now": now},
        )
    return None
