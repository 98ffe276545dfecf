"""The printed phone tree: who calls whom when e-mail and SMS reach nobody in a household."""

from django.urls import reverse

from accounts.models import User
from estate.models import Resident
from messaging.models import Reach
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

    def test_it_is_kept_until_a_person_or_a_household_changes_however_written(self):
        self.login(self.chair)
        url = reverse("messaging:phone-tree")
        self.assertIn("1-1-301", self.client.get(url).content.decode().split("<h3>")[1])
        # session, user with its unread count and roles, the state: the tree is kept
        with self.assertNumQueries(3):
            self.client.get(url)
        # 周阿姨 now reads e-mail: written behind the app's back, her household leaves the tree at once.
        Reach.objects.update_or_create(user=self.resident, defaults={"email": True})
        User.objects.filter(pk=self.resident.pk).update(email="zhou@example.org")
        self.assertNotIn("1-1-301", self.client.get(url).content.decode().split("<h3>")[1])
        Reach.objects.filter(user=self.resident).update(email=False)  # and chose no e-mail after all
        self.assertIn("1-1-301", self.client.get(url).content.decode().split("<h3>")[1])

    def test_it_is_for_the_committee_only(self):
        for user in (self.head1, self.resident, self.volunteer):
            self.login(user)
            self.assertEqual(self.client.get(reverse("messaging:phone-tree")).status_code, 403)
