from celery import shared_task
from django.db import connection


@shared_task
def ping(token: str) -> str:
    """Round-trips through the broker and the database: proves a worker is really serving."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return f"pong:{token}:{one}"
