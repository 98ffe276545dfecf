"""What `make run` does before it serves, in one process, skipping what is already done.

Starting Django costs about two seconds here (mostly imports), so the migration check, the
migration itself and the demo estate share one process instead of one each; and each step
prints what it cost, so a slow start names its culprit (docs/ARCHITECTURE.md, "Starting fast").
"""

import time
from contextlib import contextmanager

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations(connection):
    """The migrations `migrate` would apply: reading the django_migrations table, cheap."""
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [migration for migration, backwards in executor.migration_plan(targets) if not backwards]


class Command(BaseCommand):
    help = "Migrate if there are unapplied migrations and load the demo estate if the database is empty."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Never load the demo estate.")

    @contextmanager
    def _step(self, title):
        self.stdout.write(f"==> {title}")
        started = time.monotonic()
        yield
        self.stdout.write(f"    {time.monotonic() - started:.1f} s")

    def handle(self, *args, no_demo=False, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        pending = unapplied_migrations(connection)
        if pending:
            with self._step(f"Applying {len(pending)} migrations"):
                call_command("migrate", interactive=False, verbosity=0)
        else:
            self.stdout.write("==> Database up to date: no migration to apply")
        if not no_demo:
            with self._step("Loading the demo estate if the database is empty"):
                call_command("seed_demo", if_empty=True, stdout=self.stdout, stderr=self.stderr)
