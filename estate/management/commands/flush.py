"""`flush`, aware of append-only tables.

PostgreSQL empties tables with TRUNCATE, which row triggers do not see. SQLite
empties them with DELETE, which the append-only triggers rightly refuse; so on
SQLite the triggers are set aside for the flush and put back after it, in the
same connection. Only a deliberate flush of the whole database (tests, a
restore with --replace) gets here.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from estate.db import sqlite_append_only_triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
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
