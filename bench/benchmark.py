#!/usr/bin/env python3
"""Figures for the budgets in DESIGN.md: server-side timings of pages and commands, in-process.

    .venv/bin/python bench/benchmark.py                    every section   (or: make benchmark)
    .venv/bin/python bench/benchmark.py dashboard healthz  the sections named
    .venv/bin/python bench/benchmark.py --list             the sections there are
    .venv/bin/python bench/benchmark.py --runs 100 ...     more runs per figure (default 50)

Each section runs in a throwaway database of its own: a temporary SQLite file, or, when DATABASE_URL
is set, a database "<name>_benchmark" created beside it on that server and dropped afterwards (the
database DATABASE_URL names is never touched). Settings are production's: DEBUG off.

Figures are printed, never asserted: timings depend on the machine and are not tests.

Adding a section: a function decorated with @section, named after what it measures, that makes the
data it needs (load_demo() gives the demo estate) and calls measure_page() for a page or measure()
for anything else:

    @section
    def ledger_page():
        ...make 50 entries...
        measure_page("ledger, 50 rows", reverse("ledger:journal"), user=demo_user("treasurer"))
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
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECTIONS = {}
RUNS = 50


def section(function):
    """Register a section under its function's name, in the order of this file."""
    SECTIONS[function.__name__] = function
    return function


def measure(label, function, *, runs=None, rollback=False):
    """Time function(): print the median over the runs and the queries of one run.

    With rollback=True each run happens in a transaction that is rolled back, so that a command
    that changes the database (bill_month) meets the same data every time.
    """
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def once():
        if not rollback:
            return function()
        with transaction.atomic():
            function()
            transaction.set_rollback(True)

    runs = runs or RUNS
    for _ in range(min(3, runs)):  # warm caches: templates, translations, the connection
        once()
    with CaptureQueriesContext(connection) as captured:
        once()
    queries = len(captured)  # now: the next request empties the connection's log
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"{label}: median {statistics.median(timings):.1f} ms over {runs} runs "
        f"(fastest {min(timings):.1f} ms), {queries} {'query' if queries == 1 else 'queries'}",
        flush=True,
    )


def measure_page(label, url, *, user=None, status=200, runs=None):
    """Time GET url as user (None: anonymous), through the whole middleware stack."""
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)

    def get():
        response = client.get(url)
        if response.status_code != status:
            raise SystemExit(f"{label}: {url} answered {response.status_code}, expected {status}")

    measure(label, get, runs=runs)


def load_demo():
    """The demo estate: 56 households, 4500.00 m², a login for every role."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def demo_user(username):
    from accounts.models import User

    return User.objects.get(username=username)


# --- Sections -----------------------------------------------------------------


@section
def healthz():
    measure_page("GET /healthz", "/healthz")


@section
def dashboard():
    from django.urls import reverse

    load_demo()
    for username in ("chair", "treasurer", "head1", "volunteer", "resident"):
        measure_page(f"dashboard as {username}, demo estate", reverse("estate:dashboard"), user=demo_user(username))


def make_households(count, *, area=Decimal("80.35")):
    """`count` households in buildings of 500, created in bulk."""
    from estate.models import Building, Household

    households = []
    for number in range(count):
        building, rest = divmod(number, 500)
        b, _ = Building.objects.get_or_create(code=f"B{building + 1}", defaults={"name": f"{building + 1}栋"})
        entrance, room = divmod(rest, 100)
        household = Household(building=b, entrance=str(entrance + 1), floor=room // 4 + 1,
                              room=f"{room // 4 + 1}{room % 4 + 1:02d}", area=area)
        household.code = Household.make_code(b.code, household.entrance, household.room)
        households.append(household)
    Household.objects.bulk_create(households, batch_size=1000)


def make_treasurer():
    from accounts.models import Role, User

    user = User.objects.create_user(username="bench-treasurer", name="会计")
    Role.objects.create(user=user, kind=Role.Kind.TREASURER)
    return user


@section
def bill_month():
    """Budget: bill_month for 5,000 households in at most 2 s."""
    from datetime import date

    from ledger.models import FeeRate
    from ledger.services import month_bill

    make_households(5000)
    FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2026, 1, 1))
    january = date(2026, 1, 1)
    measure("bill_month, 5,000 households (budget 2000 ms)", lambda: month_bill(month=january, by=None),
            runs=5, rollback=True)
    month_bill(month=january, by=None)
    measure("bill_month again, nobody left to bill", lambda: month_bill(month=january, by=None), runs=5)


@section
def ledger_page():
    """Budget: a 50-row ledger page in at most 15 ms of server time (median, in-process)."""
    from datetime import date

    from django.core.signals import request_finished
    from django.db import close_old_connections

    from estate.models import Household
    from ledger.models import FeeRate, add_months
    from ledger.services import month_bill, payment_record

    # A server keeps its database connection between requests (CONN_MAX_AGE); so does this measurement.
    request_finished.disconnect(close_old_connections)
    make_households(56)
    treasurer = make_treasurer()
    FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2024, 1, 1))
    households = list(Household.objects.all())
    for n in range(24):
        month = add_months(date(2024, 1, 1), n)
        month_bill(month=month, by=treasurer)
        for household in households:
            payment_record(household=household, amount=Decimal("31.34"), method="wechat", by=treasurer,
                           idempotency_key=f"{month}-{household.pk}", date=month.replace(day=10))
    measure_page("ledger page, 50 rows (budget 15 ms)", "/ledger/journal/", user=treasurer)
    measure_page("household statement, 24 months", f"/ledger/households/{households[0].pk}/", user=treasurer)
    measure_page("public accounts, a year", "/ledger/accounts/?year=2025", user=treasurer)


@section
def notice():
    """Budget: the monthly notice (up to 4 pages) renders to PDF in at most 0.5 s; a posted one is served as stored."""
    from django.urls import reverse

    from ledger.models import MonthlyNotice
    from ledger.notice import notice_data, render_notice_pdf

    load_demo()
    month = MonthlyNotice.objects.order_by("-month").values_list("month", flat=True).first()
    data = notice_data(month)
    for extra in (0, 45, 110):
        # More expense lines in the month make the notice run to more pages.
        sample = {**data, "expenses": data["expenses"] + data["expenses"][:1] * extra}
        pages = _pages(render_notice_pdf(sample, code="benchmark"))
        measure(f"notice PDF, {len(sample['expenses'])} expense lines, {pages} pages (budget 500 ms)",
                lambda sample=sample: render_notice_pdf(sample, code="benchmark"), runs=10)
    measure_page(f"posted notice {month:%Y-%m}, PDF served as stored",
                 reverse("ledger:notice-pdf", args=[f"{month:%Y-%m}"]), user=demo_user("treasurer"))


def _pages(pdf):
    """How many pages a PDF has (poppler's pdfinfo), or '?' without it."""
    import shutil
    import subprocess

    if not shutil.which("pdfinfo"):
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))


# --- Running ------------------------------------------------------------------


def _configure(workdir):
    """Production settings with a throwaway key, plain HTTP and files in workdir, before Django starts."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "estate.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "MEDIA_ROOT": str(workdir / "media"),
    })
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(24).hex())
    # WhiteNoise looks for collected static files, which a benchmark does without.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)


@contextlib.contextmanager
def _throwaway_database(workdir):
    from django.db import connection

    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = (
        str(workdir / "benchmark.sqlite3") if connection.vendor == "sqlite" else f"{real_name}_benchmark"
    )
    with contextlib.redirect_stdout(io.StringIO()):  # "Cache table ... already exists" (a migration made it)
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(real_name, verbosity=0)


def main(argv=None):
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", help="sections to run (default: all)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per figure (default {RUNS})")
    parser.add_argument("--list", action="store_true", help="list the sections and stop")
    options = parser.parse_args(argv)
    if options.list:
        print("\n".join(SECTIONS))
        return
    unknown = [name for name in options.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"no section {', '.join(unknown)}; there are: {', '.join(SECTIONS)}")
    RUNS = options.runs

    with tempfile.TemporaryDirectory(prefix="jiayuan-benchmark-") as workdir:
        _configure(Path(workdir))
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        # Without collectstatic: unhashed static URLs, as with DEBUG on; no difference to the timings.
        settings.STORAGES = {**settings.STORAGES,
                             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        for name in options.sections or SECTIONS:
            print(f"== {name} ({connection.vendor})", flush=True)
            with _throwaway_database(Path(workdir)):
                SECTIONS[name]()


if __name__ == "__main__":
    main()
