#!/usr/bin/env python3
"""Figures for the budgets in DESIGN.md, measured in a throwaway database.

    python scripts/benchmark.py [section ...]     (no section: all of them)

Uses DATABASE_URL's server when set (creating and dropping a database beside
it), else a temporary SQLite file. Each section is one function registered in
SECTIONS; it prints its own figures.
"""

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estate.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

SECTIONS = {}


def section(function):
    SECTIONS[function.__name__] = function
    return function


def timed(function, repeat=1, *, best=None):
    """Run `function` `repeat` times; return (median seconds, last result). `best` (a list) gets the fastest."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    if best is not None:
        best.append(min(times))
    return statistics.median(times), result


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


def make_committee():
    from accounts.models import Role, User

    user = User.objects.create_user(username=f"bench-treasurer-{time.time_ns()}", name="会计")
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
    seconds, result = timed(lambda: month_bill(month=date(2026, 1, 1), by=None))
    print(f"bill_month: {result.households} households, {result.total} CNY in {seconds * 1000:.0f} ms (budget 2000 ms)")
    seconds, result = timed(lambda: month_bill(month=date(2026, 1, 1), by=None))
    print(f"bill_month again (bills nobody): {result.households} households in {seconds * 1000:.0f} ms")


def _server_time(client, url, repeat=30):
    """Median and fastest in-process time of GET url (after two warm-up requests), and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries.captured_queries)
    best = []
    seconds, _ = timed(lambda: client.get(url), repeat=repeat, best=best)
    return seconds, best[0], count


@section
def ledger_page():
    """Budget: a 50-row ledger page in at most 15 ms of server time (median, in-process)."""
    from datetime import date

    from django.conf import settings
    from django.core.signals import request_finished
    from django.db import close_old_connections
    from django.test import Client

    from estate.models import Household
    from ledger.models import FeeRate, add_months
    from ledger.services import month_bill, payment_record

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # A server keeps its database connection between requests (CONN_MAX_AGE); so does this measurement.
    request_finished.disconnect(close_old_connections)
    # As in the test suite: plain static storage, no collected manifest needed.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    make_households(56)
    treasurer = make_committee()
    FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2024, 1, 1))
    households = list(Household.objects.all())
    for n in range(24):
        month = add_months(date(2024, 1, 1), n)
        month_bill(month=month, by=treasurer)
        for household in households:
            payment_record(household=household, amount=Decimal("31.34"), method="wechat", by=treasurer,
                           idempotency_key=f"{month}-{household.pk}", date=month.replace(day=10))
    client = Client()
    client.force_login(treasurer)
    for label, url in (("ledger page (50 rows)", "/ledger/journal/"),
                       ("household statement", f"/ledger/households/{households[0].pk}/"),
                       ("public accounts (a year)", "/ledger/accounts/?year=2025"),
                       ("trivial view (healthz)", "/healthz")):
        seconds, fastest, queries = _server_time(client, url)
        budget = " (budget 15 ms)" if "ledger page" in label else ""
        print(f"{label}: {seconds * 1000:.1f} ms median (fastest {fastest * 1000:.1f}), {queries} queries{budget}")


def main(names):
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section(s) {unknown}; choose from {sorted(SECTIONS)}")
    for name in names or SECTIONS:
        database = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            database["TEST"]["NAME"] = tempfile.mktemp(suffix=".sqlite3", prefix="jiayuan-bench-")
        else:
            database["TEST"]["NAME"] = f"{database['NAME']}_bench"
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            print(f"== {name} ({connection.vendor})")
            SECTIONS[name]()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1:])
