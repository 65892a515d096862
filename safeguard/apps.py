from django.apps import AppConfig

from .choices import Role
from .navigation import NavItem


class SafeguardConfig(AppConfig):
    name = "safeguard"
    verbose_name = "Safeguard"
    navigation = (
        NavItem("Home", "home", order=0),
        NavItem(
            "Administration",
            "admin:index",
            roles=frozenset({Role.ADMIN}),
            order=900,
            section="admin:",
        ),
    )
