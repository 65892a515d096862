from django.apps import AppConfig

from safeguard.navigation import NavItem


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Home pages and statistics"
    navigation = (
        NavItem("Home", "home", order=0),
        NavItem(
            "Statistics",
            "dashboards:statistics",
            order=500,
        ),
    )
