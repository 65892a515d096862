"""`{% load deadlines %}`: how long is left on a deadline, in the words of the one pure module
(referrals.deadlines.describe_remaining), so no page counts time its own way."""

from django import template
from django.utils import timezone

from referrals.deadlines import describe_remaining

register = template.Library()


@register.filter
def remaining(due, now=None) -> str:
    """ "2 days 3 hours left", "due now" or "overdue by 1 day"; nothing for no deadline."""
    if due is None:
        return ""
    return describe_remaining(due, now or timezone.now())
