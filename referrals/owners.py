"""Deadlines that belong to a record of an app above referrals (a subject access request):
which page their reminders link to. The app registers its timer and URL name in its
AppConfig.ready, so that referrals imports nothing of it (DESIGN.md: imports point down)."""

from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse

from .deadlines import Timer

_links: dict[str, str] = {}
# timer -> (user -> the owners' references the user may see, as a queryset of references)
_visible: dict[str, Callable] = {}


def register(timer: Timer, url_name: str, visible: Callable | None = None) -> None:
    """Deadlines of `timer` link to `url_name`, which takes the owner's reference; `visible`
    says whose owners' deadlines a user may see in the deadline lists (none, without it)."""
    _links[str(timer)] = url_name
    if visible is not None:
        _visible[str(timer)] = visible


def visible_to(user) -> Q:
    """The owned deadlines `user` may see: for each registered timer, those whose owner's
    reference the owning app lets them see (its own scoping selector)."""
    condition = Q(pk__in=[])
    for timer, visible in _visible.items():
        condition |= Q(timer=timer, owner_reference__in=visible(user))
    return Q(case__isnull=True, concern__isnull=True) & condition


def path_of(deadline) -> str:
    """The page a reminder of `deadline` links to."""
    if deadline.case_id:
        return reverse("cases:case_detail", args=[deadline.case.reference])
    if deadline.concern_id:
        return reverse("cases:concern_detail", args=[deadline.concern.reference])
    return reverse(_links[deadline.timer], args=[deadline.owner_reference])
