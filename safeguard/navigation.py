"""Primary navigation by role.

Each app declares its own entries as `navigation` on its AppConfig, so the core never imports
a domain app to build the menu. An entry is shown, in `order`, to those who may open its page
by `access.URL_RULES`: the menu never repeats who may go where.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from . import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 100
    # The URL namespace (or view name) under which this entry is the current one.
    section: str = ""


def items_for(user, current_view: str = "") -> list[dict]:
    """The entries `user` may see, each with its address and whether it is the current page."""
    if not user.is_authenticated:
        return []
    entries = sorted(
        (item for config in apps.get_app_configs() for item in getattr(config, "navigation", ())),
        key=lambda item: (item.order, item.label),
    )
    return [
        {
            "text": item.label,
            "href": reverse(item.url_name),
            "active": current_view == item.url_name
            or bool(item.section and current_view.startswith(item.section)),
        }
        for item in entries
        if access.may_open(user, item.url_name)
    ]
