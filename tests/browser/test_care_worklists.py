"""The buddy's and the key keeper's worklists on a 360 px phone: one tap records the sign."""

from datetime import time
from pathlib import Path

import pytest

from care.models import Agreement, Check
from tests.base import Personas
from tests.browser.conftest import PHONE, login
from tests.keys.base import Cabinet

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
    page.screenshot(path=ARTIFACTS / f"care-{name}-360.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_buddy_taps_once_and_the_keeper_sees_visits_due_on_a_phone(page, live_server):
    class World(Cabinet, Personas):
        pass

    World.create_personas()
    World.create_cabinet()
    agreement = Agreement.objects.create(
        household=World.household_a, person=World.resident_record, sign=Agreement.Sign.CURTAINS,
        deadline=time(23, 59), buddy=World.volunteer, consent_by=Agreement.ConsentBy.PERSON,
        consent_name="周阿姨", consent_recorded_by=World.chair)

    login(page, live_server, "volunteer")
    page.goto(f"{live_server.url}/care/")
    button = page.get_by_role("button", name="看到了：平安")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 270  # a large target, across the phone
    shot(page, "today")
    button.click()
    page.wait_for_selector("text=已记录，谢谢您。")
    assert Check.objects.get(agreement=agreement).by == World.volunteer
    assert page.locator("text=看到了：平安").count() == 0

    page.goto(f"{live_server.url}/care/visits/")
    assert page.locator(".visit").count() >= 1  # K-017: watering plants, any day
    assert "K-017" in page.inner_text("main")
    shot(page, "visits")
