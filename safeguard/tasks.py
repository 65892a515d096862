import datetime as dt

from celery import shared_task
from django.db import connection
from django.utils import timezone

from . import ratelimits

# A token matters for the minutes around its form; a week covers a form left open, then resent.
SUBMISSIONS_KEPT = dt.timedelta(days=7)


@shared_task
def ping(token: str) -> str:
    """Round-trips through the broker and the database: proves a worker is really serving."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return f"pong:{token}:{one}"


@shared_task
def rate_limits_prune() -> int:
    """Delete sign-in and code attempts too old to count (beat, every 10 minutes)."""
    return ratelimits.rate_limits_prune()


@shared_task
def submissions_forget() -> int:
    """Delete the record of form submissions (safeguard.submissions) after a week."""
    from .models import Submission

    deleted, _ = Submission.objects.filter(
        created_at__lt=timezone.now() - SUBMISSIONS_KEPT
    ).delete()
    return deleted
