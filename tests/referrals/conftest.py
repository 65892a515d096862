import pytest

from safeguard.choices import Nation
from safeguard.models import OrganisationSettings
from tests.cases.conftest import log_concern, reference_data  # noqa: F401  (shared fixtures)


@pytest.fixture
def organisation(db):
    """A first responder in England and Wales that holds the Duty to Notify."""
    settings = OrganisationSettings.load()
    settings.nation = Nation.ENGLAND_AND_WALES
    settings.is_first_responder = True
    settings.holds_duty_to_notify = True
    settings.save()
    return settings
