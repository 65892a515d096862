"""Deadlines that belong to a record of an app above referrals (a subject access request):
which page their reminders link to. The app registers its timer and URL name in its
AppConfig.ready, so that referrals imports nothing of it (DESIGN.md: imports point down)."""

from django.urls import reverse

from .deadlines import Timer

_links: dict[str, str] = {}


def register(timer: Timer, url_name: str) -> None:
    """Deadlines of `timer` link to `url_name`, which takes the owner's reference."""
    _links[str(timer)] = url_name


def path_of(deadline) -> str:
    """The page a reminder of `deadline` links to."""
    if deadline.case_id:
        return reverse("cases:case_detail", args=[deadline.case.reference])
    if deadline.concern_id:
        return reverse("cases:concern_detail", args=[deadline.concern.reference])
    return reverse(_links[deadline.timer], args=[deadline.owner_reference])
