from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.test_login import PasswordLoginCase

DASHBOARD = reverse("estate:dashboard")
TWO_HOURS = timedelta(hours=2)


class SessionClockTest(PasswordLoginCase):
    """A session ends two idle hours after its last use; it is written back at most once a minute."""

    def setUp(self):
        super().setUp()
        traveller = time_machine.travel(timezone.now(), tick=False)
        self.clock = traveller.start()
        self.addCleanup(traveller.stop)

    def session_ends(self):
        return Session.objects.get(session_key=self.client.session.session_key).expire_date

    def session_writes(self, url=DASHBOARD):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]

    def test_a_login_gives_two_hours(self):
        self.assertEqual(self.log_in("chair").status_code, 302)
        self.assertEqual(self.session_ends(), timezone.now() + TWO_HOURS)

    def test_pages_within_a_minute_of_the_login_write_nothing(self):
        self.log_in("resident")
        for _ in range(3):
            self.clock.shift(timedelta(seconds=19))
            self.assertEqual(self.session_writes(), [])

    def test_a_page_a_minute_later_renews_the_two_hours(self):
        self.login(self.resident)  # as the tests' own logins do, without the login page
        self.clock.shift(timedelta(seconds=59))
        self.assertEqual(self.session_writes(), [])
        self.clock.shift(timedelta(seconds=1))
        self.assertEqual(len(self.session_writes()), 1)
        self.assertEqual(self.session_ends(), timezone.now() + TWO_HOURS)
        self.clock.shift(timedelta(seconds=30))
        self.assertEqual(self.session_writes(), [], "renewed twice within a minute")

    def test_a_session_in_steady_use_lives_on_and_ends_two_hours_after_its_last_renewal(self):
        self.login(self.resident)
        for _ in range(3 * 60 * 2 + 1):  # a page every 30 seconds for three hours and a half minute
            self.clock.shift(timedelta(seconds=30))
            self.assertEqual(self.client.get(DASHBOARD).status_code, 200)
        # The last page came 30 seconds after a renewal and did not move the end: left alone, the
        # session ends 1 h 59 min 30 s after its last use (never more than a minute early).
        renewed = timezone.now() - timedelta(seconds=30)
        self.assertEqual(self.session_ends(), renewed + TWO_HOURS)
        self.clock.move_to(renewed + TWO_HOURS + timedelta(seconds=1))
        response = self.client.get(DASHBOARD)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers["Location"].startswith(reverse("account_login")))

    def test_a_visitor_gets_no_session(self):
        for url in (reverse("account_login"), "/healthz", reverse("ledger:public")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertNotIn("sessionid", response.cookies)
        self.assertFalse(Session.objects.exists())
