from celery import shared_task

from . import kept


@shared_task(name="dashboards.tasks.statistics_refresh")
def statistics_refresh() -> float | None:
    """Every few minutes (`kept.REFRESH_SECONDS`): count the managers' statistics again.
    Answers how long it took, or None when another refresh was running."""
    done = kept.refresh()
    return done.seconds if done else None
