"""`flush`, aware of append-only tables.

PostgreSQL empties tables with TRUNCATE, which the append-only tables' statement
triggers refuse; SQLite empties them with DELETE, which their row triggers
refuse. So the triggers are set aside for the flush and put back after it, in
the same connection. Only a deliberate flush of the whole database (tests, a
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
            return self._flush_postgresql(connection, **options)
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

    def _flush_postgresql(self, connection, **options):
        guarded = postgresql_truncate_guarded_tables(connection)
        with connection.cursor() as cursor:
            for table in guarded:
                for statement in drop_truncate_statements(table):
                    cursor.execute(statement)
        try:
            return super().handle(**options)
        finally:
            present = postgresql_truncate_guarded_tables(connection)
            with connection.cursor() as cursor:
                for table in guarded - present:
                    for statement in truncate_statements(table):
                        cursor.execute(statement)
