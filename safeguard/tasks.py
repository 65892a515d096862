from celery import shared_task
from django.db import connection

from . import ratelimits


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
