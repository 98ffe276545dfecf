"""Whole pages kept as HTML per viewer and state of their rows (estate.panels.kept_page): the dashboard and the
public accounts. Each viewer gets their own page with their own form token, and what the layout shows (messages,
the unread count, the language) is never older than the request."""

import re

from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import LazyNonce

from estate import panels
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


class KeptLayoutTest(BaseTestCase):
    """The header, the menu and the footer kept per page, language, roles, unread count and viewer
    (estate/templatetags/layout.py)."""

    def page(self, path, client=None):
        return (client or self.client).get(path).content.decode()

    def test_the_footer_sends_each_page_back_to_itself_with_the_session_s_own_token(self):
        other = Client(enforce_csrf_checks=True)
        self.login(self.resident)
        other.force_login(self.resident)
        self.assertIn('name="next" type="hidden" value="/notices/"', self.page("/notices/"))
        page = self.page("/notices/", other)
        self.assertNotIn("formtoken", page)
        self.assertIn('name="next" type="hidden" value="/ledger/accounts/"', self.page("/ledger/accounts/", other))
        response = other.post(reverse("set_language"), {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1), "language": "en", "next": "/notices/"})
        self.assertRedirects(response, "/notices/", fetch_redirect_response=False)
        self.assertIn("Log out", self.page("/notices/", other))
        self.assertIn("退出登录", self.page("/notices/"))

    def test_the_menu_marks_the_page_it_is_on(self):
        self.login(self.resident)
        self.assertRegex(self.page("/ledger/accounts/"), r'href="/ledger/accounts/" aria-current="page"')
        self.assertNotRegex(self.page("/notices/"), r'href="/ledger/accounts/" aria-current="page"')

    def test_a_new_role_changes_the_menu_at_once(self):
        from accounts.models import Role

        self.login(self.volunteer)
        self.assertNotIn('href="/ledger/mine/"', self.page("/notices/"))
        Role.objects.create(user=self.volunteer, kind=Role.Kind.RESIDENT, household=self.household_a2,
                            granted_by=self.chair)
        self.assertIn('href="/ledger/mine/"', self.page("/notices/"))

    def test_the_unread_count_follows_the_inbox_on_every_page(self):
        self.login(self.resident)
        self.assertNotIn('class="badge"', self.page("/notices/"))
        Message.objects.bulk_create([Message(recipient=self.resident, topic=Topic.CARE, subject="停水", body="-")])
        self.assertRegex(self.page("/notices/"), r'class="badge"[^>]*>1</span>')

    def test_one_viewer_s_footer_is_never_shown_to_another(self):
        self.login(self.resident)
        self.assertIn("<span>周阿姨</span>", self.page("/notices/"))
        self.login(self.resident_b)
        page = self.page("/notices/")
        self.assertIn("<span>吴先生</span>", page)
        self.assertNotIn("周阿姨", page)

    def test_an_error_page_keeps_its_own_layout(self):
        # errors/page.html leaves out the menu and the person: the same parts of base.html, another template.
        self.login(self.resident)
        self.page("/notices/")
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("site-nav", response.content.decode())
        self.assertIn("site-nav", self.page("/notices/"))


class KeptStatementTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        from ledger.chart import create_chart
        from ledger.models import Account, ChainHead

        create_chart(Account, ChainHead)

    def test_a_household_s_statement_is_kept_per_viewer_and_roles(self):
        url = reverse("ledger:household", args=[self.household_a.pk])
        self.login(self.resident)
        self.client.get(url)
        # session, user, the household (access), the state: the statement is kept
        with self.assertNumQueries(4):
            self.assertNotIn("登记缴费", self.client.get(url).content.decode())
        self.login(self.chair)
        self.assertIn("登记缴费", self.client.get(url).content.decode())
        self.login(self.resident)
        self.assertNotIn("登记缴费", self.client.get(url).content.decode())
        self.login(self.resident_b)
        self.assertEqual(self.client.get(url).status_code, 404)


class KeptNonceTest(BaseTestCase):
    """HTML carrying a request's CSP nonce is never kept: the next request's header would not allow its scripts."""

    def request(self):
        request = RequestFactory().get("/")
        request.user = self.resident
        request._csp_nonce = LazyNonce()  # as django.middleware.csp sets it
        return request

    def test_html_with_the_request_s_nonce_is_made_for_every_request(self):
        made = []

        def make(request):
            made.append(request)
            return f'<script nonce="{request._csp_nonce}">go()</script>', []

        first, second = self.request(), self.request()
        self.assertIn(str(first._csp_nonce), panels.kept(first, "scripted", (), lambda: make(first)))
        self.assertIn(str(second._csp_nonce), panels.kept(second, "scripted", (), lambda: make(second)))
        self.assertEqual(made, [first, second])

    def test_html_without_it_is_kept_though_the_nonce_was_made(self):
        made = []

        def make(request):
            made.append(request)
            return "<p>no script</p>", []

        first, second = self.request(), self.request()
        str(first._csp_nonce), str(second._csp_nonce)  # made for another part of the page
        panels.kept(first, "plain", (), lambda: make(first))
        self.assertEqual(panels.kept(second, "plain", (), lambda: make(second)), "<p>no script</p>")
        self.assertEqual(made, [first])

    def test_a_layout_part_with_the_nonce_is_not_kept(self):
        part = Template(
            '{% load layout %}{% kept_part scripted %}<script nonce="{{ csp_nonce }}"></script>{% end_kept_part %}'
        )
        pages = []
        for _ in range(2):
            request = self.request()
            pages.append(part.render(RequestContext(request, {"csrf_token": "t", "csp_nonce": request._csp_nonce})))
        self.assertNotEqual(pages[0], pages[1])
        self.assertIn(str(request._csp_nonce), pages[1])
