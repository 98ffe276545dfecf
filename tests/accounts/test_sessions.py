from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
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


class SignedInTest(PasswordLoginCase):
    """Who is there is read afresh on every page, in two queries: the session, then the person with their
    roles and unread count (accounts/sessions.py, messaging/backends.py)."""

    def test_a_page_reads_the_session_and_then_the_person_with_roles_and_unread_count(self):
        self.login(self.head1)
        with CaptureQueriesContext(connection) as queries:
            user = self.client.get(reverse("estate:notice-list")).wsgi_request.user
        self.assertIn("django_session", queries[0]["sql"])
        self.assertIn("accounts_role", queries[1]["sql"])
        with self.assertNumQueries(0):
            self.assertEqual([(role.kind, role.building_id) for role in user.active_roles],
                             [("building_head", self.building1.pk)])
            self.assertEqual(user.active_roles[0].user, user)
            self.assertEqual(user.inbox_unread, 0)
            self.assertEqual(user.name, "刘楼长")

    def test_a_person_with_several_roles_and_unread_messages(self):
        from messaging.models import Topic
        from messaging.services import message_send

        Role.objects.create(user=self.resident, kind=Role.Kind.VOLUNTEER)
        for n in range(3):
            message_send(to=[self.resident], topic=Topic.KEY, subject=f"通知{n}", body="")
        self.login(self.resident)
        user = self.client.get(DASHBOARD).wsgi_request.user
        self.assertEqual(user.role_kinds, "resident,volunteer")
        self.assertEqual(user.household_ids, {self.household_a.pk})
        self.assertEqual(user.inbox_unread, 3)

    def test_a_role_withdrawn_counts_from_the_next_page(self):
        self.login(self.member)
        self.assertEqual(self.client.get(reverse("accounts:user-list")).status_code, 200)
        Role.objects.filter(user=self.member).update(ended_at=timezone.now())
        self.assertEqual(self.client.get(reverse("accounts:user-list")).status_code, 403)

    def test_a_session_logged_out_elsewhere_or_expired_signs_nobody_in(self):
        self.login(self.resident)
        key = self.client.session.session_key
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.client.get(DASHBOARD).status_code, 302)
        self.login(self.resident)
        Session.objects.filter(session_key=self.client.session.session_key).delete()  # logged out on another server
        self.assertEqual(self.client.get(DASHBOARD).status_code, 302)

    def test_a_deactivated_login_is_signed_out(self):
        self.login(self.resident)
        User.objects.filter(pk=self.resident.pk).update(is_active=False)
        self.assertEqual(self.client.get(DASHBOARD).status_code, 302)
