"""Primary navigation by role.

Each app declares its own entries as `navigation` on its AppConfig, so the core never imports
a domain app to build the menu. An entry is shown, in `order`, to those who may open its page
by `access.URL_RULES`: the menu never repeats who may go where. Which entry a page belongs to
is `SECTIONS`, one table for the whole URLconf (tests/safeguard/test_navigation.py walks it).
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


# URL name (or a prefix ending in "*"; the longest match wins) -> the URL name of the menu
# entry that is marked as current there; None: a page of no section (signing in, one's
# account). Names only: the core imports no domain app.
SECTIONS: dict[str, str | None] = {
    "home": "home",
    # Logging a concern, from the first question to what to do next.
    "cases:concern_start": "cases:concern_start",
    "cases:draft_*": "cases:concern_start",
    "cases:concern_next_steps": "cases:concern_start",
    # What one has logged.
    "cases:my_concerns": "cases:my_concerns",
    "cases:concern_detail": "cases:my_concerns",
    "cases:concern_addendum": "cases:my_concerns",
    # A lead deciding what happens to a concern.
    "cases:triage_queue": "cases:triage_queue",
    "cases:concern_triage": "cases:triage_queue",
    "cases:person_merge": "cases:triage_queue",
    # A case and everything on it: its record, referrals, sharing and documents.
    "cases:case_*": "cases:case_list",
    "cases:person_photo": "cases:case_list",
    "referrals:*": "cases:case_list",
    "documents:*": "cases:case_list",
    "cases:search": "cases:search",
    "referrals:deadline*": "referrals:deadlines",
    "referrals:overdue*": "referrals:deadlines",
    "contacts:*": "contacts:directory",
    "dashboards:*": "dashboards:statistics",
    "retention:*": "retention:due",
    "subject_access:*": "subject_access:request_list",
    "audit_log*": "audit_log",
    "notifications": "notifications",
    "admin:*": "admin:index",
    "account_*": None,
    "mfa_*": None,
    "usersessions_list": None,
    "session_keep_alive": None,
    "health*": None,
    "exit": None,
}


def section_of(view_name: str) -> str | None:
    """The menu entry (its URL name) that `view_name` belongs to, if any."""
    if view_name in SECTIONS:
        return SECTIONS[view_name]
    matches = [p for p in SECTIONS if p.endswith("*") and view_name.startswith(p[:-1])]
    return SECTIONS[max(matches, key=len)] if matches else None


def items_for(user, current_view: str = "") -> list[dict]:
    """The entries `user` may see, each with its address and whether it is the current page."""
    if not user.is_authenticated:
        return []
    entries = sorted(
        (item for config in apps.get_app_configs() for item in getattr(config, "navigation", ())),
        key=lambda item: (item.order, item.label),
    )
    current = section_of(current_view) if current_view else None
    return [
        {
            "text": item.label,
            "href": reverse(item.url_name),
            "active": current == item.url_name,
        }
        for item in entries
        if access.may_open(user, item.url_name)
    ]
