from tests.cases.conftest import reference_data  # noqa: F401  (shared fixtures)
