import datetime as dt

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from cases import services
from cases.models import Concern, Person, Setting


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0)


def request_as(user):
    request = RequestFactory().post("/")
    request.user = user
    request.request_id = "test"
    return request


@pytest.fixture
def log_concern(db):
    """Submit a concern through the service, as the concern form does."""

    def log(reporter, *, person=None, links=(), observed_at=None, **person_fields):
        if person is None:
            person = Person(**person_fields)
        concern = Concern(
            observed_at=observed_at or timezone.now() - dt.timedelta(hours=1),
            location="Station Road",
            setting=Setting.HOTEL,
            observer_account="Seen with a man who held her passport.",
        )
        return services.concern_submit(
            request=request_as(reporter),
            person=person,
            concern=concern,
            exploitation_types=[],
            observations=[],
            links=[services.Link(kind, value) for kind, value in links],
        )

    return log
