from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from ledger import services
from ledger.chart import create_chart
from ledger.models import Account, ChainHead, FeeRate
from tests.base import Personas
from tests.browser.conftest import PHONE, login

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def estate(db):
    class World(Personas):
        pass

    create_chart(Account, ChainHead)  # a transactional test starts from an emptied database
    World.create_personas()
    month = timezone.localdate().replace(day=1)
    FeeRate.objects.create(rate=Decimal("0.39"), effective_from=month)
    services.month_bill(month=month, by=World.treasurer)
    return World



@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_treasurer_records_a_payment_and_the_resident_downloads_the_receipt(browser, live_server, estate):
    year = timezone.localdate().year
    treasurer = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = treasurer.new_page()
    login(page, live_server, "treasurer")  # with the code of the treasurer's authenticator app
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/ledger/households/{estate.household_a.pk}/pay/")
    page.fill("input[name=amount]", "39.59")
    page.click("text=登记缴费并开收据")
    page.wait_for_url("**/ledger/receipts/*/")
    receipt = page.locator("main").inner_text()
    assert f"{year}-000001" in receipt
    assert "叁拾玖元伍角玖分" in receipt
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "ledger-receipt-360.png", full_page=True)

    resident = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    mine = resident.new_page()
    login(mine, live_server, "resident")
    mine.wait_for_url(f"{live_server.url}/")
    mine.goto(f"{live_server.url}/ledger/mine/")
    statement = mine.locator("main").inner_text()
    assert f"{year}-000001" in statement
    assert "已缴清" in statement
    assert mine.evaluate("document.documentElement.scrollWidth") <= 360
    mine.screenshot(path=ARTIFACTS / "ledger-my-household-360.png", full_page=True)
    # The receipt opens in the browser (WeChat's browser often blocks downloads), named for saving.
    href = mine.get_attribute("text=收据 PDF", "href")
    response = mine.request.get(f"{live_server.url}{href}")
    assert response.body().startswith(b"%PDF-")
    assert response.headers["content-disposition"] == f'inline; filename="receipt-{year}-000001.pdf"'
