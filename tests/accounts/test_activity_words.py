"""The activity log reads in people's words: objects as people know them, values through the forms' labels,
times in the estate's time zone. One record of every kind, each checked on the page the committee reads."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ActivityRecord
from estate import services as estate_services
from keys import services as key_services
from keys.models import Purpose
from ledger import services as ledger_services
from ledger.models import FeeRate
from repairs import services as repair_services
from repairs.models import Skill, Ticket
from tests.base import BaseTestCase
from tests.keys.base import Cabinet

UTC = ZoneInfo("UTC")
# 01:30 UTC is 09:30 in Shanghai: a page showing 01:30 shows UTC.
MORNING = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@time_machine.travel(MORNING, tick=False)
class ActivityInPeoplesWordsTest(Cabinet, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_cabinet()
        FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2026, 1, 1))
        ledger_services.month_bill(month=date(2026, 2, 1), by=cls.treasurer)
        cls.payment, _ = ledger_services.payment_record(
            household=cls.household_a, amount=Decimal("39.59"), method="cash", idempotency_key=uuid.uuid4().hex,
            by=cls.treasurer, date=date(2026, 3, 2))
        cls.expense = ledger_services.expense_record(
            date=date(2026, 3, 2), category="utilities", payee="供电局", amount=Decimal("120.00"),
            description="楼道灯电费", by=cls.treasurer)
        cls.ticket = repair_services.ticket_report(
            by=cls.resident, category=Ticket.Category.ELECTRICAL, place=Ticket.Place.STAIRWELL,
            building=cls.building1, description="楼道灯不亮")
        repair_services.ticket_move(ticket=cls.ticket, move="accept", by=cls.chair)
        repair_services.contractor_save(by=cls.chair, name="安泰消防维修", trade=Skill.FIRE_SAFETY,
                                        phone="13812250033")
        handover = key_services.handover_start(deposit=cls.deposit, witness=cls.volunteer2, purpose=Purpose.PLANTS,
                                               by=cls.volunteer)
        key_services.handover_confirm_out(handover=handover, by=cls.volunteer2)
        key_services.handover_confirm_back(handover=handover, by=cls.volunteer, note="浇了花")
        estate_services.household_update(household=cls.household_a2, area=Decimal("75.00"),
                                         by=cls.chair)

    def page(self, **params):
        self.login(self.member)
        response = self.client.get(reverse("accounts:activity"), params)
        return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]

    def test_times_are_the_estates_local_time(self):
        page = self.page()
        self.assertIn("2026-03-02 09:30:00", page)
        self.assertNotIn("01:30", page)

    def test_a_payment_is_named_by_its_receipt_and_unit_and_its_method_by_its_label(self):
        page = self.page(verb="ledger.payment.recorded")
        self.assertIn("收据 2026-000001，1-1-301", page)
        self.assertIn("付款方式：现金", page)
        self.assertIn("金额：39.59 元", page)
        self.assertNotIn(": cash", page)
        self.assertNotIn(f"{self.household_a.pk} 39.59", page)

    def test_an_expense_category_reads_as_the_account_name(self):
        page = self.page(verb="ledger.expense.recorded")
        self.assertIn("类别：公共水电", page)
        self.assertNotIn("utilities", page)

    def test_a_repair_reads_by_number_and_its_status_change_by_the_status_labels(self):
        page = self.page(verb="repairs.ticket.accept")
        self.assertIn(f"报修 #{self.ticket.pk}，电路照明（1栋）", page)
        self.assertIn("状态：待受理 → 已受理", page)
        self.assertNotIn("accepted", page)
        page = self.page(verb="repairs.ticket.reported")
        self.assertIn("位置：楼道", page)
        self.assertIn("照片：0", page)

    def test_a_new_contractor_reads_through_the_forms_labels(self):
        page = self.page(verb="repairs.contractor.added")
        self.assertIn("消防", page)
        self.assertNotIn("fire_safety", page)
        self.assertNotIn("、安泰", page)

    def test_a_key_hand_over_reads_in_words_and_local_time(self):
        page = self.page(verb="keys.handover_started")
        self.assertIn("用途：浇花", page)
        self.assertIn("见证人：孙阿姨", page)
        self.assertIn("钥匙：K-017", page)
        self.assertIn("K-017 浇花 2026-03-02 09:30", page)
        self.assertNotIn("plants", page)
        page = self.page(verb="keys.handover_back_first")
        self.assertIn("拍照：否", page)
        self.assertNotIn("False", page)

    def test_a_changed_household_shows_the_field_by_its_label_from_old_to_new(self):
        page = self.page(verb="household.updated")
        self.assertIn("建筑面积（㎡）：74.00 → 75.00", page)

    def test_the_page_runs_the_same_queries_whatever_records_it_shows(self):
        self.login(self.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("accounts:activity"), {"verb": "ledger.payment.recorded"})
        with CaptureQueriesContext(connection) as all_kinds:
            self.client.get(reverse("accounts:activity"))
        # One query per kind of object a page names, never per record: the whole log names at most these.
        self.assertLessEqual(len(all_kinds), len(few) + 8)
        self.assertGreater(ActivityRecord.objects.count(), 10)

    def test_no_internal_value_shows_anywhere_in_the_log(self):
        page = self.page()
        for internal in ("accepted", "assigned", "purpose:", "photo:", "False", "True", ": cash", "utilities",
                         "fire_safety", "+00:00", "Skill."):
            with self.subTest(internal=internal):
                self.assertNotIn(internal, page)
