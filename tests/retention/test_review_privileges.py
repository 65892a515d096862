"""Reviews are history: the app's least-privilege role may add and read them, never change
or remove one; the disposal's own tables (people, concerns, cases) it may change."""

import psycopg
import pytest

from tests.security.test_database_roles import app_role, connect_as, role_name  # noqa: F401


def test_the_app_role_may_only_add_and_read_reviews_but_may_change_records(app_role):  # noqa: F811
    with connect_as(app_role) as app:
        privileges = app.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee = %s AND table_name = %s ORDER BY privilege_type",
            [app_role, "retention_retentionreview"],
        ).fetchall()
        person = app.execute(
            "SELECT has_table_privilege(%s, 'cases_person', 'UPDATE'),"
            " has_table_privilege(%s, 'cases_chronologyentry', 'DELETE')",
            [app_role, app_role],
        ).fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DELETE FROM retention_retentionreview")

    assert [name for (name,) in privileges] == ["INSERT", "SELECT"]
    assert person == (True, True)
