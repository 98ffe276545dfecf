"""A key keeper and a witness, each on their own phone, take a key out and put it back."""

import io
from pathlib import Path

import pytest
from PIL import Image

from keys.models import KeyHandover
from tests.base import Personas
from tests.browser.conftest import PHONE, login
from tests.keys.base import Cabinet

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def cabinet(db):
    class World(Cabinet, Personas):
        pass

    World.create_personas()
    World.create_cabinet()
    return World


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone (browser context) per person, so each has their own session."""
    contexts = []

    def open_phone(username):
        context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        login(page, live_server, username)
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_phone
    for context in contexts:
        context.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
    page.screenshot(path=ARTIFACTS / f"keys-{name}-360.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_keeper_and_a_witness_take_a_key_out_and_bring_it_back_on_their_own_phones(
    phone, live_server, cabinet, tmp_path
):
    keeper = phone("volunteer")
    witness = phone("volunteer2")

    # The keeper asks to take K-017 out to water the plants, naming the witness: the first confirmation.
    keeper.goto(f"{live_server.url}/keys/deposits/{cabinet.deposit.pk}/")
    keeper.get_by_role("link", name="取出钥匙").click()
    keeper.get_by_label("浇花").check()
    keeper.get_by_label("见证人").select_option(label="孙阿姨")
    shot(keeper, "take-out-form")
    keeper.get_by_role("button", name="我来取钥匙").click()
    assert "等待见证人确认" in keeper.locator("main").inner_text()
    shot(keeper, "keeper-waiting")
    handover = KeyHandover.objects.get()
    assert handover.state == KeyHandover.State.AWAITING_WITNESS

    # The witness finds it on the key keepers' page and confirms on their own phone: now the key is out.
    witness.goto(f"{live_server.url}/keys/")
    witness.get_by_role("link", name="K-017").first.click()
    assert "1-1-301" not in witness.content()  # a witness who keeps no keys is not shown the address
    shot(witness, "witness-confirm")
    witness.get_by_role("button", name="我见证：钥匙取出").click()
    assert "已取出" in witness.locator(".key-state").inner_text()
    assert KeyHandover.objects.get().is_out

    # Back at the cabinet: the keeper says what was done, with a photo, and confirms first.
    photo = tmp_path / "plants.png"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "green").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    keeper.reload()
    keeper.get_by_label("做了什么").fill("浇了阳台的花，关好窗户")
    keeper.get_by_label("照片（可不传）").set_input_files(photo)
    shot(keeper, "keeper-return")
    keeper.get_by_role("button", name="我确认：钥匙已挂回原位").click()
    assert "另一人用自己的账号确认" in keeper.locator("main").inner_text()
    assert KeyHandover.objects.get().state == KeyHandover.State.RETURNING

    witness.reload()
    witness.get_by_role("button", name="我确认：钥匙已挂回原位").click()
    assert "已放回钥匙柜" in witness.locator(".key-state").inner_text()
    shot(witness, "witness-back")
    handover = KeyHandover.objects.get()
    assert handover.state == KeyHandover.State.BACK
    assert [e.by.username for e in handover.events.order_by("at", "pk")] == [
        "volunteer", "volunteer2", "volunteer", "volunteer2"
    ]
