from tests.cases.conftest import log_concern, reference_data  # noqa: F401  (shared fixtures)
