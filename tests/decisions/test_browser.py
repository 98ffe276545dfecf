from pathlib import Path

import pytest
from django.db import transaction

from decisions.models import Ballot
from tests.base import Personas
from tests.browser.a11y import page_problems
from tests.browser.conftest import login
from tests.decisions.base import Votes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def vote(db):
    class World(Votes, Personas):
        pass

    World.create_personas()
    World.create_vote()
    with transaction.atomic():
        from decisions import services

        services.motion_open(motion=World.motion, by=World.chair)
    return World


@pytest.mark.browser
# serialized_rollback: the chart of accounts and the chain head the migrations made are back for the tests after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_owner_votes_on_a_phone_and_keeps_the_receipt(page, live_server, vote):
    login(page, live_server, "resident")
    page.goto(f"{live_server.url}/decisions/")
    page.click("text=更换小区大门门禁系统")
    page.click("text=为 1-1-301 表决")
    assert "全文如下" in page.locator("main").inner_text()
    against = page.locator("button.vote-no")
    box = against.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 280, box
    against.click()
    assert "1-1-301 的表决" in page.locator("main").inner_text()
    assert not Ballot.objects.exists()
    page.click("text=确认，记录我的表决")
    page.wait_for_url("**/decisions/ballots/*/receipt/")
    ballot = Ballot.objects.get()
    receipt = page.locator("main").inner_text()
    assert ballot.choice == "no"
    assert f"{ballot.code[:4]}-{ballot.code[4:]}" in receipt
    assert "反对" in receipt
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "decisions-receipt-360.png", full_page=True)

    # Before the close the owner changes the vote: each choice is a target a thumb can hit.
    page.click("text=修改我的表决")
    assert page_problems(page, 360) == []
    choice = page.locator("label:has(> input[value=yes])")
    box = choice.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 280, box
    choice.click()
    page.fill("input[name=reason]", "看了报价，改为同意。")
    page.screenshot(path=ARTIFACTS / "decisions-change-360.png", full_page=True)
    page.click("button:text('继续')")
    page.click("text=确认修改")
    page.wait_for_url("**/decisions/ballots/*/receipt/")
    current = Ballot.objects.get(replaced_by__isnull=True)
    assert current.choice == "yes" and current.replaces == ballot
    assert "同意" in page.locator("main").inner_text()
