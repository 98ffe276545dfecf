"""Cash building heads collect: they see what they hold; the treasurer confirms a head's collections at once."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ActivityRecord, Role
from ledger import services
from ledger.models import CashHandover, Transaction
from tests.base import make_user
from tests.ledger.base import JAN, LedgerTestCase


def main(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@time_machine.travel(date(2026, 2, 10))
class HandoverTest(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.head2 = make_user("head2", (Role.Kind.BUILDING_HEAD, cls.building2), name="陈楼长")

    def setUp(self):
        super().setUp()
        self.bill(JAN)
        self.a = self.pay("39.59", by=self.head1, day=date(2026, 2, 3))
        self.a2 = self.pay("28.86", household=self.household_a2, by=self.head1, day=date(2026, 2, 4))
        self.b = self.pay("33.54", household=self.household_b, by=self.head2, day=date(2026, 2, 5))

    def test_a_building_head_sees_the_cash_they_hold_and_nobody_elses(self):
        self.login(self.head1)
        page = main(self.client.get(reverse("ledger:handovers")))
        self.assertIn("我手上的代收款", page)
        self.assertIn("合计：还有 68.45 元没有交接。", page)
        self.assertIn("1-1-301", page)
        self.assertIn("1-1-302", page)
        self.assertNotIn("2-1-101", page)
        self.assertNotIn('type="checkbox"', page)

    def test_the_treasurer_sees_each_head_with_a_subtotal(self):
        self.login(self.treasurer)
        with self.assertNumQueries(3):
            # session, user with its roles and unread count, the waiting collections (household,
            # collector and receipt joined)
            page = main(self.client.get(reverse("ledger:handovers")))
        self.assertIn("刘楼长：2 笔，共 68.45 元", page)
        self.assertIn("陈楼长：1 笔，共 33.54 元", page)
        self.assertIn("合计：还有 101.99 元没有交接。", page)

    def test_confirming_a_heads_collections_posts_them_all_at_once(self):
        self.login(self.treasurer)
        response = self.client.post(reverse("ledger:handovers-confirm"), {"payment": [self.a.pk, self.a2.pk]},
                                    follow=True)
        self.assertIn("已确认 2 笔代收款交接，共 68.45 元。", main(response))
        self.assertEqual(set(CashHandover.objects.values_list("payment_id", flat=True)), {self.a.pk, self.a2.pk})
        self.assertEqual(Transaction.objects.filter(kind="handover").count(), 2)
        self.assertEqual(ActivityRecord.objects.filter(verb="ledger.handover.confirmed").count(), 2)
        self.assertNotIn("1-1-30", main(response))
        self.assertIn("2-1-101", main(response))

    def test_confirming_the_same_collections_twice_changes_nothing(self):
        self.login(self.treasurer)
        self.client.post(reverse("ledger:handovers-confirm"), {"payment": [self.a.pk, self.a2.pk]})
        response = self.client.post(reverse("ledger:handovers-confirm"), {"payment": [self.a.pk, self.a2.pk]},
                                    follow=True)
        self.assertIn("2 笔代收款已经确认过，没有改动。", main(response))
        self.assertEqual(CashHandover.objects.count(), 2)
        self.assertEqual(Transaction.objects.filter(kind="handover").count(), 2)

    def test_one_refused_collection_confirms_none(self):
        services.payment_reverse(payment=self.a2, reason="记错", by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "This payment has been reversed."):
            services.handovers_confirm(payments=[self.a, self.a2], by=self.treasurer)
        self.assertFalse(CashHandover.objects.exists())

    def test_nothing_ticked_says_so(self):
        self.login(self.treasurer)
        response = self.client.post(reverse("ledger:handovers-confirm"), {}, follow=True)
        self.assertIn("请勾选已经收到钱的代收款。", main(response))
        self.assertFalse(CashHandover.objects.exists())

    def test_an_unknown_collection_is_not_found(self):
        self.login(self.treasurer)
        response = self.client.post(reverse("ledger:handovers-confirm"), {"payment": [self.a.pk, 999999]})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(CashHandover.objects.exists())

    def test_the_building_heads_menu_leads_to_their_cash(self):
        self.login(self.head1)
        page = self.client.get(reverse("ledger:notices")).content.decode()
        self.assertIn(reverse("ledger:handovers"), page)
