from celery import shared_task

from . import services


@shared_task(name="retention.tasks.person_dispose")
def person_dispose(review_id: int) -> str:
    """Takes the review's id: a redelivered message finds the Disposal row and does nothing."""
    return services.person_dispose(review_id=review_id)
