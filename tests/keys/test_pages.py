import re
import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from keys import services
from keys.models import InventoryCheck, KeyDeposit, KeyHandover, Purpose
from tests.keys.base import CONSENT, KeysTestCase

ADDRESSES_AND_NAMES = ("1-1-301", "2-1-101", "周阿姨", "吴先生")


class PrivacyTest(KeysTestCase):
    def test_the_register_shows_tags_hooks_and_status_but_no_address_or_name(self):
        self.take_out(deposit=self.deposit_b)
        self.login(self.chair)
        response = self.client.get("/keys/register/")
        self.assertContains(response, "K-017")
        self.assertContains(response, "K-018")
        self.assertContains(response, "badge warn")  # K-018 is out
        for text in ADDRESSES_AND_NAMES:
            self.assertNotContains(response, text)

    @pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
    def test_the_printed_register_shows_no_address_or_name(self):
        self.login(self.volunteer)
        response = self.client.get("/keys/register.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode()
        self.assertIn("K-017", text)
        self.assertIn("K-018", text)
        for words in ADDRESSES_AND_NAMES:
            self.assertNotIn(words, text)

    @pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
    def test_the_agreement_names_the_household_and_its_consent_for_both_to_sign(self):
        self.login(self.resident)
        response = self.client.get(f"/keys/deposits/{self.deposit.pk}/agreement.pdf")
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode().replace(" ", "")
        for expected in ("K-017", "1-1-301", "周阿姨", "女儿139****5678"):
            self.assertIn(expected, text)
        self.assertIn("第1页/共1页", text)  # the whole agreement on one A4 sheet

    def test_another_household_s_key_pages_answer_404(self):
        handover = self.take_out()
        self.login(self.resident_b)
        for url in (f"/keys/household/{self.household_a.pk}/", f"/keys/deposits/{self.deposit.pk}/",
                    f"/keys/handovers/{handover.pk}/", f"/keys/deposits/{self.deposit.pk}/agreement.pdf"):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_a_witness_who_is_no_keeper_sees_the_hand_over_but_not_the_household(self):
        handover = self.start()
        self.login(self.volunteer2)
        response = self.client.get(f"/keys/handovers/{handover.pk}/")
        self.assertContains(response, "K-017")
        self.assertNotContains(response, "1-1-301")
        self.assertEqual(self.client.get(f"/keys/deposits/{self.deposit.pk}/").status_code, 403)

    def test_the_household_sees_the_whole_story_on_its_page(self):
        self.bring_back(self.take_out(), note="浇了阳台的花")
        self.take_out(purpose=Purpose.EMERGENCY, reason="楼下漏水")
        self.login(self.resident)
        response = self.client.get("/keys/mine/")
        for text in ("K-017", "赵师傅", "孙阿姨", "浇了阳台的花", "楼下漏水", "女儿 139****5678"):
            self.assertContains(response, text)


class KeptHouseholdPageTest(KeysTestCase):
    """The household's keys are kept as HTML per viewer and state of the keys (keys.views.household)."""

    def test_the_second_visit_reads_no_key_row_and_shows_the_same(self):
        self.login(self.resident)
        first = self.client.get("/keys/mine/")
        # session, user with its unread count and roles, household, the state: no deposit, consent or hand-over
        with self.assertNumQueries(4):
            second = self.client.get("/keys/mine/")

        def without_form_token(response):  # masked afresh for every response
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

        self.assertEqual(without_form_token(first), without_form_token(second))

    def test_a_change_written_behind_the_app_s_back_shows_at_once(self):
        self.login(self.resident)
        self.assertContains(self.client.get("/keys/mine/"), "K-017")
        KeyDeposit.objects.filter(pk=self.deposit.pk).update(hook=42)
        self.assertContains(self.client.get("/keys/mine/"), "<dd>42</dd>", html=False)

    def test_the_kept_page_s_form_carries_this_session_s_token(self):
        services.deposit_hand_back(deposit=self.deposit, resident=self.resident_record, by=self.volunteer)
        other = self.client_class(enforce_csrf_checks=True)
        self.login(self.resident)
        other.force_login(self.resident)  # both logins before the first visit: the second visit finds it kept
        self.assertContains(self.client.get("/keys/mine/"), "我已收回钥匙")
        with self.assertNumQueries(4):  # kept: session, user, household, state
            page = other.get("/keys/mine/").content.decode()
        self.assertNotIn("formtoken", page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = other.post(f"/keys/deposits/{self.deposit.pk}/confirm-return/", {"csrfmiddlewaretoken": token})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.reload(self.deposit).status, KeyDeposit.Status.RETURNED)


class KeptKeepersPageTest(KeysTestCase):
    """The key keepers' page is kept as HTML per viewer and state of the keys (keys.views.index)."""

    def test_it_is_kept_per_viewer_until_the_keys_change_however_written_or_a_time_to_confirm_runs_out(self):
        handover = self.start()  # 赵师傅 takes K-017 out; 孙阿姨 is to witness
        self.login(self.volunteer2)
        # made: session, user with its unread count and roles, keeper term, the state, the open hand-overs, events
        with self.assertNumQueries(6):
            self.assertContains(self.client.get("/keys/"), "K-017")
        with self.assertNumQueries(4):  # kept: session, user with its unread count and roles, keeper term, state
            self.assertContains(self.client.get("/keys/"), "K-017")
        self.login(self.chair)  # neither keeper nor witness, and nothing out yet: never 孙阿姨's kept page
        self.assertNotContains(self.client.get("/keys/"), "K-017")
        self.login(self.volunteer2)
        KeyDeposit.objects.filter(pk=self.deposit.pk).update(tag_number=42)  # behind the app's back
        self.assertContains(self.client.get("/keys/"), "K-042")
        with time_machine.travel(handover.confirm_by + timedelta(seconds=1)):
            self.login(self.volunteer2)
            self.assertNotContains(self.client.get("/keys/"), "K-042")  # too late to confirm: no longer waiting


class HandoverPagesTest(KeysTestCase):
    def test_keeper_and_witness_carry_out_a_hand_over_on_their_pages(self):
        self.login(self.volunteer)
        response = self.client.post(f"/keys/deposits/{self.deposit.pk}/take-out/", {
            "purpose": "plants", "witness": self.volunteer2.pk,
        })
        handover = self.deposit.handovers.get()
        self.assertRedirects(response, f"/keys/handovers/{handover.pk}/")
        self.assertContains(self.client.get(response["Location"]), 'http-equiv="refresh"')
        self.login(self.volunteer2)
        self.assertContains(self.client.get("/keys/"), "K-017")  # waiting for the witness
        self.client.post(f"/keys/handovers/{handover.pk}/confirm/")
        self.assertTrue(self.reload(handover).is_out)

    def test_the_take_out_form_preselects_no_purpose_and_refuses_one_not_given(self):
        self.login(self.volunteer)
        url = f"/keys/deposits/{self.deposit.pk}/take-out/"
        page = self.client.get(url).content.decode()
        self.assertIn('value="emergency"', page)
        self.assertNotIn("checked", page)  # not even 紧急入户: the keeper says why
        response = self.client.post(url, {"witness": self.volunteer2.pk})
        self.assertContains(response, "这个字段是必填项")
        self.assertFalse(self.deposit.handovers.exists())

    def test_the_witness_list_leaves_out_the_keeper_and_the_household(self):
        from estate.models import Resident

        Resident.objects.create(household=self.household_a, name="李委员", user=self.member)
        self.login(self.volunteer)
        response = self.client.get(f"/keys/deposits/{self.deposit.pk}/take-out/")
        witnesses = {str(user) for user in response.context["form"].fields["witness"].queryset}
        self.assertEqual(witnesses, {"王主任", "张会计", "孙阿姨"})

    def test_a_refused_hand_over_says_why_and_writes_nothing(self):
        self.login(self.volunteer)
        response = self.client.post(f"/keys/deposits/{self.deposit.pk}/take-out/", {
            "purpose": "repair", "witness": self.volunteer2.pk,
        })
        self.assertContains(response, "今天的授权不包括")
        self.assertFalse(self.deposit.handovers.exists())

    def test_a_new_deposit_is_taken_in_two_steps(self):
        self.login(self.volunteer)
        step = self.client.get("/keys/deposits/new/", {"household": self.household_b.pk})
        self.assertEqual(step.context["form"]["tag_number"].value(), 19)
        self.assertEqual(step.context["form"]["hook"].value(), 1)
        response = self.client.post(f"/keys/deposits/new/?household={self.household_b.pk}", {
            "depositor": self.resident_b_record.pk, "tag_number": "19", "hook": "1", "door_keys": "1",
            "mailbox_keys": "0", "bike_shed_keys": "1", "description": "红色钥匙扣",
            "consent-emergency": "on", "consent-plants": "on", "consent-weekdays": ["0", "3"],
        })
        deposit = self.household_b.key_deposits.get(tag_number=19)
        self.assertRedirects(response, f"/keys/deposits/{deposit.pk}/")
        self.assertEqual(deposit.current_consent.weekdays, [0, 3])


class QueryCountTest(KeysTestCase):
    """Every list page runs the same number of queries with 3 key rings in use as with 23."""

    grown = 0

    def grow(self, pairs):
        """Per pair: one key out with `member` and `volunteer`, one waiting for `volunteer` to witness."""
        from estate.models import Household, Resident

        for _ in range(pairs):
            for waiting in (False, True):
                number = 100 + self.grown
                self.grown += 1
                household = Household.objects.create(building=self.building2, entrance="2", floor=1,
                                                     room=str(number), area="80.00")
                resident = Resident.objects.create(household=household, name=f"住户{number}")
                deposit = self.make_deposit(household, resident, tag_number=number, hook=number)
                self.bring_back(self.take_out(deposit=deposit))
                if waiting:
                    self.start(deposit=deposit, keeper=self.member, witness=self.volunteer)
                else:
                    self.take_out(deposit=deposit, keeper=self.member, witness=self.volunteer)
        services.inventory_record(present={d.pk: True for d in KeyDeposit.objects.filter(status="active")},
                                  by=self.chair)

    def count(self, user, url):
        self.login(user)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def assertFixed(self, user, url, expected):
        self.grow(1)
        self.assertEqual(self.count(user, url), expected, url)
        self.grow(10)
        self.assertEqual(self.count(user, url), expected, url)

    def test_the_register(self):
        # session, user with its unread count and roles; deposits, hand-overs out, their events, inventory checks
        self.assertFixed(self.chair, "/keys/register/", 6)

    def test_the_key_keepers_page(self):
        # session, user with its unread count and roles, keeper term, the state; the open hand-overs (waiting for
        # me, mine, out now), their events
        self.assertFixed(self.volunteer, "/keys/", 6)

    def test_the_committee_dashboard(self):
        # Made afresh (what estate/panels.py keeps forgotten): session, user with its unread count and roles, the
        # state (the versions' tokens and the chain head, one query); then each kept figure (estate.cached) looked
        # up, computed and stored, five queries a figure (the cache's size, a savepoint, look for the row, write it,
        # release): the estate summary (1 query), posted notices (1), ledger figures (3), repairs' open tickets (3),
        # keys in custody and out (3), the member's own hand-overs (2); decisions: motions open for votes;
        # budgeting: budgets open for comment; care: open alerts, today's checks; messages: the unread list.
        # The next: session, user with its unread count and roles, the state; the panels' HTML is kept.
        # (Logging in writes the login's time, which changes the people's token: once, before both.)
        self.login(self.member)
        for size in (1, 10):
            self.grow(size)
            with self.subTest(size=size):
                caches["panels"].clear()
                for expected in (57, 3):
                    with self.assertNumQueries(expected):
                        self.assertEqual(self.client.get("/").status_code, 200)

    def test_the_household_page(self):
        # session, user with its unread count and roles, household, the versions' tokens (each key's story is kept
        # under them, estate/panels.py); deposits, consents, hand-overs, events
        self.take_out(deposit=self.make_deposit(self.household_a, self.resident_record, tag_number=90, hook=90))
        self.bring_back(self.take_out())
        self.assertFixed(self.chair, f"/keys/household/{self.household_a.pk}/", 8)

    def test_the_inventory_form(self):
        # session, user with its unread count and roles; deposits, deposits out
        self.assertFixed(self.chair, "/keys/inventory/new/", 4)

    def test_the_keepers_page(self):
        # session, user with its unread count and roles; keeper terms, volunteers
        self.assertFixed(self.chair, "/keys/keepers/", 4)

    def test_an_inventory_check(self):
        # session, user with its unread count and roles; the check, its lines with their deposits
        self.grow(1)
        check = InventoryCheck.objects.get()
        self.assertEqual(self.count(self.chair, f"/keys/inventory/{check.pk}/"), 4)

    def test_a_deposit_page_with_a_long_story(self):
        # session, user with its unread count and roles; the deposit, consents, hand-overs, events
        self.bring_back(self.take_out())
        self.assertEqual(self.count(self.chair, f"/keys/deposits/{self.deposit.pk}/"), 6)
        for _ in range(5):
            self.bring_back(self.take_out())
        services.consent_change(deposit=self.deposit, by=self.resident, **CONSENT)
        self.assertEqual(self.count(self.chair, f"/keys/deposits/{self.deposit.pk}/"), 6)


class KeptStoryTest(KeysTestCase):
    """A key's story is kept per viewer and state of the keys (estate/panels.py)."""

    def labels(self):
        page = self.client.get(reverse("keys:mine")).content.decode()
        with translation.override("zh-hans"):
            return [str(state.label) in page for state in (KeyHandover.State.AWAITING_WITNESS,
                                                           KeyHandover.State.EXPIRED, KeyHandover.State.OUT)]

    def test_the_story_changes_with_a_confirmation_and_with_the_clock(self):
        morning = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        with time_machine.travel(morning, tick=False) as clock:
            handover = self.start()
            self.login(self.resident)
            self.assertEqual(self.labels(), [True, False, False])
            self.assertEqual(self.labels(), [True, False, False])  # kept
            # Not confirmed by the witness in time: nothing is written, the clock alone changes the story.
            clock.move_to(handover.confirm_by + timedelta(seconds=1))
            self.assertEqual(self.labels(), [False, True, False])
        handover = self.take_out()
        self.login(self.resident)
        self.assertEqual(self.labels()[2], True)
        User.objects.filter(pk=handover.keeper_id).update(name="钥匙管家老李")  # in bulk, by hand
        self.assertIn("钥匙管家老李", self.client.get(reverse("keys:mine")).content.decode())
