"""The record of form submissions (safeguard.submissions) is kept only while it matters."""

import datetime as dt

from django.utils import timezone

from safeguard.models import Submission
from safeguard.tasks import SUBMISSIONS_KEPT, submissions_forget


def test_submissions_are_forgotten_a_week_after_they_were_sent(world):
    now = timezone.now()
    for key, age in [
        ("old", SUBMISSIONS_KEPT + dt.timedelta(minutes=1)),
        ("recent", dt.timedelta(days=6)),
    ]:
        Submission.objects.create(user=world.lead, key=key, url="/", created_at=now - age)

    assert submissions_forget() == 1
    assert list(Submission.objects.values_list("key", flat=True)) == ["recent"]
