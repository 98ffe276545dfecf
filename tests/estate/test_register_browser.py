"""The committee imports a roster on a phone, as it would in the estate office."""

from decimal import Decimal
from pathlib import Path

import pytest

from estate.models import Household
from tests.browser.conftest import browser_context_args, browser_type_launch_args, login  # noqa: F401
from tests.browser.test_resident_phone import estate  # noqa: F401  (the personas, for a live server)
from tests.estate.rosters import xlsx_bytes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("estate")
def test_a_committee_member_imports_a_roster_on_a_phone(page, live_server, tmp_path):
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(xlsx_bytes([["1栋", 1, 301, "周阿姨", "138 1234 1234", "105.5㎡"],
                                   ["3号楼", 1, 101, "陈大明", "+86 137 0000 1111", 85.5]]))
    login(page, live_server, "member")  # the chair has two-factor login: a code page first
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav summary:has-text('住户')")  # the committee's household pages fold under 住户
    page.click("nav >> text=导入花名册")
    page.set_input_files("input[type=file]", str(roster))
    page.click("text=预览变化")
    main = page.locator("main").inner_text()
    assert "还没有写入任何内容" in main
    assert "101.50" in main and "105.50" in main and "3-1-101" in main
    assert Household.objects.get(code="1-1-301").area == Decimal("101.50")  # nothing written yet
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "roster-preview-360.png", full_page=True)
    page.click("text=确认导入")
    page.wait_for_url(f"{live_server.url}/households/")
    assert "花名册已导入：新增 1 户，修改 1 户" in page.locator(".messages").inner_text()
    assert Household.objects.get(code="1-1-301").area == Decimal("105.50")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=ARTIFACTS / "household-list-360.png", full_page=True)
