from pathlib import Path

import pytest

from tests.base import Personas
from tests.browser.conftest import login

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def estate(db):
    class World(Personas):
        pass

    World.create_personas()
    return World


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_logs_in_on_a_phone_and_sees_their_household(page, live_server, estate):
    login(page, live_server, "resident")
    page.wait_for_url(f"{live_server.url}/")
    body = page.locator("main")
    assert "我家" in body.inner_text()
    assert "1-1-301" in body.inner_text()
    assert "2-1-101" not in page.content()
    # Nothing wider than the phone: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "resident-dashboard-360.png", full_page=True)
