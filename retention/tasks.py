from celery import shared_task

from . import selectors, services


@shared_task(name="retention.tasks.person_dispose")
def person_dispose(review_id: int) -> str:
    """Takes the review's id: a redelivered message finds the Disposal row and does nothing."""
    return services.person_dispose(review_id=review_id)


@shared_task(name="retention.tasks.disposals_requeue")
def disposals_requeue() -> int:
    """Send again each approval still standing and not carried out: the approval's message
    goes after commit, and is lost if the broker was down then. A run that finds a hold or
    a blocker since the approval refuses as the first would have."""
    waiting = selectors.approvals_waiting()
    for review_id in waiting:
        person_dispose.delay(review_id)
    return len(waiting)


@shared_task(name="retention.tasks.drafts_expire")
def drafts_expire() -> int:
    """Daily: drafts of concerns left unchanged for the schedule's length are deleted."""
    return services.drafts_expire()
