"""Append-only tables, enforced by the database itself on PostgreSQL and SQLite.

The application never updates or deletes these rows; a trigger makes sure that
nobody else does either (a raw SQL console, a buggy migration, a future view).
"""

from django.db.migrations.operations.base import Operation

TRIGGER_MARK = "append_only"
# Every append-only table the migrations declare, with its condition: filled as migrations load.
DECLARED = {}


class AppendOnly(Operation):
    """Migration operation: refuse UPDATE and DELETE on `table`.

    `when` optionally narrows the rule to some rows, as an SQL condition over
    OLD (for example ``"OLD.status = 'posted'"``); it must read the same on
    both databases.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, table, when=None):
        self.table = table
        self.when = when
        DECLARED[table] = when

    def state_forwards(self, app_label, state):
        pass

    def deconstruct(self):
        kwargs = {"table": self.table}
        if self.when:
            kwargs["when"] = self.when
        return (self.__class__.__qualname__, [], kwargs)

    def describe(self):
        return f"Make {self.table} append-only"

    @property
    def migration_name_fragment(self):
        return f"append_only_{self.table}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in create_statements(schema_editor.connection.vendor, self.table, self.when):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in drop_statements(schema_editor.connection.vendor, self.table):
            schema_editor.execute(statement)


def _message(table):
    return f"{table} is append-only: rows cannot be changed or deleted"


def create_statements(vendor, table, when=None):
    name = f"{table}_{TRIGGER_MARK}"
    if vendor == "postgresql":
        condition = f"WHEN ({when})" if when else ""
        return [
            f"""CREATE OR REPLACE FUNCTION {name}_refuse() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{_message(table)}'; END;
                $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW {condition} EXECUTE FUNCTION {name}_refuse()""",
            *truncate_statements(table),
        ]
    if vendor == "sqlite":
        condition = f"WHEN {when}" if when else ""
        return [
            f"""CREATE TRIGGER {name}_{action.lower()} BEFORE {action} ON {table} {condition}
                BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END"""
            for action in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"append-only tables are not implemented for {vendor}")


def truncate_statements(table):
    """PostgreSQL: refuse TRUNCATE, which empties a table without firing its row triggers.

    SQLite has no TRUNCATE (its "DELETE FROM t" fires the row triggers)."""
    name = f"{table}_{TRIGGER_MARK}"
    return [
        f"""CREATE OR REPLACE FUNCTION {name}_refuse_truncate() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only: it cannot be emptied'; END;
            $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {name}_truncate ON {table}",
        f"""CREATE TRIGGER {name}_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {name}_refuse_truncate()""",
    ]


def drop_truncate_statements(table):
    name = f"{table}_{TRIGGER_MARK}"
    return [f"DROP TRIGGER IF EXISTS {name}_truncate ON {table}", f"DROP FUNCTION IF EXISTS {name}_refuse_truncate()"]


def drop_statements(vendor, table):
    name = f"{table}_{TRIGGER_MARK}"
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}_refuse()",
                *drop_truncate_statements(table)]
    return [f"DROP TRIGGER IF EXISTS {name}_update", f"DROP TRIGGER IF EXISTS {name}_delete"]


def sqlite_append_only_triggers(connection):
    """The SQL of every append-only trigger in an SQLite database, by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"%{TRIGGER_MARK}%"],
        )
        return dict(cursor.fetchall())


def restore_sqlite_triggers(sender, using, **kwargs):
    """post_migrate: put back append-only and version triggers that SQLite lost when a migration rebuilt a table.

    SQLite cannot alter most columns in place, so Django rebuilds the table
    (create, copy, drop, rename) and the triggers on it silently disappear.
    PostgreSQL alters tables in place and keeps them.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    existing = sqlite_append_only_triggers(connection)
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, when in DECLARED.items():
            if table in tables and f"{table}_{TRIGGER_MARK}_update" not in existing:
                for statement in create_statements("sqlite", table, when):
                    cursor.execute(statement)
        versions = sqlite_version_triggers(connection)
        for table, version in sorted(WATCHED):
            if table in tables and f"{table}_{version}_changed_insert" not in versions:
                for statement in version_trigger_statements("sqlite", table, version):
                    cursor.execute(statement)


def postgresql_truncate_guarded_tables(connection):
    """The tables that have a TRUNCATE guard (truncate_statements) in a PostgreSQL database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
                       [f"%{TRIGGER_MARK}_truncate"])
        return {row[0].strip('"') for row in cursor.fetchall()}


def guard_postgresql_truncate(sender, using, **kwargs):
    """post_migrate: every append-only table refuses TRUNCATE on PostgreSQL, also those made append-only by
    migrations written before the guard existed, and any a later migration declares."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    guarded = postgresql_truncate_guarded_tables(connection)
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in DECLARED:
            if table in tables and table not in guarded:
                for statement in truncate_statements(table):
                    cursor.execute(statement)


# --- Versions: tokens the database changes with every write to some tables (estate.models.Version) -----------

# Every (table, version) pair the migrations declare with Watched: filled as migrations load.
WATCHED = set()


class Watched(Operation):
    """Migration operation: every INSERT, UPDATE and DELETE on `tables` changes the token of the version
    `version`, in the writer's own transaction (and TRUNCATE on PostgreSQL).

    The versions' rows themselves are written after every migrate and flush (estate.cached.migrated), each with a
    fresh token, so a migration only declares what a version watches.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, version, tables):
        self.version = version
        self.tables = tuple(tables)
        WATCHED.update((table, version) for table in self.tables)

    def state_forwards(self, app_label, state):
        pass

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"version": self.version, "tables": self.tables})

    def describe(self):
        return f"Change the {self.version} version with every write to {', '.join(self.tables)}"

    @property
    def migration_name_fragment(self):
        return f"watch_{self.version}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for table in self.tables:
            for statement in version_trigger_statements(schema_editor.connection.vendor, table, self.version):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for table in self.tables:
            for statement in drop_version_trigger_statements(schema_editor.connection.vendor, table, self.version):
                schema_editor.execute(statement)


def version_trigger_statements(vendor, table, name):
    """Make every INSERT, UPDATE and DELETE on `table` change the token of the version `name`, in the writer's
    own transaction (and TRUNCATE on PostgreSQL, where the triggers act once per statement)."""
    if vendor == "postgresql":
        return [
            """CREATE OR REPLACE FUNCTION estate_version_changed() RETURNS trigger AS $$
               BEGIN
                 UPDATE estate_version SET token = md5(random()::text || clock_timestamp()::text)
                 WHERE name = TG_ARGV[0];
                 RETURN NULL;
               END;
               $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_{name}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION estate_version_changed('{name}')""",
        ]
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER {table}_{name}_changed_{action.lower()} AFTER {action} ON {table}
                BEGIN UPDATE estate_version SET token = lower(hex(randomblob(16))) WHERE name = '{name}'; END"""
            for action in ("INSERT", "UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"versions are not implemented for {vendor}")


def drop_version_trigger_statements(vendor, table, name):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_{name}_changed ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_{name}_changed_{action}" for action in ("insert", "update", "delete")]


def sqlite_version_triggers(connection):
    """The names of every version trigger in an SQLite database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall() if "_changed_" in name}
