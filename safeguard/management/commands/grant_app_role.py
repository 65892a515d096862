"""Give the application's PostgreSQL role what the app needs, and nothing more (issue 14).

The owner runs this after every `migrate` (docker-compose's `migrate` service does). Every
grant is taken back and given again in one transaction, so running it twice changes nothing
and a privilege someone added by hand does not survive it. A new table stays out of the
app's reach until it runs, which fails loudly; ALTER DEFAULT PRIVILEGES would instead hand
the next append-only table UPDATE and DELETE before anyone thought about it.

What the role gets:
- CONNECT on the database and USAGE on the schema: never CREATE, never ownership, so it
  cannot ALTER, DROP or disable a trigger on anything;
- SELECT, INSERT, UPDATE and DELETE on ordinary tables (no TRUNCATE, REFERENCES, TRIGGER);
- SELECT and INSERT only on append-only tables: those whose triggers call
  safeguard_audit_append_only() (safeguard/migrations/0003, 0007); audit events are written
  once by `audit.record` and never updated;
- SELECT only on django_migrations, so `migrate --check` works but only the owner migrates;
- USAGE and SELECT on sequences, which inserting needs.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from psycopg import sql

APPEND_ONLY_FUNCTION = "safeguard_audit_append_only"
# Written by `migrate` alone.
READ_ONLY_TABLES = {"django_migrations"}
# Any of these would let the role step round every grant below.
FORBIDDEN_ATTRIBUTES = ["SUPERUSER", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS"]


class Command(BaseCommand):
    help = (
        "Grant the app's database role exactly the privileges it needs. Run as the owner "
        "after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the app connects as (the user in its URL)")
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="create the role if it is missing and set its password from this environment "
            "variable (hashed here: the server never sees it); without it the role must exist",
        )

    def handle(self, *args, role: str, password_env: str | None, verbosity: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "grant_app_role is for PostgreSQL; SQLite (make run) has no roles to grant."
            )
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            # Before the migrations the append-only triggers may be missing, and the audit
            # table would be granted as an ordinary one.
            raise CommandError("Unapplied migrations: run `manage.py migrate` first.")

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if role == owner:
                raise CommandError(
                    f"{role} is the owner that runs migrations: the app needs a role of its own."
                )
            if password_env:
                self.create_or_set_password(cursor, role, password_env)
            self.check_least_privilege(cursor, role)
            counts = self.grant(cursor, role, database, schema)

        if verbosity:
            self.stdout.write(
                f"{role}: {counts['write']} tables read and written, {counts['append']} "
                f"append-only (insert and read), {counts['read']} read only."
            )

    def execute_sql(self, cursor, template: str, **names) -> None:
        statement = sql.SQL(template).format(
            **{
                key: value if isinstance(value, sql.Composable) else sql.Identifier(value)
                for key, value in names.items()
            }
        )
        cursor.execute(statement.as_string(connection.connection))

    def create_or_set_password(self, cursor, role: str, variable: str) -> None:
        password = os.environ.get(variable, "")
        if not password:
            raise CommandError(f"{variable} is empty: it must hold the app role's password.")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            self.execute_sql(cursor, "CREATE ROLE {role} LOGIN", role=role)
        # Hashed by libpq on this side, so the password is in no statement the server logs.
        hashed = connection.connection.pgconn.encrypt_password(
            password.encode(), role.encode(), b"scram-sha-256"
        )
        self.execute_sql(
            cursor,
            "ALTER ROLE {role} LOGIN PASSWORD {hashed}",
            role=role,
            hashed=sql.Literal(hashed.decode()),
        )

    def check_least_privilege(self, cursor, role: str) -> None:
        cursor.execute(
            "SELECT oid, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
            " FROM pg_roles WHERE rolname = %s",
            [role],
        )
        found = cursor.fetchone()
        if found is None:
            raise CommandError(
                f"There is no role {role}: create it (CREATE ROLE {role} LOGIN PASSWORD ...) "
                "or pass --password-env."
            )
        oid, *attributes = found
        held = [name for name, has in zip(FORBIDDEN_ATTRIBUTES, attributes, strict=True) if has]
        if held:
            raise CommandError(f"{role} has {', '.join(held)}: the app's role must have none.")
        # pg_shdepend records every object a role owns, here (dbid) or server-wide (0).
        cursor.execute(
            """
            SELECT count(*) FROM pg_shdepend
            WHERE refobjid = %s AND deptype = 'o'
              AND dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
            """,
            [oid],
        )
        (owned,) = cursor.fetchone()
        if owned:
            raise CommandError(
                f"{role} owns {owned} objects: an owner may alter, drop or disable the "
                "triggers of what it owns. Reassign them (REASSIGN OWNED BY) to the owner."
            )
        cursor.execute("SELECT roleid::regrole::text FROM pg_auth_members WHERE member = %s", [oid])
        member_of = [name for (name,) in cursor.fetchall()]
        if member_of:
            raise CommandError(
                f"{role} is a member of {', '.join(member_of)} and would hold their privileges."
            )

    def grant(self, cursor, role: str, database: str, schema: str) -> dict[str, int]:
        names = {"role": role, "database": database, "schema": schema}
        # PostgreSQL 15 no longer lets PUBLIC create in public; older servers and restored
        # dumps may, and the role is a member of PUBLIC.
        self.execute_sql(cursor, "REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC", **names)
        self.execute_sql(cursor, "REVOKE ALL ON SCHEMA {schema} FROM {role}", **names)
        self.execute_sql(cursor, "GRANT USAGE ON SCHEMA {schema} TO {role}", **names)
        self.execute_sql(cursor, "GRANT CONNECT ON DATABASE {database} TO {role}", **names)
        self.execute_sql(cursor, "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}", **names)
        self.execute_sql(
            cursor, "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}", **names
        )
        self.execute_sql(
            cursor, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}", **names
        )

        cursor.execute(
            """
            SELECT c.relname, c.relkind IN ('v', 'm') OR c.relname = ANY(%s),
                   EXISTS (SELECT 1 FROM pg_trigger t
                           WHERE t.tgrelid = c.oid AND t.tgfoid = %s::regproc)
            FROM pg_class c
            WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
            ORDER BY c.relname
            """,
            [sorted(READ_ONLY_TABLES), APPEND_ONLY_FUNCTION, schema],
        )
        counts = {"write": 0, "append": 0, "read": 0}
        for table, read_only, append_only in cursor.fetchall():
            if read_only:
                kind, privileges = "read", "SELECT"
            elif append_only:
                kind, privileges = "append", "SELECT, INSERT"
            else:
                kind, privileges = "write", "SELECT, INSERT, UPDATE, DELETE"
            self.execute_sql(
                cursor,
                f"GRANT {privileges} ON {{schema}}.{{table}} TO {{role}}",
                table=table,
                **names,
            )
            counts[kind] += 1

        cursor.execute(
            "SELECT has_schema_privilege(%s, %s, 'CREATE'),"
            " has_database_privilege(%s, %s, 'CREATE')",
            [role, schema, role, database],
        )
        if any(cursor.fetchone()):
            raise CommandError(
                f"{role} may still create objects in {database} (granted to PUBLIC or another "
                "role): revoke CREATE on the database and the schema."
            )
        return counts
