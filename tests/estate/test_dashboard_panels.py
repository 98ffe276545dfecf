"""The dashboard's panels kept as HTML (estate/panels.py): per viewer, and never older than the rows they show or
the clock that decides what is overdue."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from accounts.models import Role
from messaging.models import Message, Topic
from repairs.models import Ticket
from tests.base import version_triggers
from tests.repairs.base import RepairsTestCase


class KeptPanelsTest(RepairsTestCase):
    def dashboard(self):
        return self.client.get("/").content.decode()

    def message(self, recipient, subject):
        return Message.objects.create(recipient=recipient, topic=Topic.CARE, subject=subject, body="-")

    def test_a_message_written_without_the_app_shows_and_goes_at_the_next_request(self):
        self.login(self.resident)
        self.assertNotIn("停水通知", self.dashboard())
        self.message(self.resident, "停水通知")  # no activity record: the table's trigger changes the token
        self.assertIn("停水通知", self.dashboard())
        self.assertIn("停水通知", self.dashboard())  # kept
        Message.objects.filter(recipient=self.resident).update(read_at=timezone.now())  # in bulk
        self.assertNotIn("停水通知", self.dashboard())

    def test_one_persons_panels_are_never_shown_to_another(self):
        self.message(self.resident, "给王阿姨的消息")
        self.login(self.resident)
        self.assertIn("给王阿姨的消息", self.dashboard())
        self.login(self.resident_b)
        self.assertNotIn("给王阿姨的消息", self.dashboard())

    def test_a_bulk_update_of_a_ticket_shows_at_the_next_request(self):
        ticket = self.common_ticket(description="楼道灯不亮")
        self.login(self.resident)
        self.assertIn(ticket.get_absolute_url(), self.dashboard())
        self.dashboard()
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.REJECTED)
        self.assertNotIn(ticket.get_absolute_url(), self.dashboard())

    def test_a_ticket_falls_overdue_on_the_kept_dashboard_with_the_clock_alone(self):
        morning = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        with time_machine.travel(morning, tick=False) as clock:
            ticket = self.common_ticket(urgency=Ticket.Urgency.EMERGENCY)
            self.login(self.member)
            self.assertIn("<strong>0</strong> 件超时", self.dashboard())
            for hours in (1.5, 3):  # the session ends two hours after its last use
                clock.move_to(morning + timedelta(hours=hours))
                # Session, user with its unread count and roles, the tokens; the session renewed (a savepoint, its
                # update, the release): the panels are kept.
                with self.assertNumQueries(6):
                    self.assertIn("<strong>0</strong> 件超时", self.dashboard())
            # An emergency not accepted within four hours is overdue, with nothing written, the same day.
            clock.move_to(morning + Ticket.ACCEPT_WITHIN[ticket.urgency] + timedelta(minutes=1))
            self.assertIn("<strong>1</strong> 件超时", self.dashboard())

    def test_a_new_role_shows_its_panels_at_once(self):
        self.login(self.volunteer)
        self.assertNotIn("件超时", self.dashboard())
        self.dashboard()
        Role.objects.create(user=self.volunteer, kind=Role.Kind.COMMITTEE, granted_by=self.chair)
        self.assertIn("<strong>0</strong> 件超时", self.dashboard())


class WatchedTablesTest(TestCase):
    def test_every_table_of_the_books_changes_the_ledger_s_token(self):
        # What a ledger panel reads may come from any of the books' tables, a new one included (migration 0010).
        tables = {model._meta.db_table for model in apps.get_app_config("ledger").get_models()}
        watched = {table for table, version in version_triggers() if version == "ledger"}
        self.assertEqual(tables - watched, set())

    def test_every_table_of_the_chasing_record_and_the_bank_changes_its_token(self):
        # The arrears page's rows show each household's last reminder (chasing/migrations/0002); an open month's
        # notice shows the bank statements and cash counts (bank/migrations/0002).
        for app in ("chasing", "bank"):
            tables = {model._meta.db_table for model in apps.get_app_config(app).get_models()}
            watched = {table for table, version in version_triggers() if version == app}
            self.assertEqual(tables - watched, set(), app)

    def test_every_table_a_migration_watches_has_its_trigger(self):
        from estate.db import WATCHED

        self.assertIn(("messaging_reach", "people"), WATCHED)
        self.assertEqual(WATCHED - version_triggers(), set())

    def test_a_version_trigger_lost_to_an_sqlite_table_rebuild_comes_back_after_migrate(self):
        # SQLite alters most columns by rebuilding the table, which drops its triggers without a word.
        from estate.db import drop_version_trigger_statements, restore_sqlite_triggers

        if connection.vendor != "sqlite":
            self.skipTest("PostgreSQL alters tables in place and keeps their triggers")
        with connection.cursor() as cursor:
            for statement in drop_version_trigger_statements("sqlite", "ledger_charge", "ledger"):
                cursor.execute(statement)
        self.assertNotIn(("ledger_charge", "ledger"), version_triggers())
        restore_sqlite_triggers(sender=apps.get_app_config("estate"), using="default")
        self.assertIn(("ledger_charge", "ledger"), version_triggers())
