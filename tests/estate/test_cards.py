"""Lists on a phone: each table says which of its columns a phone's card shows (estate.cards)."""

from django.urls import reverse

from accounts.activity import log_action
from estate.cards import card_class
from tests.base import BaseTestCase


class CardClassTest(BaseTestCase):
    def test_it_places_each_column_as_title_figure_labelled_field_or_not_at_all(self):
        placed = {name: card_class(name, title="code", figure="area", fields=("is_active",))
                  for name in ("code", "area", "is_active", "floor")}
        self.assertEqual(placed, {"code": "card-title", "area": "card-figure", "is_active": "card-field",
                                  "floor": "card-off"})


class HouseholdCardsTest(BaseTestCase):
    def test_a_household_card_shows_unit_area_with_its_unit_and_status_and_leaves_the_floor_to_wide_screens(self):
        self.login(self.chair)
        page = self.client.get(reverse("estate:household-list")).content.decode()
        self.assertIn('class="register households cards"', page)
        self.assertInHTML('<td class="card-figure number" data-label="建筑面积（㎡）">101.50'
                          '<span class="card-only"> m²</span></td>', page)
        self.assertInHTML('<td class="card-field" data-label="状态"><span class="badge good">在用</span></td>', page)
        self.assertInHTML('<td class="card-off number wide-only" data-label="楼层">3</td>', page)


class ActivityCardsTest(BaseTestCase):
    def test_an_activity_card_leads_with_what_was_done_and_names_its_object(self):
        log_action("household.updated", self.household_a, by=self.chair)
        self.login(self.chair)
        page = self.client.get(reverse("accounts:activity")).content.decode()
        self.assertIn('class="data cards"', page)
        self.assertInHTML('<td class="card-title" data-label="操作">修改住户信息</td>', page)
        self.assertIn('<td class="card-field" data-label="对象">1-1-301', page)
