"""The printed phone tree: who calls whom when e-mail and SMS reach nobody in a household."""

from django.urls import reverse

from estate.models import Resident
from tests.base import BaseTestCase


class PhoneTreeTest(BaseTestCase):
    def test_each_building_head_calls_the_households_nothing_else_reaches(self):
        # 1-1-302: an elderly neighbour without a login; 2-1-101: 吴先生 reads e-mail, so is not called.
        Resident.objects.create(household=self.household_a2, name="孙奶奶", phone="13800001111")
        self.resident_b.email = "wu@example.org"
        self.resident_b.save(update_fields=["email"])
        self.login(self.chair)

        page = self.client.get(reverse("messaging:phone-tree")).content.decode()

        building1, building2 = page.split("<h3>")[1:3]
        self.assertIn("刘楼长", building1)
        self.assertIn("1-1-302", building1)
        self.assertIn("孙奶奶 13800001111", building1)
        self.assertIn("1-1-301", building1)  # 周阿姨 has a login but neither e-mail nor SMS
        self.assertNotIn("2-1-101", building2)
        self.assertIn("楼栋长：<span class=\"negative\">无：由业委会打电话", building2)
        self.assertIn("王主任", page.split("<h3>")[0])

    def test_it_is_for_the_committee_only(self):
        for user in (self.head1, self.resident, self.volunteer):
            self.login(user)
            self.assertEqual(self.client.get(reverse("messaging:phone-tree")).status_code, 403)
