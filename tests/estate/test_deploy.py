"""Production configuration: what settings.py makes of a production environment, and what it sends.

The settings are read in a subprocess with nothing but production-style environment variables (the
test run's own, such as SECURE_COOKIES=false, are left out), then applied to requests in this process.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone

from tests.base import BaseTestCase

HOST = "jiayuan.example.org"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p9Xw-0production-style-key-4f7Qk2mZr8LtVb3NcYh6JdSa1GeUo5Ri",
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "BEHIND_PROXY": "true",
    "EMAIL_HOST": "smtp.example.org",
    # Never connected to: reading the settings and `check --deploy` need no database.
    "DATABASE_URL": "postgres://jiayuan@127.0.0.1:1/jiayuan",
}
SECURITY_SETTINGS = [
    "DEBUG", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY", "CSRF_TRUSTED_ORIGINS",
    "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", "BEHIND_PROXY",
]


def run_django(args, **environment):
    """Run `python args...` in the project with exactly `environment` (plus PATH and a locale)."""
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", **environment}
    return subprocess.run([sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def production_settings():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = run_django(["-c", script], DJANGO_SETTINGS_MODULE="estate.settings", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


class DeployCheckTest(BaseTestCase):
    def test_check_deploy_reports_nothing_with_production_values(self):
        result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(self):
        environment = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
        result = run_django(["manage.py", "check"], **environment)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set when DEBUG is off", result.stderr)

    def test_debug_runs_with_a_development_key(self):
        result = run_django(["manage.py", "check"], DEBUG="true", DATABASE_URL=PRODUCTION["DATABASE_URL"])
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_bad_value_is_named(self):
        result = run_django(["manage.py", "check"], **{**PRODUCTION, "BEHIND_PROXY": "maybe"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("BEHIND_PROXY must be true or false, not 'maybe'", result.stderr)


class SecurityHeadersTest(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.production = production_settings()

    def setUp(self):
        override = self.settings(**self.production, ALLOWED_HOSTS=[HOST, "testserver"])
        override.enable()
        self.addCleanup(override.disable)

    def get(self, url, secure=True, **headers):
        return self.client.get(url, secure=secure, headers={"host": HOST, **headers})

    def test_production_values_are_secure(self):
        p = self.production
        self.assertFalse(p["DEBUG"])
        self.assertTrue(p["SECURE_SSL_REDIRECT"])
        self.assertEqual(p["SECURE_HSTS_SECONDS"], 365 * 24 * 60 * 60)
        self.assertTrue(p["SESSION_COOKIE_SECURE"] and p["CSRF_COOKIE_SECURE"] and p["LANGUAGE_COOKIE_SECURE"])
        self.assertEqual(p["SECURE_PROXY_SSL_HEADER"], ("HTTP_X_FORWARDED_PROTO", "https"))
        self.assertEqual(p["CSRF_TRUSTED_ORIGINS"], [f"https://{HOST}"])

    def test_a_page_carries_every_security_header(self):
        response = self.get(reverse("account_login"))
        self.assertEqual(response.status_code, 200)
        csp = response.headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                          "form-action 'self'", "base-uri 'self'"):
            self.assertIn(directive, csp)
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(response.headers["Strict-Transport-Security"],
                         "max-age=31536000; includeSubDomains; preload")
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")
        self.assertEqual(response.headers["Referrer-Policy"], "same-origin")
        self.assertEqual(response.headers["Cross-Origin-Opener-Policy"], "same-origin")

    def test_plain_http_is_sent_to_https_without_hsts(self):
        response = self.get(reverse("account_login"), secure=False)
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response.headers["Location"], f"https://{HOST}{reverse('account_login')}")
        self.assertNotIn("Strict-Transport-Security", response.headers)

    def test_the_proxy_tells_the_app_the_request_came_over_https(self):
        response = self.get(reverse("account_login"), secure=False, x_forwarded_proto="https")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Strict-Transport-Security", response.headers)

    def test_login_limits_count_each_visitor_not_the_proxy(self):
        def fail_login(address, n):
            return self.client.post(reverse("account_login"), {"login": f"nobody{n}", "password": "wrong"},
                                    secure=True, headers={"host": HOST, "x-real-ip": address})

        def refused_for_too_many(response):
            errors = response.context["form"].non_field_errors().as_data()
            return any(error.code == "too_many_login_attempts" for error in errors)

        for n in range(10):
            self.assertFalse(refused_for_too_many(fail_login("203.0.113.7", n)))
        self.assertTrue(refused_for_too_many(fail_login("203.0.113.7", 10)))
        self.assertFalse(refused_for_too_many(fail_login("198.51.100.9", 11)),
                         "one visitor's failures locked out another")

    def test_healthz_answers_over_plain_http_for_health_checks(self):
        response = self.get(reverse("healthz"), secure=False)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})
        self.assertIn("no-cache", response.headers["Cache-Control"])

    def test_cookies_are_secure_and_out_of_reach_of_scripts(self):
        self.member.set_password("a real login, over https")  # hashed with this test run's fast hasher
        self.member.save()
        page = self.get(reverse("account_login"))
        response = self.client.post(
            reverse("account_login"), {"login": "member", "password": "a real login, over https"},
            secure=True, headers={"host": HOST, "x-real-ip": "203.0.113.7",
                                  "x-csrftoken": page.cookies["csrftoken"].value},
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
        for name in ("sessionid", "csrftoken"):
            with self.subTest(cookie=name):
                cookie = response.cookies[name] if name in response.cookies else page.cookies[name]
                self.assertTrue(cookie["secure"])
                self.assertTrue(cookie["httponly"])
                self.assertEqual(cookie["samesite"], "Lax")
        # Not remembered (ACCOUNT_SESSION_REMEMBER off): the cookie also ends when the browser closes;
        # the server ends the session after two idle hours (below).
        self.assertEqual(response.cookies["sessionid"]["max-age"], "")

    def test_a_session_ends_after_two_idle_hours_and_lives_while_used(self):
        self.login(self.member)
        dashboard = reverse("estate:dashboard")
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for _ in range(3):
                clock.shift(timedelta(hours=1, minutes=55))
                self.assertEqual(self.get(dashboard).status_code, 200, "an active session was ended")
            clock.shift(timedelta(hours=2, minutes=1))
            response = self.get(dashboard)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers["Location"].startswith(reverse("account_login")))


class FindPythonTest(SimpleTestCase):
    """scripts/find-python, which `make` asks for the interpreter of .venv."""

    def find(self, folder):
        return subprocess.run(["/bin/bash", str(settings.BASE_DIR / "scripts" / "find-python")],
                              env={"PATH": str(folder), "PYENV_ROOT": "/nonexistent"},
                              capture_output=True, text=True, timeout=30, check=False)

    def fake_python(self, folder, name, *, version_ok, has_venv=True):
        # Answers the script's two questions: "at least 3.12?" and "can it make a venv?".
        script = folder / name
        script.write_text(
            "#!/bin/sh\n"
            f'case "$2" in *version_info*) exit {0 if version_ok else 1};; *) exit {0 if has_venv else 1};; esac\n'
        )
        script.chmod(0o755)
        return script

    def setUp(self):
        system = [p for d in ("/usr/local/bin", "/usr/bin") for p in Path(d).glob("python3.1[2-9]")]
        if system:
            self.skipTest(f"this machine has a system Python of 3.12 or newer ({system[0]}), always found")
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder)

    def test_it_explains_when_no_python_is_recent_enough(self):
        self.fake_python(self.folder, "python3", version_ok=False)
        result = self.find(self.folder)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn("Jiayuan needs Python 3.12 or newer", result.stderr)

    def test_it_names_a_python_without_venv(self):
        self.fake_python(self.folder, "python3.12", version_ok=True, has_venv=False)
        result = self.find(self.folder)
        self.assertEqual(result.returncode, 1)
        self.assertIn("apt-get install python3-venv", result.stderr)

    def test_it_prefers_the_newest_python(self):
        self.fake_python(self.folder, "python3", version_ok=False)
        self.fake_python(self.folder, "python3.12", version_ok=True)
        newest = self.fake_python(self.folder, "python3.13", version_ok=True)
        result = self.find(self.folder)
        self.assertEqual((result.returncode, result.stdout.strip()), (0, str(newest)))


class ProxyConfigurationTest(SimpleTestCase):
    def test_the_readmes_proxy_lets_the_largest_upload_through(self):
        # A repair report takes six photos of up to 10 MB: a smaller body limit at nginx answers its
        # own 413 page to a resident sending three photos from a phone.
        import re

        from estate import uploads
        from repairs.models import Ticket

        readme = (settings.BASE_DIR / "README.md").read_text()
        limits = [int(size) for size in re.findall(r"client_max_body_size (\d+)m", readme)]
        self.assertEqual(len(limits), 3)
        largest = Ticket.MAX_PHOTOS * uploads.MAX_BYTES // (1024 * 1024)
        for limit in limits:
            self.assertGreater(limit, largest)
