"""Records the journeys start from, made through the services as the forms would."""

import datetime as dt

from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Concern, Person
from tests.auth import request_as

NRM_RECIPIENT = "Single Competent Authority (Home Office)"


def submit_concern(reporter, **person) -> Concern:
    """A concern as the form submits it, for journeys that start after it was logged."""
    return case_services.concern_submit(
        request=request_as(reporter),
        person=Person(**person),
        concern=Concern(
            observed_at=timezone.now() - dt.timedelta(hours=2),
            location="Station Road",
            setting="hotel",
            observer_account="Seen with a man who held her passport.",
        ),
        exploitation_types=[],
        observations=[],
        links=[],
    )


def open_case(lead, team, concern) -> Case:
    return case_services.case_open(
        request=request_as(lead), person=concern.person, team=team, lead=lead, concerns=[concern]
    )


def past_moment():
    """Two hours ago in UK time, as the concern form's date and time fields want it."""
    return timezone.localtime() - dt.timedelta(hours=2)
