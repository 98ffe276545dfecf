"""An estate with ten years of books behind it, for bench/benchmark.py's estate_56 and estate_5000.

Every fen goes through ledger.services, as the committee's own clicks would
(billing, payments with receipts, building heads' cash hand-overs, a wrong
payment reversed once a year, public income, expenses with their approvals,
a fee rise, hardship discounts, month closes with their posted notices), so
the hash chain and every invariant check_ledger recomputes hold on the result.

Each household pays once a year (see HABITS), as most owners of such estates
do: ten years of 5,000 households come to about 50,000 payments, half the
number a mix of monthly, quarterly and half-yearly payers gives, which kept an
SQLite build on a shared two-core machine well over a quarter of an hour.
Each month's work is one database transaction (the services' own transactions
become savepoints inside it), so that the build does not wait for a commit
per payment.

With bulk=True the same history, drawn from the same random numbers, is written
by bench/bulk.py instead: the same rows in every ledger table, inserted in large
batches (5,000 households in minutes instead of an hour).
"""

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

# Floor areas of the flats of an old estate (m²): they repeat along a building.
AREAS = [Decimal(a) for a in ("58.20", "64.75", "71.30", "80.35", "86.90", "92.45", "101.50", "118.60")]
# The fee per m² per month, from the start of a year of the history (0 = the first year).
RATES = {0: Decimal("0.35"), 5: Decimal("0.39")}
# How owners pay, once a year each (habit, share of households): most a year ahead, some for the year
# just past, some stop paying at some point. The first household pays every month instead, so that one
# statement runs to the full 120 payments.
HABITS = [("ahead", 80), ("behind", 12), ("stops", 8)]
METHODS = [("wechat", 50), ("cash", 25), ("bank", 15), ("alipay", 10)]
# Now and then, besides the demo estate's monthly running costs (ledger.demo), scaled to the estate's size:
# month of the year → (category, payee, amount for 56 households, description).
OCCASIONAL_EXPENSES = {
    3: ("greening", "何建军", Decimal("320.00"), "绿化：春季修剪、补种黄杨"),
    6: ("repairs", "赵德明", Decimal("855.00"), "电工：更换损坏路灯（含灯具和人工）"),
    9: ("repairs", "周立平", Decimal("480.00"), "管道工：雨水管疏通更换"),
    10: ("activities", "社区活动", Decimal("260.00"), "重阳节慰问老人"),
    12: ("office", "文具店", Decimal("68.50"), "公告打印纸、收据本"),
}


@dataclass
class Estate:
    """What build_estate() made: the people who keep the books, the households, the months of history."""

    chair: object
    member: object
    treasurer: object
    heads: dict  # building id → its building head
    households: list
    first_month: date
    months: int
    seconds: dict = field(default_factory=dict)  # phase of the build → seconds spent in it
    books: object = None  # what writes the books: ledger.services, or bench.bulk.BulkBooks

    @contextmanager
    def timed(self, phase):
        start = time.perf_counter()
        yield
        self.seconds[phase] = self.seconds.get(phase, 0) + time.perf_counter() - start

    @property
    def last_month(self):
        from ledger.models import add_months

        return add_months(self.first_month, self.months - 1)


def _print(line):
    print(line, flush=True)


def build_estate(count, *, years=10, close=True, progress=_print, bulk=False):
    """`count` households with `years` × 12 months of books, ending with last month (closed when `close`).
    `progress` is called with a line of text after each year. `bulk`: written by bench/bulk.py."""
    from django.db import transaction
    from django.utils import timezone

    from ledger import services
    from ledger.models import Transaction, add_months

    this_month = timezone.localdate().replace(day=1)
    estate = _people(_households(count), first_month=add_months(this_month, -12 * years), months=12 * years)
    if bulk:
        from bench.bulk import BulkBooks

        estate.books = BulkBooks()
    else:
        estate.books = services
    rng = random.Random(20260301 + count)
    habits = {h.pk: _habit(rng) for h in estate.households}
    habits[estate.households[0].pk]["habit"] = "monthly"
    started = time.perf_counter()
    for index in range(estate.months):
        month = add_months(estate.first_month, index)
        with transaction.atomic():
            _month(estate, index, month, habits, rng, close=close)
            if bulk and (month.month == 12 or index == estate.months - 1):
                with estate.timed("bulk insert"):
                    estate.books.flush()
        if month.month == 12 or index == estate.months - 1:
            _analyze()
            progress(
                f"  {count} households: books up to {month:%Y-%m} ({index + 1} months), "
                f"{Transaction.objects.count():,} transactions, {time.perf_counter() - started:.0f} s"
            )
    return estate


def _analyze():
    """Refresh the planner's statistics, as autovacuum does on a server as tables grow. Without them
    PostgreSQL plans for tables far smaller than they have become, and autovacuum may be off on a
    development machine (it was on the one the benchmark was first run on)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _households(count):
    """`count` households in buildings of up to 500 flats (5 entrances × 25 floors × 4), created in bulk."""
    from estate.models import Building, Household

    per_building = min(count, 500) if count > 56 else 28  # the model estate: 2 buildings of 28
    households, buildings = [], {}
    for number in range(count):
        building_number, rest = divmod(number, per_building)
        if building_number not in buildings:
            buildings[building_number], _ = Building.objects.get_or_create(
                code=str(building_number + 1), defaults={"name": f"{building_number + 1}栋"}
            )
        building = buildings[building_number]
        entrance, flat = divmod(rest, 100)
        floor, door = divmod(flat, 4)
        household = Household(
            building=building,
            entrance=str(entrance + 1),
            floor=floor + 1,
            room=f"{floor + 1}{door + 1:02d}",
            area=AREAS[number % len(AREAS)],
        )
        household.code = Household.make_code(building.code, household.entrance, household.room)
        households.append(household)
    Household.objects.bulk_create(households, batch_size=1000)
    return list(Household.objects.order_by("pk"))


def _people(households, *, first_month, months):
    from accounts.models import Role, User

    def person(username, name, kind, **scope):
        user = User.objects.create_user(username=username, name=name)
        Role.objects.create(user=user, kind=kind, **scope)
        return User.objects.get(pk=user.pk)

    heads = {}
    for building_id in sorted({h.building_id for h in households}):
        heads[building_id] = person(
            f"bench-head-{building_id}", "楼栋长", Role.Kind.BUILDING_HEAD, building_id=building_id
        )
    return Estate(
        chair=person("bench-chair", "主任", Role.Kind.CHAIR),
        member=person("bench-member", "委员", Role.Kind.COMMITTEE),
        treasurer=person("bench-treasurer", "会计", Role.Kind.TREASURER),
        heads=heads,
        households=households,
        first_month=first_month,
        months=months,
    )


def _habit(rng):
    habit = rng.choices([h for h, _ in HABITS], weights=[w for _, w in HABITS])[0]
    # Those who stop paying stop some time in the ten years; the others pay on a day of their own.
    return {"habit": habit, "stops_after": rng.randrange(12, 120), "day": rng.randint(3, 22)}


def _month(estate, index, month, habits, rng, *, close):
    from ledger import demo
    from ledger.models import Account

    books = estate.books

    if index % 12 == 0:
        if index // 12 in RATES:
            books.fee_rate_set(rate=RATES[index // 12], effective_from=month, by=estate.chair, note="业主大会决议")
        _hardship_discounts(estate, month, rng)
    if month.month == 1 or index == 0:
        for code, amount in demo.BUDGET.items():
            books.budget_set(
                year=month.year, account=Account.objects.get(code=code), amount=_scaled(estate, amount), by=estate.chair
            )
    with estate.timed("billing"):
        books.month_bill(month=month, by=estate.treasurer)
    with estate.timed("payments"):
        _collect(estate, index, month, habits, rng)
    with estate.timed("income and expenses"):
        _income(estate, month, rng)
        _spend(estate, month)
    if close:
        with estate.timed("month close (notice)"):
            books.month_close(month=month, by=estate.chair)


def _hardship_discounts(estate, month, rng):
    """About one household in a hundred gets half its fee off for a year (hardship, a vacant flat)."""
    from ledger.models import add_months

    for household in rng.sample(estate.households, max(1, len(estate.households) // 100)):
        estate.books.adjustment_create(
            household=household,
            percent_off=Decimal("50"),
            reason="困难家庭，业委会决议减半",
            start_month=month,
            end_month=add_months(month, 11),
            by=estate.chair,
        )


def _months_due(habit, index):
    """How many months' fees a household of this habit pays in month `index` of the history (0: none)."""
    kind = habit["habit"]
    if kind == "monthly":
        return 1
    if kind == "behind":  # at the end of their year, for its twelve months
        return 12 if index % 12 == 11 else 0
    if kind == "stops" and index >= habit["stops_after"]:
        return 0
    return 12 if index % 12 == 0 else 0


def _collect(estate, index, month, habits, rng):
    from ledger.models import FeeRate, Method

    books = estate.books

    rate = FeeRate.for_month(month).rate
    adjustments = _adjustments(month)
    payments = []
    for household in estate.households:
        habit = habits[household.pk]
        months = _months_due(habit, index)
        if not months:
            continue
        fee = books.monthly_fee(household.area, rate, adjustments.get(household.pk))
        method = rng.choices([m for m, _ in METHODS], weights=[w for _, w in METHODS])[0]
        by = estate.treasurer
        if method == Method.CASH and rng.random() < 0.5:
            by = estate.heads[household.building_id]  # collected door to door by the building head
        day = month + timedelta(days=habit["day"] - 1)
        payment, _ = books.payment_record(
            household=household,
            amount=fee * months,
            method=method,
            by=by,
            date=day,
            reference=f"{month:%Y%m}{household.pk:05d}" if method == Method.BANK else "",
            idempotency_key=f"bench-{month:%Y-%m}-{household.pk}",
        )
        payments.append(payment)
    for payment in payments:
        if payment.needs_handover:
            books.handover_confirm(payment=payment, by=estate.treasurer, date=month + timedelta(days=24))
    if payments and month.month == 7:
        # Once a year a payment is booked to the wrong flat and reversed the same day; its receipt stays, void.
        wrong = payments[0]
        payment, _ = books.payment_record(
            household=estate.households[-1],
            amount=wrong.amount,
            method=Method.CASH,
            by=estate.treasurer,
            date=wrong.date,
            idempotency_key=f"bench-{month:%Y-%m}-wrong",
        )
        books.payment_reverse(
            payment=payment, reason=f"记错房号，应为 {wrong.household.code}", by=estate.treasurer, date=wrong.date
        )


def _adjustments(month):
    from django.db.models import Q

    from ledger.models import FeeAdjustment

    running = FeeAdjustment.objects.filter(start_month__lte=month).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month)
    )
    return {adjustment.household_id: adjustment for adjustment in running}


def _income(estate, month, rng):
    books = estate.books

    def income(kind, day, source, amount, method, period=""):
        books.income_record(
            kind=kind,
            date=month + timedelta(days=day - 1),
            source=source,
            period=period,
            amount=amount,
            method=method,
            by=estate.treasurer,
        )

    income("parking", 5, "月租车位", _scaled(estate, Decimal("600.00")), "bank", f"{month:%Y-%m}")
    income("parking", 28, "临时停车", _scaled(estate, Decimal(rng.randrange(120, 260))), "cash")
    income("charging", 10, "充电桩运营商分成", _scaled(estate, Decimal(rng.randrange(21000, 32000)) / 100), "bank")
    income("lockers", 12, "快递柜场地费", Decimal("100.00"), "bank", f"{month:%Y-%m}")
    if month.month % 3 == 1:
        income("advertising", 8, "宣传栏广告位（季度）", Decimal("900.00"), "bank", f"{month:%Y-%m} 起三个月")


def _spend(estate, month):
    from ledger import demo

    books = estate.books

    lines = list(demo.MONTHLY_EXPENSES)
    if month.month in OCCASIONAL_EXPENSES:
        lines.append(OCCASIONAL_EXPENSES[month.month] + ("bank",))
    for number, (category, payee, amount, description, method) in enumerate(lines):
        day = month + timedelta(days=23 + number % 4)
        expense = books.expense_record(
            date=day,
            category=category,
            payee=payee,
            amount=_scaled(estate, amount),
            payee_is_person=payee in demo.PEOPLE,
            description=description,
            by=estate.treasurer,
        )
        for approver in (estate.chair, estate.member)[: books.approval_required_count(expense.amount)]:
            books.expense_approve(expense=expense, by=approver)
        books.expense_pay(expense=expense, method=method, date=day, by=estate.treasurer)


def _scaled(estate, amount):
    """What the model estate's `amount` comes to for this estate's number of households."""
    from ledger.money import round_money

    return round_money(amount * max(1, len(estate.households)) / 56)
