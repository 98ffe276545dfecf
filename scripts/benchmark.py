#!/usr/bin/env python3
"""Server-side timings of Jiayuan's pages and commands, measured in-process (DESIGN.md's budgets).

    .venv/bin/python scripts/benchmark.py                    every section
    .venv/bin/python scripts/benchmark.py dashboard healthz  the sections named
    .venv/bin/python scripts/benchmark.py --list             the sections there are
    .venv/bin/python scripts/benchmark.py --runs 100 ...     more runs per figure (default 50)

It runs against a throwaway database loaded with the demo estate: an SQLite file in a temporary
folder, or, when DATABASE_URL is set, a new database "<name>_benchmark" on that server, dropped at
the end (the database DATABASE_URL names is never touched). Settings are production's: DEBUG off.

Figures are printed, never asserted: timings depend on the machine and are not tests.

Adding a section: write a function below taking the Bench, decorated with @section("name"), that
makes the data it needs and calls bench.page(...) for a page or bench.call(...) for anything else,
for example:

    @section("ledger")
    def ledger_page(bench):
        ...make 50 entries...
        bench.page("ledger, 50 rows", reverse("ledger:journal"), user=bench.user("treasurer"))
"""

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECTIONS = {}


def section(name):
    """Register a benchmark section under `name`, in the order of this file."""

    def register(func):
        SECTIONS[name] = func
        return func

    return register


class Bench:
    def __init__(self, runs):
        self.runs = runs

    def user(self, username):
        from accounts.models import User

        return User.objects.get(username=username)

    def page(self, label, url, *, user=None, status=200):
        """Time GET `url` (as `user`, or anonymous): median over the runs, and its query count."""
        from django.test import Client

        client = Client()
        if user is not None:
            client.force_login(user)

        def get():
            response = client.get(url)
            if response.status_code != status:
                raise SystemExit(f"{label}: {url} answered {response.status_code}, expected {status}")

        self.call(label, get)

    def call(self, label, func, *, rollback=False):
        """Time func(): median over the runs, and the queries of one run.

        With rollback=True each run happens in a transaction that is rolled back, so that a
        command that changes the database (bill_month) meets the same data every time.
        """
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        def once():
            if not rollback:
                return func()
            with transaction.atomic():
                func()
                transaction.set_rollback(True)

        for _ in range(3):  # warm caches: templates, translations, the connection
            once()
        with CaptureQueriesContext(connection) as captured:
            once()
        queries = len(captured)  # now: the next request empties the connection's log
        timings = []
        for _ in range(self.runs):
            start = time.perf_counter()
            once()
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{label}: median {statistics.median(timings):.1f} ms over {self.runs} runs "
            f"(fastest {min(timings):.1f} ms), {queries} {'query' if queries == 1 else 'queries'}",
            flush=True,
        )


# --- Sections -----------------------------------------------------------------


@section("healthz")
def healthz(bench):
    bench.page("GET /healthz", "/healthz")


@section("dashboard")
def dashboard(bench):
    from django.urls import reverse

    for username in ("chair", "treasurer", "head1", "volunteer", "resident"):
        bench.page(f"dashboard as {username}, demo estate (56 households)", reverse("estate:dashboard"),
                   user=bench.user(username))


# --- Running ------------------------------------------------------------------


def _configure(media_root):
    """Production settings with a throwaway key and plain HTTP, before Django starts."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "estate.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "MEDIA_ROOT": str(media_root),
    })
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(24).hex())
    # WhiteNoise looks for collected static files, which a benchmark does without.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", help="sections to run (default: all)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per figure (default 50)")
    parser.add_argument("--list", action="store_true", help="list the sections and stop")
    options = parser.parse_args(argv)
    if options.list:
        print("\n".join(SECTIONS))
        return
    unknown = [name for name in options.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"no section {', '.join(unknown)}; there are: {', '.join(SECTIONS)}")

    with tempfile.TemporaryDirectory(prefix="jiayuan-benchmark-") as workdir:
        _configure(Path(workdir) / "media")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        # No collectstatic here: static URLs unhashed, as with DEBUG on; it makes no difference to timings.
        settings.STORAGES = {**settings.STORAGES,
                             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        real_name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = (
            str(Path(workdir) / "benchmark.sqlite3") if connection.vendor == "sqlite" else f"{real_name}_benchmark"
        )
        print(f"Setting up a throwaway {connection.vendor} database with the demo estate...", flush=True)
        with contextlib.redirect_stdout(io.StringIO()):  # "Cache table ... already exists" (the migration made it)
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            call_command("seed_demo", stdout=io.StringIO())
            for name in options.sections or SECTIONS:
                SECTIONS[name](Bench(options.runs))
        finally:
            connection.creation.destroy_test_db(real_name, verbosity=0)


if __name__ == "__main__":
    main()
