"""Login limits that cannot be turned against the committee (docs/ARCHITECTURE.md, "Login limits")."""

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.models import ActivityRecord
from tests.base import BaseTestCase

PASSWORD = "correct horse battery"
HELD_BACK = "登录失败次数过多，请稍后重试。"


class LoginLimitsTest(BaseTestCase):
    def setUp(self):
        for persona in (self.member, self.resident, self.resident_b):
            persona.set_password(PASSWORD)
            persona.save(update_fields=["password"])

    def log_in(self, login, password=PASSWORD, address="203.0.113.7", **headers):
        self.client.logout()
        return self.client.post(
            reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=address, **headers
        )

    def assertLoggedIn(self, response):
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)
        self.assertIn(SESSION_KEY, self.client.session)

    def test_a_strangers_wrong_passwords_never_lock_the_account_out_from_elsewhere(self):
        # (The committee's personas log in with two-factor; the rule is the same for every account.)
        for _ in range(12):
            self.log_in("resident", "guess", address="198.51.100.66")
        self.assertContains(self.log_in("resident", address="198.51.100.66"), HELD_BACK)
        self.assertLoggedIn(self.log_in("resident", address="203.0.113.7"))

    def test_failures_for_one_login_from_one_address_slow_that_pair_down(self):
        for _ in range(5):
            self.assertContains(self.log_in("resident", "guess"), "用户名或密码不正确")
        response = self.log_in("resident")  # even the right password, for now
        self.assertContains(response, HELD_BACK)
        self.assertNotIn(SESSION_KEY, self.client.session)
        # The same address may still log in to another account: a household shares one router.
        self.assertLoggedIn(self.log_in("resident_b"))

    def test_an_address_guessing_across_accounts_is_held_back(self):
        for name in ("chair", "treasurer", "member", "head1", "volunteer", "resident", "resident_b",
                     "outsider", "nobody", "admin"):
            self.assertContains(self.log_in(name, "guess"), "用户名或密码不正确")
        self.assertContains(self.log_in("resident_b"), HELD_BACK)
        self.assertLoggedIn(self.log_in("resident_b", address="192.0.2.10"))

    def test_a_successful_login_takes_back_its_own_attempt(self):
        for _ in range(3):
            self.assertLoggedIn(self.log_in("resident"))
        for _ in range(4):
            self.log_in("resident", "typo")
        self.assertLoggedIn(self.log_in("resident"))

    def test_the_chair_sees_a_burst_once_not_every_attempt(self):
        for _ in range(9):
            self.log_in("member", "guess", address="198.51.100.66")
        records = ActivityRecord.objects.filter(verb="user.login_held_back")
        self.assertEqual(records.count(), 1)
        record = records.get()
        self.assertEqual(record.source, "198.51.100.66")
        self.assertEqual(record.target_repr, str(self.member))
        self.assertEqual(record.details, {"login": "member"})
        self.assertIsNone(record.actor)
        # A second address's burst is a second record.
        for _ in range(6):
            self.log_in("member", "guess", address="198.51.100.67")
        self.assertEqual(records.count(), 2)
        self.login(self.chair)
        page = self.client.get(reverse("accounts:activity"))
        self.assertContains(page, "198.51.100.66")
        self.assertContains(page, "拦下了多次登录失败")


class ProxySettingTest(BaseTestCase):
    def setUp(self):
        self.resident.set_password(PASSWORD)
        self.resident.save(update_fields=["password"])

    def log_in(self, **meta):
        return self.client.post(reverse("account_login"), {"login": "resident", "password": PASSWORD}, **meta)

    def test_unset_behind_proxy_refuses_logins_that_came_through_a_proxy_and_says_why(self):
        with self.assertLogs("accounts.adapter", "ERROR") as logs:
            response = self.log_in(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
        self.assertContains(response, "BEHIND_PROXY")
        self.assertContains(response, "无法分辨访问者")
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertIn("Set BEHIND_PROXY=true", logs.output[0])

    def test_unset_behind_proxy_lets_direct_visitors_in(self):
        response = self.log_in(REMOTE_ADDR="127.0.0.1")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)

    def test_a_forwarding_header_from_the_internet_proves_nothing_and_is_ignored(self):
        response = self.log_in(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)

    @override_settings(BEHIND_PROXY=False)
    def test_behind_proxy_false_is_a_decision_and_logins_go_ahead(self):
        response = self.log_in(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)

    @override_settings(BEHIND_PROXY=True, ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    def test_behind_a_trusted_proxy_each_visitor_has_their_own_limits(self):
        for _ in range(12):
            self.client.post(reverse("account_login"), {"login": "resident", "password": "guess"},
                             REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.66")
        response = self.log_in(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)


class ThrottledLoginPageTest(BaseTestCase):
    """Held back, a visitor still sees the site: its layout, its language and a way home (estate/errors.py)."""

    def setUp(self):
        self.resident.set_password(PASSWORD)
        self.resident.save(update_fields=["password"])

    def post_login(self, login="resident", password=PASSWORD, address="198.51.100.4"):
        return self.client.post(reverse("account_login"), {"login": login, "password": password},
                                REMOTE_ADDR=address)

    def over_the_login_limit(self, address="198.51.100.4"):
        # ACCOUNT_RATE_LIMITS["login"] is 30 a minute per address; an empty form costs no password check.
        for _ in range(30):
            self.assertEqual(self.client.post(reverse("account_login"), {}, REMOTE_ADDR=address).status_code, 200)
        return self.post_login(address=address)

    def test_too_many_logins_from_one_address_get_the_sites_own_429_page_in_chinese(self):
        response = self.over_the_login_limit()
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertContains(response, '<html lang="zh-hans">', status_code=429)
        self.assertContains(response, 'class="site-header', status_code=429)
        self.assertContains(response, "<h1>尝试次数太多</h1>", html=True, status_code=429)
        self.assertContains(response, "请等一分钟再试", status_code=429)
        self.assertContains(response, f'href="{reverse("estate:dashboard")}"', status_code=429)
        self.assertContains(response, "返回首页", status_code=429)
        self.assertNotContains(response, "Too Many Requests", status_code=429)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_the_429_page_speaks_english_to_those_who_chose_it(self):
        self.client.post(reverse("set_language"), {"language": "en"})
        response = self.over_the_login_limit()
        self.assertContains(response, '<html lang="en">', status_code=429)
        self.assertContains(response, "<h1>Too many attempts</h1>", html=True, status_code=429)
        self.assertContains(response, "Wait a minute, then try again.", status_code=429)
        self.assertContains(response, "Back to the home page", status_code=429)

    def test_the_limit_lives_in_the_shared_cache_and_holds_back_only_that_address(self):
        self.assertEqual(self.over_the_login_limit().status_code, 429)
        self.assertLoggedInFrom("192.0.2.99")  # another address is not held back
        self.client.logout()
        cache.clear()  # what a minute's wait does: the counts expire from the cache table
        self.assertLoggedInFrom("198.51.100.4")

    def test_held_back_after_failed_passwords_the_answer_is_the_login_form_with_a_message(self):
        self.client.post(reverse("set_language"), {"language": "en"})
        for _ in range(5):
            self.post_login(password="guess")
        response = self.post_login()  # the right password, too soon
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, 'class="site-header')
        self.assertContains(response, "Too many failed login attempts. Try again later.")
        self.assertContains(response, 'name="password"')
        self.assertNotIn(SESSION_KEY, self.client.session)

    def assertLoggedInFrom(self, address):
        response = self.post_login(address=address)
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)
