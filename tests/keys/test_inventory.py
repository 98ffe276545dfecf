from keys import services
from keys.models import InventoryCheck
from keys.services import KeyRefused
from tests.keys.base import KeysTestCase


class InventoryTest(KeysTestCase):
    def test_a_check_records_every_tag_and_lists_the_differences(self):
        self.take_out(deposit=self.deposit_b)  # K-018 is out with the keepers
        self.login(self.volunteer)
        response = self.client.post("/keys/inventory/new/", {
            f"tag_{self.deposit.pk}": "missing", f"tag_{self.deposit_b.pk}": "present", "note": "月度清点",
        })
        check = InventoryCheck.objects.get()
        self.assertRedirects(response, f"/keys/inventory/{check.pk}/")
        lines = {line.deposit.tag: line for line in check.lines.all()}
        self.assertEqual({tag: (line.expected_in_cabinet, line.present) for tag, line in lines.items()},
                         {"K-017": (True, False), "K-018": (False, True)})
        page = self.client.get(response["Location"])
        self.assertContains(page, "不在，但应该在柜里")
        self.assertContains(page, "挂在原位，但登记为已取出")

    def test_every_tag_must_be_marked(self):
        self.login(self.volunteer)
        response = self.client.post("/keys/inventory/new/", {f"tag_{self.deposit.pk}": "present"})
        self.assertContains(response, "请标明这把钥匙在还是不在")
        self.assertFalse(InventoryCheck.objects.exists())

    def test_a_cabinet_that_changed_during_the_check_is_checked_again(self):
        with self.assertRaisesMessage(KeyRefused, "盘点期间登记发生了变化"):
            services.inventory_record(present={self.deposit.pk: True}, by=self.volunteer)

    def test_a_matching_cabinet_has_no_differences(self):
        check = services.inventory_record(present={self.deposit.pk: True, self.deposit_b.pk: True}, by=self.volunteer)
        self.login(self.volunteer)
        self.assertContains(self.client.get(f"/keys/inventory/{check.pk}/"), "钥匙柜与登记簿一致")
