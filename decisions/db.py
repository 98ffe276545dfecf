"""TRUNCATE refused on PostgreSQL, beside estate.db.AppendOnly's row triggers.

A row trigger does not see TRUNCATE, which empties a table in one statement;
a statement-level trigger does. SQLite has no TRUNCATE: its `DELETE FROM t`
runs the row triggers (SQLite skips its truncate shortcut when a table has
triggers), which AppendOnly already has. The project's `flush` command sets
these triggers aside for a deliberate flush of the whole database.
"""

from django.db.migrations.operations.base import Operation

TRUNCATE_MARK = "no_truncate"


class RefuseTruncate(Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, table):
        self.table = table

    def state_forwards(self, app_label, state):
        pass

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"table": self.table})

    def describe(self):
        return f"Refuse TRUNCATE of {self.table}"

    @property
    def migration_name_fragment(self):
        return f"no_truncate_{self.table}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        name = f"{self.table}_{TRUNCATE_MARK}"
        schema_editor.execute(
            f"""CREATE OR REPLACE FUNCTION {name}_refuse() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{self.table} is append-only: it cannot be truncated'; END;
                $$ LANGUAGE plpgsql"""
        )
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {self.table} FOR EACH STATEMENT EXECUTE FUNCTION {name}_refuse()"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        name = f"{self.table}_{TRUNCATE_MARK}"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {self.table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}_refuse()")
