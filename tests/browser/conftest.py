"""Playwright drives Debian's Chromium: this machine cannot download Playwright's own browser."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def login(page, live_server, username, password="correct horse battery"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/2fa/" in page.url:
        # Everyone who moves money logs in with two-step: the code their authenticator app shows now.
        page.fill("input[name=code]", _current_code(username))
        page.click("button[type=submit]")


def _current_code(username):
    """The code the person's authenticator app shows, as they would type it: not in the last seconds of its
    30-second period, when the server could already be in the next one (it accepts no earlier code)."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user__username=username, type=Authenticator.Type.TOTP)
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)
    return f"{hotp_value(decrypt(authenticator.data['secret']), int(time.time()) // 30):06d}"
