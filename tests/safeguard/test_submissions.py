"""The record of form submissions (safeguard.submissions) is kept only while it matters."""

import datetime as dt

from django.urls import reverse
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


def test_a_refused_post_with_a_token_is_audited_and_leaves_the_token_free(client, world):
    from cases.models import Case, Person
    from safeguard.models import AuditEvent

    person = Person.objects.create(reference="PN-T-000009", name="Sub Test", created_by=world.lead)
    case = Case.objects.create(reference="SG-T-000009", person=person, team=world.north,
                               lead=world.lead)  # fmt: skip
    client.force_login(world.lead_south)  # another team's lead: the case is not found

    response = client.post(
        reverse("cases:case_chronology", args=[case.reference]),
        {"submission_token": "t0ken", "title": "A note", "text": "Words"},
    )

    assert response.status_code == 404
    refused = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_DENIED)
    assert (refused.actor, refused.reference) == (world.lead_south, case.reference)
    assert not Submission.objects.exists()
