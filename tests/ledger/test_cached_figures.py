"""Figures computed once per state of the estate (estate.cached): never stale, cheaper the second time."""

import io
import re
import threading
import uuid
from datetime import date
from decimal import Decimal
from unittest import mock

import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.activity import log_action
from accounts.models import User
from estate import cached
from estate import services as estate_services
from estate.models import Household, Version
from ledger import services
from ledger.chart import create_chart
from ledger.models import Account, ChainHead, FeeRate
from tests.base import Personas
from tests.ledger.base import JAN, LedgerTestCase


def panel(response, template):
    return next(context for name, context in response.context["panels"] if name == template)


def dashboard(client):
    """The dashboard with its panels made afresh: their HTML is kept too (estate/panels.py), and these tests look at
    the figures below it."""
    caches["panels"].clear()
    return client.get(reverse("estate:dashboard"))


@time_machine.travel(date(2026, 2, 20))
class CachedFiguresTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill(JAN)

    def balance(self):
        return panel(dashboard(self.client), "ledger/_dashboard_household.html")["balance"]

    def test_a_payment_shows_on_the_next_request(self):
        self.login(self.resident)

        def statement():
            return self.client.get(reverse("ledger:mine")).context["balance"]

        self.assertEqual((self.balance(), statement()), (Decimal("39.59"), Decimal("39.59")))
        self.assertEqual((self.balance(), statement()), (Decimal("39.59"), Decimal("39.59")))  # kept
        self.pay("39.59")
        self.assertEqual((self.balance(), statement()), (Decimal("0.00"), Decimal("0.00")))

    def test_a_payment_shows_in_the_public_accounts_on_the_next_request(self):
        self.login(self.resident_b)
        url = reverse("ledger:public") + "?year=2026"
        self.assertNotContains(self.client.get(url), "39.59")
        self.pay("39.59")
        self.assertContains(self.client.get(url), "39.59")

    def test_a_change_of_the_register_shows_on_the_next_request(self):
        self.login(self.chair)

        def summary():
            return panel(dashboard(self.client), "estate/_dashboard_register.html")["summary"]

        before = summary()
        estate_services.household_update(household=self.household_a, by=self.chair, area=Decimal("111.50"))
        self.assertEqual(summary(), {"count": before["count"], "area": before["area"] + Decimal("10.00")})

    def test_a_change_of_the_register_in_bulk_shows_on_the_next_request(self):
        # No service, no activity record: the register's trigger alone moves the state.
        self.login(self.chair)

        def summary():
            return panel(self.client.get(reverse("estate:dashboard")), "estate/_dashboard_register.html")["summary"]

        before = summary()
        Household.objects.filter(pk=self.household_a.pk).update(area=self.household_a.area + Decimal("10.00"))
        self.assertEqual(summary(), {"count": before["count"], "area": before["area"] + Decimal("10.00")})

    def test_a_change_that_rolls_back_leaves_the_state(self):
        state = cached.state(None)
        with self.assertRaises(RuntimeError), transaction.atomic():
            estate_services.household_update(household=self.household_a, by=self.chair, area=Decimal("1.00"))
            self.assertNotEqual(cached.state(None), state)
            raise RuntimeError("the rest of the change failed")
        self.assertEqual(cached.state(None), state)

    def test_a_change_moves_the_state_and_a_login_does_not(self):
        state = cached.state(None)
        self.client.force_login(self.resident)  # writes last_login
        self.assertEqual(cached.state(None)[Version.STATE], state[Version.STATE])
        self.assertNotEqual(cached.state(None)[Version.PEOPLE], state[Version.PEOPLE])  # the logins' list shows it
        log_action("test.change", self.household_a, by=self.chair)
        self.assertNotEqual(cached.state(None)[Version.STATE], state[Version.STATE])

    def test_the_activity_logs_triggers_take_the_people_row_before_the_state_row(self):
        # PostgreSQL fires a table's triggers of one event in the order of their names: two transactions that
        # take both rows take them in the same order, so neither waits for the other holding what it needs.
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has one writer at a time")
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts_activityrecord'::regclass "
                           "AND tgname LIKE %s ORDER BY tgname", ["%_changed"])
            names = [name for (name,) in cursor.fetchall()]
        self.assertEqual(names, ["accounts_activityrecord_people_changed", "accounts_activityrecord_state_changed"])

    def test_a_posting_moves_the_state(self):
        state = cached.state(None)
        self.pay("39.59")
        self.assertNotEqual(cached.state(None)["head"], state["head"])

    def test_the_second_request_for_the_same_state_runs_fewer_queries(self):
        self.login(self.resident_b)
        url = reverse("ledger:public") + "?year=2026"
        with CaptureQueriesContext(connection) as first:
            self.client.get(url)
        # session, user with its unread count and roles; the state (tokens and chain head): the page is kept in
        # this process (estate.panels.kept_page)
        with self.assertNumQueries(3):
            second = self.client.get(url)
        self.assertLess(6, len(first))
        self.assertContains(second, "月")
        # Another worker, which keeps no page: the year's lines are kept for every worker (one query more).
        caches["panels"].clear()
        with self.assertNumQueries(4):
            third = self.client.get(url)
        self.assertEqual(third.content, second.content.replace(*self._form_tokens(second, third)))

    def _form_tokens(self, *responses):
        return [re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content).group(1)
                for response in responses]

    def test_another_code_digest_is_another_key(self):
        computed = []

        def count():
            computed.append(1)
            return len(computed)

        self.assertEqual(cached.figure(None, "test.count", count), 1)
        self.assertEqual(cached.figure(None, "test.count", count), 1)
        with mock.patch.object(cached, "code_digest", return_value="another deploy"):
            self.assertEqual(cached.figure(None, "test.count", count), 2)

    def test_the_code_digest_covers_code_templates_and_translations(self):
        digest = cached.code_digest()
        self.assertRegex(digest, "^[0-9a-f]{64}$")
        self.assertEqual(cached.code_digest(), digest)


class OtherConnectionTest(Personas, TransactionTestCase):
    """A posting committed by another connection, and a flush, as real transactions."""

    def setUp(self):
        create_chart(Account, ChainHead)
        self.create_personas()
        FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2025, 1, 1))

    def in_another_connection(self, work):
        errors = []

        def run():
            try:
                work()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        self.assertEqual(errors, [])

    @time_machine.travel(date(2026, 2, 20))
    def test_a_payment_committed_by_another_connection_shows_on_the_next_request(self):
        services.month_bill(month=JAN, by=self.treasurer)
        self.client.force_login(self.resident)

        def balance():
            return panel(dashboard(self.client), "ledger/_dashboard_household.html")["balance"]

        self.assertEqual(balance(), Decimal("39.59"))
        self.in_another_connection(lambda: services.payment_record(
            household=self.household_a, amount=Decimal("39.59"), method="cash", idempotency_key=uuid.uuid4().hex,
            by=User.objects.get(username="treasurer"), date=date(2026, 2, 1)))
        self.assertEqual(balance(), Decimal("0.00"))

    def test_figures_kept_before_a_flush_are_not_found_after_it(self):
        def households():
            return cached.figure(None, "test.households", lambda: Household.objects.count())

        before = households()
        call_command("flush", interactive=False, verbosity=0)
        create_chart(Account, ChainHead)  # the same chain head as before: only the version tells the states apart
        self.assertEqual(households(), 0)
        self.assertNotEqual(before, 0)


@time_machine.travel(date(2026, 3, 16), tick=False)
class DemoEstateTest(TestCase):
    """On the demo estate, every kept figure shows exactly what computing it afresh shows."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=io.StringIO())

    def page(self, username, url):
        self.client.force_login(User.objects.get(username=username))
        # The form token differs from one response to the next; nothing else may. The dashboard's kept HTML
        # (estate/panels.py) is forgotten: these are the figures below it.
        caches["panels"].clear()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", self.client.get(url).content.decode())

    def test_kept_figures_are_the_figures_computed_afresh(self):
        pages = [("chair", "/"), ("member", "/"), ("treasurer", "/"), ("head1", "/"), ("volunteer", "/"),
                 ("resident", "/"), ("resident", reverse("ledger:mine")),
                 ("resident", reverse("ledger:public")), ("chair", reverse("ledger:public") + "?year=2025"),
                 ("chair", reverse("ledger:arrears")), ("head1", reverse("ledger:arrears"))]
        for username, url in pages:
            with self.subTest(username=username, url=url):
                with mock.patch.object(cached, "state", return_value=None):  # nothing kept, nothing read
                    afresh = self.page(username, url)
                self.page(username, url)
                self.assertEqual(self.page(username, url), afresh)


@time_machine.travel(date(2026, 2, 20))
class KeptExpenseRowsTest(LedgerTestCase):
    def test_an_approval_shows_on_the_expenses_list_at_the_next_request(self):
        expense = services.expense_record(date=date(2026, 1, 20), category="cleaning", payee="保洁公司",
                                          amount=Decimal("80.00"), description="一月保洁", by=self.treasurer)
        self.login(self.treasurer)
        url = reverse("ledger:expenses")
        self.assertContains(self.client.get(url), "还差 1 人")
        with CaptureQueriesContext(connection) as kept:
            self.assertContains(self.client.get(url), "还差 1 人")
        services.expense_approve(expense=expense, by=self.chair)
        page = self.client.get(url)
        self.assertNotContains(page, "还差 1 人")
        self.assertContains(page, "已审批，待付款")
        # Kept: who is there, the state, the rows (no expense, approval or attachment read).
        self.assertFalse([q for q in kept.captured_queries if "ledger_expense" in q["sql"]])

class FiguresTableTest(TestCase):
    def test_many_figures_never_cull_the_login_limits_counters(self):
        # The default cache, beyond its 300 entries, deletes its lowest keys: allauth's counters sort early.
        from django.core.cache import caches

        caches["default"].set("allauth:rl:login_failed:key", [1, 2, 3], 600)
        for number in range(400):
            cached.figure(None, "test.many", lambda number=number: number, key=(number,))
        self.assertEqual(caches["default"].get("allauth:rl:login_failed:key"), [1, 2, 3])
        self.assertEqual(cached.figure(None, "test.many", lambda: "computed again", key=(399,)), 399)  # kept
        self.assertNotEqual(caches["figures"]._table, caches["default"]._table)
