from pathlib import Path

import pytest

from accounts import services
from accounts.models import Role, User
from tests.base import Personas

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def estate(db):
    class World(Personas):
        pass

    World.create_personas()
    return World


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_opens_the_invitation_on_a_phone_sets_a_password_and_sees_their_household(
    page, live_server, estate
):
    invitation = services.invitation_create(
        by=estate.member, name="钱大爷", role_kind=Role.Kind.RESIDENT, household=estate.household_a2
    )
    page.goto(f"{live_server.url}/users/invite/{invitation.token}/")
    assert "钱大爷，您好" in page.locator("h1").inner_text()
    assert page.input_value("input[name=username]") == "1-1-302"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "invitation-accept-360.png", full_page=True)

    page.fill("input[name=password1]", "123456")
    page.fill("input[name=password2]", "123456")
    page.click("button[type=submit]")
    assert "这个密码太常见了" in page.locator("main").inner_text()

    page.fill("input[name=password1]", "qian-daye-1-1-302!")
    page.fill("input[name=password2]", "qian-daye-1-1-302!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    main = page.locator("main").inner_text()
    assert "欢迎！请记住您的用户名：1-1-302" in main
    assert "1-1-302" in main and "我家" in main
    assert "2-1-101" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=ARTIFACTS / "invitation-dashboard-360.png", full_page=True)
    assert User.objects.get(username="1-1-302").household_ids == {estate.household_a2.pk}

    # The same link a second time: a clear page, not a crash.
    page.goto(f"{live_server.url}/users/invite/{invitation.token}/")
    assert "它已经用过了" in page.locator("main").inner_text()
