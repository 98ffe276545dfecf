from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from accounts.models import Role
from tests.base import BaseTestCase, make_user

PASSWORD = "correct horse battery"


class PasswordLoginCase(BaseTestCase):
    def setUp(self):
        # The personas' passwords were hashed before the tests' fast hasher was switched on.
        for persona in (self.chair, self.treasurer, self.resident, self.resident_b):
            persona.set_password(PASSWORD)
            persona.save(update_fields=["password"])

    def log_in(self, login, password=PASSWORD):
        return self.client.post(reverse("account_login"), {"login": login, "password": password})


class LoginTest(PasswordLoginCase):
    def test_the_login_page_speaks_chinese_inside_jiayuans_layout(self):
        response = self.client.get(reverse("account_login"))
        self.assertContains(response, '<html lang="zh-hans">')
        self.assertContains(response, 'class="site-header')
        self.assertContains(response, "<h1>登录</h1>", html=True)
        self.assertContains(response, "用户名或email")
        # Signup is closed: the page says how logins are really made, and how to get back in.
        self.assertContains(response, "怎样开通账号")
        self.assertNotContains(response, "请先")
        self.assertContains(response, "忘记密码？请找业委会重新领一张邀请单。")

    def test_the_signup_page_explains_the_invitation_slips(self):
        response = self.client.get(reverse("account_signup"))
        self.assertContains(response, "请向业委会领取一张邀请单")
        # ...and leads back to the login, which the login page itself does not need.
        back = f'<a class="button secondary" href="{reverse("account_login")}">返回登录</a>'
        self.assertContains(response, back, html=True)
        self.assertNotContains(self.client.get(reverse("account_login")), "返回登录")

    def test_english_is_one_click_away(self):
        self.client.post(reverse("set_language"), {"language": "en"})
        response = self.client.get(reverse("account_login"))
        self.assertContains(response, "Sign In")
        self.assertContains(response, "How to get one")

    def test_a_resident_logs_in_by_username_or_by_email(self):
        response = self.log_in("resident")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)
        self.client.logout()
        self.resident.email = "zhou@example.cn"
        self.resident.save()
        response = self.log_in("zhou@example.cn")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)

    def test_a_wrong_password_is_told_in_chinese(self):
        response = self.log_in("resident", "wrong")
        self.assertContains(response, "您提供的用户名或密码不正确。")

    def test_logging_out_takes_a_post(self):
        # A link or an <img> on some page must not be able to log anyone out.
        self.log_in("resident")
        self.assertContains(self.client.get(reverse("account_logout")), "csrfmiddlewaretoken")
        self.assertIn(SESSION_KEY, self.client.session)
        self.client.post(reverse("account_logout"))
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_next_never_leads_off_the_site(self):
        for url, data in ((reverse("account_login"), {"login": "resident", "password": PASSWORD}),
                          (reverse("set_language"), {"language": "en"})):
            for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
                with self.subTest(url=url, next=target):
                    response = self.client.post(url, {**data, "next": target})
                    self.assertEqual(response.status_code, 302)
                    self.assertNotIn("evil.example", response["Location"])
                    self.client.logout()

    def test_repeated_failed_logins_are_throttled_in_the_shared_database_cache(self):
        # The cache every gunicorn worker shares is a database table, not a worker's memory.
        self.assertIsInstance(caches["default"], DatabaseCache)
        for _ in range(5):
            self.assertContains(self.log_in("resident", "guess"), "用户名或密码不正确")
        response = self.log_in("resident")  # even the right password, for now
        self.assertEqual(response.status_code, 200)  # allauth answers with the form and a message, not 429
        self.assertContains(response, "登录失败次数过多，请稍后重试。")
        self.assertNotIn("_auth_user_id", self.client.session)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM jiayuan_cache")
            self.assertGreater(cursor.fetchone()[0], 0)
        # Another login name is not held back by someone guessing at the resident's.
        response = self.log_in("resident_b")
        self.assertRedirects(response, reverse("estate:dashboard"), fetch_redirect_response=False)

    def test_a_login_with_two_factor_asks_for_the_code(self):
        response = self.log_in("chair")
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)
        page = self.client.get(reverse("mfa_authenticate"))
        self.assertContains(page, 'class="site-header')
        self.assertContains(page, "两步验证")


class TwoFactorPagesTest(PasswordLoginCase):
    def test_the_two_factor_pages_render_in_jiayuans_layout(self):
        self.login(self.resident)
        # Setting up an authenticator asks for the password once more (allauth's reauthentication).
        response = self.client.get(reverse("mfa_activate_totp"), follow=True)
        self.assertContains(response, 'class="site-header')
        self.client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        for name in ("mfa_index", "mfa_activate_totp"):
            response = self.client.get(reverse(name))
            self.assertContains(response, 'class="site-header')
            self.assertContains(response, 'class="site-nav')
        self.assertContains(response, 'class="qr"')  # the authenticator's QR code, as a data: image
        self.assertContains(response, "验证器")

    def test_the_nav_offers_two_factor_login_only_to_those_who_handle_money(self):
        self.login(self.resident)
        self.assertNotContains(self.client.get(reverse("estate:dashboard")), reverse("mfa_index"))
        self.login(self.treasurer)
        self.assertContains(self.client.get(reverse("estate:dashboard")), reverse("mfa_index"))


class KeptTwoFactorIndexTest(BaseTestCase):
    """One's two-step login page (allauth's mfa_index) is kept whole per viewer under the people's token."""

    def test_a_kept_page_follows_an_authenticator_written_behind_the_app_s_back(self):
        self.login(self.treasurer)  # a treasurer has an authenticator app (tests.base)
        self.assertContains(self.client.get(reverse("mfa_index")), reverse("mfa_deactivate_totp"))
        self.assertIn(reverse("mfa_deactivate_totp"), self.kept_page_without(reverse("mfa_index"), "mfa_authenticator"))
        Authenticator.objects.filter(user=self.treasurer).delete()  # no view, no activity record
        page = self.client.get(reverse("mfa_index"))
        self.assertContains(page, reverse("mfa_activate_totp"))
        self.assertNotContains(page, reverse("mfa_deactivate_totp"))

    def test_one_person_s_kept_page_is_never_shown_to_another(self):
        self.login(self.treasurer)
        self.assertContains(self.client.get(reverse("mfa_index")), reverse("mfa_deactivate_totp"))
        self.login(self.resident)
        page = self.client.get(reverse("mfa_index"))
        self.assertContains(page, reverse("mfa_activate_totp"))
        self.assertContains(page, f"<span>{self.resident}</span>")


@override_settings(ROOT_URLCONF="tests.accounts.money_urls")
class MoneyNeedsTwoFactorTest(PasswordLoginCase):
    def test_a_chair_without_two_factor_is_sent_to_set_it_up(self):
        make_user("chair2", (Role.Kind.CHAIR, None))
        self.log_in("chair2")
        response = self.client.get("/test-money/")
        self.assertRedirects(response, reverse("accounts:two-step") + "?next=%2Ftest-money%2F",
                             fetch_redirect_response=False)
        page = self.client.get(response["Location"], follow=True)  # by way of confirming the password
        self.assertContains(page, "请先设置两步验证")
        self.assertContains(page, 'class="site-header')

    def test_a_treasurer_without_two_factor_is_sent_too(self):
        Authenticator.objects.filter(user=self.treasurer).delete()
        self.login(self.treasurer)
        self.assertRedirects(self.client.get("/test-money/"),
                             reverse("accounts:two-step") + "?next=%2Ftest-money%2F", fetch_redirect_response=False)

    def test_with_two_factor_the_chair_and_treasurer_pass(self):
        for persona in (self.chair, self.treasurer):
            self.login(persona)
            self.assertContains(self.client.get("/test-money/"), "money page")

    def test_roles_that_never_touch_money_are_not_asked_for_it(self):
        self.login(self.volunteer)
        self.assertContains(self.client.get("/test-money/"), "money page")

    def test_the_anonymous_visitor_is_sent_to_login(self):
        response = self.client.get("/test-money/")
        self.assertRedirects(response, reverse("account_login") + "?next=/test-money/", fetch_redirect_response=False)
