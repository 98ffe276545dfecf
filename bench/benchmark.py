#!/usr/bin/env python3
"""Figures for the budgets in docs/ARCHITECTURE.md ("Budgets"): server-side timings of pages and commands,
in-process.

The budgets ask for the estate at 56 and at 5,000 households with ten years of books (sections estate_56 and
estate_5000, built by bench/history.py through the ledger's own services), and for the monthly notice at 1, 2
and 4 pages and served once posted (section notice).

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
import re
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
YEARS = 10  # of history behind the estates at scale (docs/ARCHITECTURE.md, "Budgets")


def section(function):
    """Register a section under its function's name, in the order of this file."""
    SECTIONS[function.__name__] = function
    return function


def measure(label, function, *, runs=None, rollback=False, slowest=False):
    """Time function(): print the median over the runs and the queries of one run.

    With rollback=True each run happens in a transaction that is rolled back, so that a command
    that changes the database (bill_month) meets the same data every time. With slowest=True the
    slowest query of that run is printed too, to show where the time goes.
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
    worst = max(captured.captured_queries, key=lambda query: float(query["time"]), default=None)
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
    if slowest and worst is not None:
        sql = re.sub(r"IN \((\d+, )+\d+\)", "IN (...)", worst["sql"])
        print(f"  its slowest query, {float(worst['time']) * 1000:.0f} ms: {sql[:600]}", flush=True)


def measure_page(label, url, *, user=None, status=200, runs=None):
    """Time GET url as user (None: anonymous), through the whole middleware stack."""
    client = _client(user)

    def get():
        response = client.get(url)
        if response.status_code != status:
            raise SystemExit(f"{label}: {url} answered {response.status_code}, expected {status}")

    measure(label, get, runs=runs)


def _client(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def load_demo():
    """The demo estate: 56 households, 4500.00 m², a login for every role."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def demo_user(username):
    from accounts.models import User

    return User.objects.get(username=username)


@contextlib.contextmanager
def kept_connection():
    """A server keeps its database connection between requests (CONN_MAX_AGE); so does the measurement."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_finished.connect(close_old_connections)


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
        household = Household(
            building=b,
            entrance=str(entrance + 1),
            floor=room // 4 + 1,
            room=f"{room // 4 + 1}{room % 4 + 1:02d}",
            area=area,
        )
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
    measure(
        "bill_month, 5,000 households (budget 2000 ms)",
        lambda: month_bill(month=january, by=None),
        runs=5,
        rollback=True,
    )
    month_bill(month=january, by=None)
    measure("bill_month again, nobody left to bill", lambda: month_bill(month=january, by=None), runs=5)


@section
def ledger_page():
    """Budget: a 50-row ledger page in at most 15 ms of server time (median, in-process)."""
    from datetime import date

    from estate.models import Household
    from ledger.models import FeeRate, add_months
    from ledger.services import month_bill, payment_record

    make_households(56)
    treasurer = make_treasurer()
    FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2024, 1, 1))
    households = list(Household.objects.all())
    for n in range(24):
        month = add_months(date(2024, 1, 1), n)
        month_bill(month=month, by=treasurer)
        for household in households:
            payment_record(
                household=household,
                amount=Decimal("31.34"),
                method="wechat",
                by=treasurer,
                idempotency_key=f"{month}-{household.pk}",
                date=month.replace(day=10),
            )
    with kept_connection():
        measure_page("ledger page, 50 rows (budget 15 ms)", "/ledger/journal/", user=treasurer)
        measure_page("household statement, 24 months", f"/ledger/households/{households[0].pk}/", user=treasurer)
        measure_page("public accounts, a year", "/ledger/accounts/?year=2025", user=treasurer)


@section
def estate_56():
    """The model estate's 56 households with ten years of books, every month closed and its
    notice posted, as the committee does."""
    at_scale(56, close=True)


@section
def estate_5000():
    """5,000 households with ten years of books. The months are left open: closing one
    renders its notice, whose list of arrears runs to dozens of pages at this size (seconds a month)."""
    at_scale(5000, close=False)


def at_scale(count, *, close):
    """Build the estate, check its books, then time the ledger page, the longest household statement,
    a trivial view for comparison, and billing a month that is not billed yet."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from bench.history import build_estate
    from estate.models import Household
    from ledger.checks import first_violation
    from ledger.models import Charge, Payment, Transaction
    from ledger.services import month_bill

    start = time.perf_counter()
    estate = build_estate(count, years=YEARS, close=close)
    phases = ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in estate.seconds.items())
    print(
        f"built {count:,} households with {estate.months} months of books "
        f"({estate.first_month:%Y-%m} to {estate.last_month:%Y-%m}{', closed' if close else ', open'}) "
        f"in {time.perf_counter() - start:.0f} s ({phases}): {Transaction.objects.count():,} transactions, "
        f"{Charge.objects.count():,} charges, {Payment.objects.count():,} payments",
        flush=True,
    )

    start = time.perf_counter()
    violation = first_violation()
    outcome = "passed: every invariant holds" if violation is None else f"FAILED: {violation}"
    print(f"check_ledger {outcome} ({time.perf_counter() - start:.1f} s)", flush=True)

    # The statement with the most lines: the household that pays every month.
    longest = Household.objects.annotate(lines=Count("payments")).order_by("-lines", "pk").first()
    months = Charge.objects.filter(household=longest).count()
    with kept_connection():
        measure_page("GET /healthz, trivial view, same database", "/healthz")
        measure_page("ledger page, 50 rows (budget 15 ms)", reverse("ledger:journal"), user=estate.treasurer)
        measure_page(
            f"household statement, {months} months, {longest.lines} payments",
            reverse("ledger:household", args=[longest.pk]),
            user=estate.treasurer,
        )
        # A closed month's notice is served as stored; an open month's is rendered when asked for.
        last = reverse("ledger:notice-pdf", args=[f"{estate.last_month:%Y-%m}"])
        pages = _pages(_client(estate.treasurer).get(last).content)
        measure_page(
            f"notice {estate.last_month:%Y-%m} PDF, {pages} pages, "
            f"{'posted, served as stored' if close else 'open month, drafted on request'}",
            last,
            user=estate.treasurer,
            runs=None if close else 3,
        )
    new_month = timezone.localdate().replace(day=1)
    measure(
        f"bill_month {new_month:%Y-%m}, {count:,} households (budget 2000 ms)",
        lambda: month_bill(month=new_month, by=estate.treasurer),
        runs=5,
        rollback=True,
        slowest=True,
    )


@section
def notice():
    """Budget: the monthly notice (up to 4 pages) renders to PDF in at most 0.5 s; a posted one is served as stored.

    A demo month's notice runs to three pages (income lines, budget, arrears, key hand-overs). For other
    lengths the demo month is emptied of those lines (a quiet month: balances, fees, expenses) and given
    as many expense lines as the pages hold, counted with pdfinfo.
    """
    from django.urls import reverse

    from ledger.models import MonthlyNotice
    from ledger.notice import notice_data, notice_pdf, render_notice_pdf

    load_demo()
    month = MonthlyNotice.objects.order_by("-month").values_list("month", flat=True).first()
    data = notice_data(month)

    def render(sample):
        return render_notice_pdf(sample, code="benchmark")

    measure(
        f"notice PDF, demo month {month:%Y-%m}: {len(data['expenses'])} expense lines, "
        f"{_pages(render(data))} pages (budget 500 ms)",
        lambda: render(data),
        runs=10,
    )
    quiet = {**data, "income_lines": [], "fund_balances": [], "funds": [], "budget": [], "arrears": [], "keys": []}
    lines = data["expenses"]

    def with_lines(count):
        return {**quiet, "expenses": [lines[n % len(lines)] for n in range(count)]}

    for pages in (1, 2, 4):
        count = _most_lines_on(pages, lambda count: _pages(render(with_lines(count))))
        if count is None:
            print(
                f"notice PDF, {pages} page(s): none; with no expense lines at all the notice runs to "
                f"{_pages(render(with_lines(0)))} pages",
                flush=True,
            )
            continue
        sample = with_lines(count)
        measure(
            f"notice PDF, {count} expense lines, {_pages(render(sample))} pages (budget 500 ms)",
            lambda sample=sample: render(sample),
            runs=10,
        )
    treasurer = demo_user("treasurer")
    posted_pdf, _posted = notice_pdf(month)
    measure_page(
        f"posted notice {month:%Y-%m}, PDF served as stored, {_pages(posted_pdf)} pages",
        reverse("ledger:notice-pdf", args=[f"{month:%Y-%m}"]),
        user=treasurer,
    )
    measure_page(
        f"posted notice {month:%Y-%m}, its page", reverse("ledger:notice", args=[f"{month:%Y-%m}"]), user=treasurer
    )


def _most_lines_on(pages, pages_with):
    """The most lines that `pages_with(lines)` still fits on `pages` pages, or None if not even none do."""
    if pages_with(0) > pages:
        return None
    fits, too_many = 0, 8
    while pages_with(too_many) <= pages:
        fits, too_many = too_many, too_many * 2
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        fits, too_many = (middle, too_many) if pages_with(middle) <= pages else (fits, middle)
    return fits


def _pages(pdf):
    """How many pages a PDF has, by poppler's pdfinfo (make system-deps installs it)."""
    import subprocess

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


# --- Running ------------------------------------------------------------------


def _configure(workdir):
    """Production settings with a throwaway key, plain HTTP and files in workdir, before Django starts."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "estate.settings",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "MEDIA_ROOT": str(workdir / "media"),
        }
    )
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
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        for name in options.sections or SECTIONS:
            print(f"== {name} ({connection.vendor})", flush=True)
            with _throwaway_database(Path(workdir)):
                SECTIONS[name]()


if __name__ == "__main__":
    main()
