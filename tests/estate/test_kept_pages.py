"""Whole pages kept as HTML per viewer and state of their rows (estate.panels.kept_page): the dashboard and the
public accounts. Each viewer gets their own page with their own form token, and what the layout shows (messages,
the unread count, the language) is never older than the request."""

import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message, Topic
from tests.base import BaseTestCase

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class KeptDashboardTest(BaseTestCase):
    def page(self, client=None):
        return (client or self.client).get("/").content.decode()

    def test_a_kept_page_is_served_at_three_queries(self):
        self.login(self.resident)
        self.page()
        # session, user with its unread count and roles, the state (every version's token and the chain head)
        with self.assertNumQueries(3):
            self.assertIn("周阿姨", self.page())

    def test_each_session_gets_its_own_form_token_on_a_kept_page(self):
        other = Client(enforce_csrf_checks=True)
        self.login(self.resident)
        other.force_login(self.resident)  # both logins before the first visit: the second visit finds it kept
        first = self.page()
        with self.assertNumQueries(3):
            kept = self.page(other)
        self.assertNotIn("formtoken", kept)
        self.assertNotEqual(TOKEN.search(first).group(1), TOKEN.search(kept).group(1))
        # The language form in the footer works from the second session with the token it was given.
        response = other.post(reverse("set_language"), {
            "csrfmiddlewaretoken": TOKEN.search(kept).group(1), "language": "en", "next": "/"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("Hello, 周阿姨", self.page(other))
        self.assertIn("您好，周阿姨", self.page())  # the first session's language is its own

    def test_one_viewer_s_kept_page_is_never_shown_to_another(self):
        self.login(self.resident)
        self.page()
        self.page()
        self.login(self.resident_b)
        page = self.page()
        self.assertIn("吴先生", page)
        self.assertNotIn("周阿姨", page)

    def test_a_message_waiting_is_shown_once_on_a_kept_page(self):
        self.login(self.resident)
        self.page()  # kept now
        other = Client()
        response = other.post(reverse("account_login"), {"login": "resident", "password": "correct horse battery"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertIn("成功登录", self.page(other))
        self.assertNotIn("成功登录", self.page(other))

    def test_the_unread_count_beside_the_menu_follows_the_inbox_however_it_is_written(self):
        self.login(self.resident)
        self.assertNotIn('class="badge"', self.page())
        Message.objects.bulk_create([Message(recipient=self.resident, topic=Topic.CARE, subject="停水", body="-")])
        self.assertRegex(self.page(), r'class="badge"[^>]*>1</span>')
        Message.objects.filter(recipient=self.resident).update(read_at=timezone.now())
        self.assertNotIn('class="badge"', self.page())


class KeptPublicAccountsTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        from ledger.chart import create_chart
        from ledger.models import Account, ChainHead

        create_chart(Account, ChainHead)

    def test_each_year_is_its_own_kept_page(self):
        self.login(self.resident)
        url = reverse("ledger:public")
        this_year = self.client.get(f"{url}?year=2026").content.decode()
        last_year = self.client.get(f"{url}?year=2025").content.decode()
        # A posting showing at the next request: tests/ledger/test_cached_figures.py.
        self.assertIn('<option value="2026" selected', this_year)
        self.assertIn('<option value="2025" selected', last_year)
        with self.assertNumQueries(3):
            self.assertIn('<option value="2025" selected', self.client.get(f"{url}?year=2025").content.decode())
