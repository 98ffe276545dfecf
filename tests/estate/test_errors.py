"""Error pages in the site's layout and language, with a way home, even with the database down."""

from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import path, reverse

from estate.urls import *  # noqa: F403 (the project's URLs and error handlers, plus the two below)
from estate.urls import urlpatterns as project_urlpatterns
from tests.base import BaseTestCase


def _boom(request):
    raise RuntimeError("a bug")


def _database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


urlpatterns = [*project_urlpatterns, path("boom/", _boom), path("db-gone/", _database_gone)]


class _DatabaseDown:
    """Every query fails as it would with the server down; counts the queries that were tried."""

    def __init__(self):
        self.tried = 0

    def __call__(self, execute, sql, params, many, context):
        self.tried += 1
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@override_settings(ROOT_URLCONF=__name__)
class ErrorPagesTest(BaseTestCase):
    def setUp(self):
        self.client = Client(raise_request_exception=False)

    def assertFriendly(self, response, status, heading):
        self.assertEqual(response.status_code, status)
        self.assertContains(response, '<html lang="zh-hans">', status_code=status)
        self.assertContains(response, 'class="site-header', status_code=status)
        self.assertContains(response, f"<h1>{heading}</h1>", html=True, status_code=status)
        self.assertContains(response, f'href="{reverse("estate:dashboard")}"', status_code=status)
        self.assertContains(response, "返回首页", status_code=status)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_a_missing_page_says_so_in_chinese_with_a_way_home(self):
        self.assertFriendly(self.client.get("/no-such-page/"), 404, "找不到这个页面")

    def test_english_is_available(self):
        self.client.post(reverse("set_language"), {"language": "en"})
        response = self.client.get("/no-such-page/")
        self.assertContains(response, "<h1>Page not found</h1>", html=True, status_code=404)
        self.assertContains(response, "Back to the home page", status_code=404)

    def test_a_mistyped_notice_code_explains_what_to_check(self):
        response = self.client.get(reverse("notice-verify", args=["K7Q2X"]))
        self.assertFriendly(response, 404, "没有这个编号的公示")
        self.assertContains(response, "二维码", status_code=404)

    def test_a_forbidden_page_is_friendly(self):
        self.login(self.resident)
        self.assertFriendly(self.client.get(reverse("accounts:activity")), 403, "您无权打开这个页面")

    def test_a_bad_request_is_friendly(self):
        response = self.client.get("/", headers={"host": "evil.example"})
        self.assertFriendly(response, 400, "无法理解这个请求")

    def test_an_expired_form_is_explained(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("account_login"), {"login": "resident", "password": "x"})
        self.assertFriendly(response, 403, "表单已过期")

    def test_the_500_page_renders_with_the_database_down(self):
        self.login(self.resident)
        down = _DatabaseDown()
        with connection.execute_wrapper(down):
            response = self.client.get("/boom/")
        self.assertFriendly(response, 500, "服务器出了点问题")
        self.assertEqual(down.tried, 0)

    def test_a_database_that_does_not_answer_gets_its_own_page(self):
        self.login(self.resident)
        down = _DatabaseDown()
        with connection.execute_wrapper(down):
            response = self.client.get(reverse("estate:dashboard"))
        self.assertFriendly(response, 503, "网站暂时休息一下")
        self.assertEqual(response["Retry-After"], "60")
        self.assertEqual(down.tried, 1)  # the session it tried to read, then nothing more

    def test_a_database_error_raised_anywhere_gets_the_same_page(self):
        self.assertFriendly(self.client.get("/db-gone/"), 503, "网站暂时休息一下")
