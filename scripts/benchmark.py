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


def timed(function, repeat=1):
    """Run `function` `repeat` times; return (median seconds, last result)."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
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
