from tests.referrals.conftest import log_concern, organisation, reference_data  # noqa: F401  (shared fixtures)
