#!/usr/bin/env python3
"""Figures for the budgets in docs/ARCHITECTURE.md ("Budgets"): server-side timings of pages and commands,
in-process and over HTTP, ending with one table (figure, budget, measured, within budget or not), which is
also written to test-artifacts/benchmark.md.

    .venv/bin/python bench/benchmark.py                    every section   (or: make benchmark)
    .venv/bin/python bench/benchmark.py notice http        the sections named
    .venv/bin/python bench/benchmark.py --list             the sections there are
    .venv/bin/python bench/benchmark.py --runs 100 ...     more runs per figure (default 50)

Sections: bill_month (5,000 households), ledger_page (50 rows), notice (fresh PDFs of 1 to 4 pages),
estate_56 and estate_5000 (the same history at 56 households × 1 year and at 5,000 × 10 years, written in
bulk by bench/history.py; check_ledger, the journal's first and last page in every order, a statement,
arrears, the dashboards and the public accounts, each at most twice its time in the small estate), http
(gunicorn with 2 workers: every menu page of a resident and of the chair as a share of a bare view's
requests per second).

Each section runs in a throwaway database of its own: a temporary SQLite file, or, when DATABASE_URL
is set, a database "<name>_benchmark" created beside it on that server and dropped afterwards (the
database DATABASE_URL names is never touched). Settings are production's: DEBUG off, nothing cached
between runs of a page but what the app itself caches.

Figures are printed, never asserted: timings depend on the machine and are not tests.

Adding a section: a function decorated with @section, named after what it measures, that makes the
data it needs (load_demo() gives the demo estate) and calls measure_page() for a page or measure()
for anything else, and budget() for a line of the final table:

    @section
    def ledger_page():
        ...make 50 entries...
        ms = measure_page("ledger, 50 rows", reverse("ledger:journal"), user=demo_user("treasurer"))
        budget("50-row ledger page", "≤ 15 ms", ms, ms <= 15)
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
YEARS = 10  # of history behind the estate at scale (docs/ARCHITECTURE.md, "Budgets")
RESULTS = []  # the final table: (figure, budget, measured, within budget: True, False or None for a figure only)
AT_SCALE = {}  # "56" or "5000" → {page: median ms}, for the comparison of the two estates
REPORT = BASE_DIR / "test-artifacts" / "benchmark.md"


def section(function):
    """Register a section under its function's name, in the order of this file."""
    SECTIONS[function.__name__] = function
    return function


def budget(figure, limit, measured, within):
    """A line of the final table. `within` is None for a figure that has no budget of its own."""
    RESULTS.append((figure, limit, measured, within))


def measure(label, function, *, runs=None, rollback=False, slowest=False, seconds=None, before=None):
    """Time function(): print the median over the runs and the queries of one run; return the median in ms.

    With rollback=True each run happens in a transaction that is rolled back, so that a command
    that changes the database (bill_month) meets the same data every time. With slowest=True the
    slowest query of that run is printed too, to show where the time goes. With `seconds`, runs stop
    once that much time is spent (at least three): a slow page at scale is timed fewer times. `before`, if given,
    runs untimed before each run (to empty a cache).
    """
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def run():
        if not rollback:
            return function()
        with transaction.atomic():
            function()
            transaction.set_rollback(True)

    def once():
        if before is not None:
            before()
        run()

    runs = runs or RUNS
    for _ in range(min(2 if seconds else 3, runs)):  # warm caches: templates, translations, the connection
        once()
    with CaptureQueriesContext(connection) as captured:
        once()
    queries = len(captured)  # now: the next request empties the connection's log
    worst = max(captured.captured_queries, key=lambda query: float(query["time"]), default=None)
    timings = []
    started = time.perf_counter()
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
        if seconds and len(timings) >= 3 and time.perf_counter() - started > seconds:
            break
    median = statistics.median(timings)
    print(
        f"{label}: median {median:.1f} ms over {len(timings)} runs "
        f"(fastest {min(timings):.1f} ms), {queries} {'query' if queries == 1 else 'queries'}",
        flush=True,
    )
    if slowest and worst is not None:
        sql = re.sub(r"IN \((\d+, )+\d+\)", "IN (...)", worst["sql"])
        print(f"  its slowest query, {float(worst['time']) * 1000:.0f} ms: {sql[:600]}", flush=True)
    return median


class PageRefused(Exception):
    """A page answered otherwise than expected: its figure is missing from the table, and says why."""


def forget_kept():
    """Empty what pages keep between requests (kept figures, kept lists): the next request computes afresh."""
    from django.core.cache import caches

    caches["figures"].clear()
    caches["lists"].clear()
    caches["panels"].clear()


def measure_page(label, url, *, user=None, status=200, runs=None, seconds=None, uncached=False):
    """Time GET url as user (None: anonymous), through the whole middleware stack; the median in ms.
    `uncached`: what is kept between requests is emptied (untimed) before each one."""
    client = _client(user)

    def get():
        response = client.get(url)
        if response.status_code != status:
            raise PageRefused(f"{url} answered {response.status_code}, expected {status}")

    return measure(label, get, runs=runs, seconds=seconds, before=forget_kept if uncached else None)


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
    ms = measure(
        "bill_month, 5,000 households (budget 2000 ms)",
        lambda: month_bill(month=january, by=None),
        runs=5,
        rollback=True,
    )
    budget("bill_month, 5,000 households, no history", "≤ 2000 ms", f"{ms:.0f} ms", ms <= 2000)
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
        ms = measure_page("ledger page, 50 rows (budget 15 ms)", "/ledger/journal/", user=treasurer)
        budget("ledger page, 50 rows, in-process", "≤ 15 ms", f"{ms:.1f} ms", ms <= 15)
        measure_page("household statement, 24 months", f"/ledger/households/{households[0].pk}/", user=treasurer)
        measure_page("public accounts, a year", "/ledger/accounts/?year=2025", user=treasurer)


@section
def notice():
    """Budget: the monthly notice (up to 4 pages) renders to PDF in at most 0.5 s; a posted one is served as stored.

    A demo month's notice runs to four pages (income lines, budget, arrears, repairs, key hand-overs). For other
    lengths the demo month is emptied of those lines (a quiet month: balances, fees, expenses) and given
    as many expense lines as the pages hold, counted with pdfinfo. Then where a notice's time goes, the posted
    notice and the next month's draft as served (the draft made afresh and kept), and what `manage.py render_notice`
    costs from a fresh process (importing weasyprint and its first render included).
    """
    from django.urls import reverse

    from ledger.models import MonthlyNotice, add_months
    from ledger.notice import notice_data, notice_pdf, render_notice_pdf

    load_demo()
    month = MonthlyNotice.objects.order_by("-month").values_list("month", flat=True).first()
    data = notice_data(month)

    def render(sample):
        return render_notice_pdf(sample, code="benchmark")

    pages = _pages(render(data))
    ms = measure(
        f"notice PDF, demo month {month:%Y-%m}: {len(data['expenses'])} expense lines, {pages} pages (budget 500 ms)",
        lambda: render(data),
        runs=10,
    )
    budget(f"fresh notice PDF, demo month, {pages} pages, in-process", "≤ 500 ms", f"{ms:.0f} ms", ms <= 500)
    _notice_phases(data)
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
        ms = measure(
            f"notice PDF, {count} expense lines, {_pages(render(sample))} pages (budget 500 ms)",
            lambda sample=sample: render(sample),
            runs=10,
        )
        budget(
            f"fresh notice PDF, {pages} page{'s' if pages > 1 else ''} ({count} expense lines), in-process",
            "≤ 500 ms",
            f"{ms:.0f} ms",
            ms <= 500,
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
    draft = add_months(month, 1)
    for label, name in (("its page", "ledger:notice"), ("its PDF", "ledger:notice-pdf")):
        for uncached in (True, False):
            measure_page(
                f"draft notice {draft:%Y-%m}, {label}, {'uncached' if uncached else 'kept'}",
                reverse(name, args=[f"{draft:%Y-%m}"]), user=treasurer, uncached=uncached,
                runs=10 if uncached and name == "ledger:notice-pdf" else None,
            )
    seconds = _render_notice_command(draft)
    budget(f"manage.py render_notice {draft:%Y-%m} (a draft), fresh process", "-", f"{seconds:.2f} s", None)


def _notice_phases(data, runs=10):
    """Print the median time of each step of the demo month's notice: the template, weasyprint's HTML parse,
    its styles and layout, and drawing the pages and writing the PDF (the fonts subset included)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from estate import pdf
    from ledger.notice import _context

    steps = {"template": [], "HTML parse": [], "styles and layout": [], "drawing and PDF": []}
    font_config, stylesheets = pdf._stylesheets()
    base_url = pdf._static_roots()[0].as_uri() + "/"
    for _ in range(runs):
        with pdf._cycle_collection_paused(), translation.override(settings.LANGUAGE_CODE):
            start = time.perf_counter()
            html = render_to_string("ledger/notice_pdf.html", _context(data, code="benchmark"))
            parsing = time.perf_counter()
            document = HTML(string=html, base_url=base_url, url_fetcher=pdf._fetcher())
            laying_out = time.perf_counter()
            rendered = document.render(stylesheets=stylesheets, font_config=font_config)
            drawing = time.perf_counter()
            rendered.write_pdf()
            end = time.perf_counter()
        for step, seconds in zip(
            steps.values(), (parsing - start, laying_out - parsing, drawing - laying_out, end - drawing), strict=True
        ):
            step.append(seconds * 1000)
    print(
        "  where its time goes: "
        + ", ".join(f"{name} {statistics.median(times):.0f} ms" for name, times in steps.items()),
        flush=True,
    )


def _render_notice_command(month, runs=3):
    """The median wall time of `manage.py render_notice` for a month, each run in a process of its own, with no
    draft kept from before (ledger.notice.notice_pdf keeps it in the shared cache): importing weasyprint and the
    render are what this figure is about."""
    import subprocess

    environment = {**os.environ, "DATABASE_URL": _database_url()}
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            forget_kept()
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    str(BASE_DIR / "manage.py"),
                    "render_notice",
                    f"{month:%Y-%m}",
                    "--output",
                    str(Path(folder) / "notice.pdf"),
                ],
                env=environment,
                cwd=BASE_DIR,
                capture_output=True,
                check=True,
            )
            timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(
        f"manage.py render_notice {month:%Y-%m} in a fresh process: median {median:.2f} s over {runs} runs "
        f"(fastest {min(timings):.2f} s)",
        flush=True,
    )
    return median


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


@section
def estate_56():
    """The model estate's 56 households with one year of books: what each page costs before the books age."""
    at_scale(56, years=1)


@section
def estate_5000():
    """5,000 households with ten years of books (56,000 transactions, 600,000 charges, 48,000 payments), written
    in bulk. The months are left open, as in estate_56: closing one renders its notice, whose list of arrears
    runs to dozens of pages at this size."""
    at_scale(5000, years=YEARS)


# The journal's orders (ledger.views_committee.JOURNAL_ORDERS): each is timed at its first and its last page.
JOURNAL_SORTS = ("-seq", "seq", "-date", "date", "-amount", "amount")


def at_scale(count, *, years):
    """Build the estate in bulk, check its books, then time the pages whose cost must not grow with the books."""
    from django.urls import reverse

    from accounts.models import Role, User
    from bench.history import build_estate
    from ledger.checks import first_violation
    from ledger.models import Charge, Payment, Transaction

    start = time.perf_counter()
    estate = build_estate(count, years=years, close=False, bulk=True)
    built = time.perf_counter() - start
    phases = ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in estate.seconds.items())
    transactions = Transaction.objects.count()
    print(
        f"built {count:,} households with {estate.months} months of books "
        f"({estate.first_month:%Y-%m} to {estate.last_month:%Y-%m}, open) in {built:.0f} s ({phases}): "
        f"{transactions:,} transactions, {Charge.objects.count():,} charges, "
        f"{Payment.objects.count():,} payments",
        flush=True,
    )
    size = f"{count:,} households × {years} year{'s' if years > 1 else ''}"
    budget(f"build {size} in bulk", "figure", f"{built:.0f} s, {transactions:,} transactions", None)

    start = time.perf_counter()
    violation = first_violation()
    seconds = time.perf_counter() - start
    outcome = "passed: every invariant holds" if violation is None else f"FAILED: {violation}"
    print(f"check_ledger {outcome} ({seconds:.1f} s)", flush=True)
    if count >= 5000:
        budget(
            f"check_ledger, {size}",
            "≤ 10 s, passes",
            f"{seconds:.1f} s, {'passed' if not violation else 'FAILED'}",
            seconds <= 10 and violation is None,
        )

    # The statement with the most lines: the household that pays every month; its resident opens the dashboard.
    longest = estate.households[0]
    resident = User.objects.create_user(username="bench-resident", name="住户")
    Role.objects.create(user=resident, kind=Role.Kind.RESIDENT, household=longest)
    # The journal pages by a keyset cursor (ledger/journal.py); its "Last" link is `last=1`. If its paging changes,
    # so must the last page's address here: a last page that shows what the first shows fails the budget below.
    pages = len(range(0, transactions, 50))
    urls, same_as_first = {}, set()
    client = _client(estate.treasurer)
    for sort in JOURNAL_SORTS:
        first, last = (
            f"{reverse('ledger:journal')}?sort={sort}",
            f"{reverse('ledger:journal')}?sort={sort}&last=1",
        )
        urls[f"journal {sort}, first page"] = (first, estate.treasurer)
        urls[f"journal {sort}, last page"] = (last, estate.treasurer)
        if pages > 1 and client.get(first).content == client.get(last).content:
            same_as_first.add(f"journal {sort}, last page")
    urls.update(
        {
            "household statement (pays monthly)": (reverse("ledger:household", args=[longest.pk]), estate.treasurer),
            "arrears": (reverse("ledger:arrears"), estate.treasurer),
            "chair's dashboard": (reverse("estate:dashboard"), estate.chair),
            "resident's dashboard": (reverse("estate:dashboard"), resident),
            "public accounts (the year)": (reverse("ledger:public"), resident),
        }
    )
    timings = AT_SCALE[str(count)] = {}
    with kept_connection():
        measure_page("GET /healthz, trivial view, same database", "/healthz", seconds=3)
        for label, (url, user) in urls.items():
            try:
                if label in same_as_first:
                    raise PageRefused(f"{url} shows the first page: the journal's paging has changed")
                # Uncached, the figure the budget is about; then as a visitor meets it after the first request.
                timings[label] = measure_page(f"{label}, {size}, uncached", url, user=user, seconds=4, uncached=True)
                timings[f"{label}, kept"] = measure_page(f"{label}, {size}, kept", url, user=user, seconds=3)
            except PageRefused as refused:
                print(f"{label}, {size}: {refused}", flush=True)
                timings[label] = None
    if count >= 5000 and "56" in AT_SCALE:
        _compare_ages(AT_SCALE["56"], timings, size)
    if count >= 5000:
        from django.utils import timezone

        from ledger.services import month_bill

        new_month = timezone.localdate().replace(day=1)
        ms = measure(
            f"bill_month {new_month:%Y-%m}, {size} (budget 2000 ms)",
            lambda: month_bill(month=new_month, by=estate.treasurer),
            runs=5,
            rollback=True,
            slowest=True,
        )
        budget(f"bill_month, {size} of books", "≤ 2000 ms", f"{ms:.0f} ms", ms <= 2000)


def _compare_ages(small, large, size):
    """Every page at scale at most twice its time in the model estate (docs/ARCHITECTURE.md, "Budgets")."""
    for label, ms in large.items():
        before = small.get(label)
        if ms is None or before is None:
            budget(f"{label}: {size} vs 56 × 1 year", "≤ 2×", "page refused", False)
            continue
        ratio = ms / before
        budget(f"{label}: {size} vs 56 × 1 year", "≤ 2×", f"{ratio:.1f}× ({ms:.0f} ms vs {before:.0f} ms)", ratio <= 2)


@section
def http():
    """Over HTTP: gunicorn with 2 workers (DEBUG off) on the demo estate, every page of the resident's and of the
    chair's menu timed as a share of the requests per second of a bare HttpResponse("ok") view in the same
    server (bench/http_urls.py), interleaved with it, the median of several rounds."""
    from bench.http_load import HttpBench, menu_pages

    load_demo()
    for username in ("chair", "member", "treasurer"):
        _with_two_step(demo_user(username))  # as every committee member has (money_mfa_required)
    with HttpBench(_database_url()) as server:
        for username in ("resident", "chair"):
            session = server.login(username)
            pages = menu_pages(server, session)
            print(f"{username}'s menu: {len(pages)} pages", flush=True)
            for path, share in server.shares(session, pages).items():
                wanted = 25 if path in ("/", "/ledger/accounts/") else 10
                if isinstance(share, str):
                    budget(f"HTTP, {username}: {path}", f"≥ {wanted} % of bare view", share, False)
                else:
                    shown = f"{share:.1f} %" if share < 10 else f"{share:.0f} %"
                    budget(f"HTTP, {username}: {path}", f"≥ {wanted} % of bare view", shown, share >= wanted)


def _with_two_step(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction

    with transaction.atomic():
        TOTP.activate(user, generate_totp_secret())


def _database_url():
    """The throwaway database as a DATABASE_URL, for the server's processes."""
    from urllib.parse import urlsplit

    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


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


@contextlib.contextmanager
def _copy_of_database(number):
    """A fresh copy of the migrated throwaway database for one section (migrating takes a minute or more on a
    busy machine; copying, a few seconds)."""
    from django.db import connection

    migrated = connection.settings_dict["NAME"]
    connection.close()
    connection.creation.clone_test_db(suffix=str(number), verbosity=0)
    connection.settings_dict["NAME"] = connection.creation.get_test_db_clone_settings(str(number))["NAME"]
    try:
        yield
    finally:
        connection.settings_dict["NAME"] = migrated
        connection.creation.destroy_test_db(migrated, verbosity=0, suffix=str(number))


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
        started = time.perf_counter()
        with _throwaway_database(Path(workdir)):
            for number, name in enumerate(options.sections or SECTIONS, start=1):
                print(f"== {name} ({connection.vendor})", flush=True)
                try:
                    with _copy_of_database(number):
                        SECTIONS[name]()
                except Exception as error:  # the other sections' figures still make the table
                    print(f"section {name} failed: {error!r}", flush=True)
                    budget(f"section {name}", "runs", f"failed: {error}"[:80], False)
        _report(connection.vendor, time.perf_counter() - started)


def _report(vendor, seconds):
    """The final table, printed and written to test-artifacts/benchmark.md."""
    import platform

    rows = [("figure", "budget", "measured", "within")]
    rows += [
        (figure, limit, measured, {True: "yes", False: "NO", None: "-"}[within])
        for figure, limit, measured, within in RESULTS
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "| " + " | ".join("-" * width for width in widths) + " |")
    missed = sum(1 for *_rest, within in RESULTS if within is False)
    header = (
        f"Benchmark on {vendor}, {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.node()} "
        f"({os.cpu_count()} CPUs), {seconds / 60:.1f} min; {missed} of "
        f"{sum(1 for *_rest, within in RESULTS if within is not None)} budgets missed."
    )
    text = header + "\n\n" + "\n".join(lines) + "\n"
    print("\n" + text, flush=True)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
    print(f"(written to {REPORT.relative_to(BASE_DIR)})", flush=True)


if __name__ == "__main__":
    main()
