"""On a phone: a resident reports a broken light with a photo, the committee accepts and assigns it."""

import io
from pathlib import Path

import pytest
from PIL import Image

from repairs.models import Skill, Ticket, Volunteer
from tests.background import run_queued_tasks
from tests.base import Personas
from tests.browser.conftest import login

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def estate(db):
    class World(Personas):
        pass

    World.create_personas()
    World.zhao = Volunteer.objects.create(user=World.volunteer, skills=[Skill.ELECTRICAL])
    return World


def camera_photo():
    """What a phone's camera hands over: a JPEG a few hundred pixels wide (smaller, for speed)."""
    image = Image.new("RGB", (800, 600), (40, 40, 46))
    image.paste((230, 220, 120), (350, 40, 450, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_reports_with_a_photo_and_the_committee_assigns_it(page, browser, browser_context_args,
                                                                        live_server, estate):
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, live_server, "resident")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/repairs/new/")
    page.select_option("select[name=place]", "stairwell")
    page.select_option("select[name=building]", str(estate.building1.pk))
    page.select_option("select[name=category]", "electrical")
    page.fill("input[name=spot]", "1单元5楼")
    page.fill("textarea[name=description]", "楼道灯不亮，晚上看不见台阶。")
    page.set_input_files("input[name=photos]", files=[
        {"name": "IMG_20260512.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()},
    ])
    no_sideways_scrolling(page)
    page.screenshot(path=ARTIFACTS / "repair-report-form-360.png", full_page=True)
    page.click("form.report-form button[type=submit]")

    ticket = Ticket.objects.get()
    page.wait_for_url(f"{live_server.url}/repairs/{ticket.pk}/")
    # The photo waits for the background worker; until it has run, the ticket says so.
    assert page.locator("section.photos .photo-pending").inner_text() == "处理中"
    page.screenshot(path=ARTIFACTS / "repair-photo-processing-360.png", full_page=True)
    assert run_queued_tasks() == 1
    assert ticket.photos.count() == 1
    page.reload()
    photo = page.locator("section.photos img").first
    photo.wait_for()
    # The photo loads lazily, once in view, and from the server's permission-checked view: wait for it
    # (a busy machine took longer than a check at once did).
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle(),
                           timeout=10_000)
    no_sideways_scrolling(page)
    page.screenshot(path=ARTIFACTS / "repair-reported-360.png", full_page=True)

    committee = browser.new_context(**browser_context_args)
    member = committee.new_page()
    login(member, live_server, "member")
    member.wait_for_url(f"{live_server.url}/")
    member.goto(f"{live_server.url}/repairs/{ticket.pk}/")
    member.click(f"form[action='/repairs/{ticket.pk}/move/accept/'] button")
    member.wait_for_url(f"{live_server.url}/repairs/{ticket.pk}/")
    member.select_option("select[name=assignee]", f"v{estate.zhao.pk}")
    member.click("form.assign-form button[type=submit]")
    member.wait_for_url(f"{live_server.url}/repairs/{ticket.pk}/")
    no_sideways_scrolling(member)
    member.screenshot(path=ARTIFACTS / "repair-assigned-360.png", full_page=True)
    committee.close()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.volunteer) == (Ticket.Status.ASSIGNED, estate.zhao)
    page.reload()
    assert estate.volunteer.name in page.locator("main").inner_text()
