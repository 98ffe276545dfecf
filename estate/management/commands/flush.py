"""`flush`, aware of append-only tables.

PostgreSQL empties tables with TRUNCATE, which row triggers do not see. SQLite
empties them with DELETE, which the append-only triggers rightly refuse; so on
SQLite the triggers are set aside for the flush and put back after it, in the
same connection. On PostgreSQL, the append-only tables' TRUNCATE guards
(estate.db.truncate_statements) are set aside and put back the same way; tables
that refuse TRUNCATE by decisions.db's triggers are emptied with their triggers
in replica mode, which only a superuser may set.
Only a deliberate flush of the whole database (tests, a
restore with --replace) gets here.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from estate.db import (
    drop_truncate_statements,
    postgresql_truncate_guarded_tables,
    sqlite_append_only_triggers,
    truncate_statements,
)


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            return self._handle_postgresql(connection, **options)
        if connection.vendor != "sqlite":
            return super().handle(**options)
        triggers = sqlite_append_only_triggers(connection)
        with connection.cursor() as cursor:
            for name in triggers:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        try:
            return super().handle(**options)
        finally:
            # flush's post_migrate may already have put them back (estate.db.restore_sqlite_triggers).
            present = sqlite_append_only_triggers(connection)
            with connection.cursor() as cursor:
                for name, sql in triggers.items():
                    if name not in present:
                        cursor.execute(sql)

    def _handle_postgresql(self, connection, **options):
        guarded_tables = postgresql_truncate_guarded_tables(connection)
        with connection.cursor() as cursor:
            for table in guarded_tables:
                for statement in drop_truncate_statements(table):
                    cursor.execute(statement)
        try:
            return self._handle_decisions_guards(connection, **options)
        finally:
            present = postgresql_truncate_guarded_tables(connection)
            with connection.cursor() as cursor:
                for table in guarded_tables - present:
                    for statement in truncate_statements(table):
                        cursor.execute(statement)

    def _handle_decisions_guards(self, connection, **options):
        from decisions.db import TRUNCATE_MARK

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname LIKE %s LIMIT 1", [f"%{TRUNCATE_MARK}"])
            guarded = cursor.fetchone() is not None
            if guarded:
                cursor.execute("SET session_replication_role = replica")
        try:
            return super().handle(**options)
        finally:
            if guarded:
                with connection.cursor() as cursor:
                    cursor.execute("RESET session_replication_role")
