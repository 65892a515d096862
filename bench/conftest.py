from tests.cases.conftest import reference_data  # noqa: F401
from tests.conftest import empty_cache, fast_password_hashing, world  # noqa: F401
