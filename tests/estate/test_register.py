"""The household register's pages: lists, household page, edits, exports."""

import csv
import io
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import ActivityRecord
from estate import services
from estate.models import Building, Household, Resident
from tests.base import BaseTestCase

LIST = reverse("estate:household-list")


def _main(response):
    return response.content.decode().split('<main id="main">')[1].split("</main>")[0]


def codes(response):
    return [household.code for household in response.context["table"].data]


class HouseholdListTest(BaseTestCase):
    def test_the_committee_sees_every_household_and_the_total_area(self):
        self.login(self.chair)
        response = self.client.get(LIST)
        self.assertEqual(codes(response), ["1-1-301", "1-1-302", "2-1-101"])
        self.assertContains(response, "共 3 户，建筑面积合计 261.50 m²")  # 101.50 + 74.00 + 86.00
        self.assertContains(response, "13812341234")

    def test_a_building_head_sees_only_their_building_with_phones_masked(self):
        self.login(self.head1)
        response = self.client.get(LIST)
        self.assertEqual(codes(response), ["1-1-301", "1-1-302"])
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, "13812341234")
        self.assertNotContains(response, self.household_b.get_absolute_url())
        self.assertNotContains(response, reverse("estate:household-new"))

    def test_a_building_head_cannot_pick_another_building(self):
        self.login(self.head1)
        response = self.client.get(LIST, {"building": self.building2.pk})
        self.assertNotIn("2-1-101", codes(response))

    def test_it_filters_by_building_and_occupancy(self):
        Household.objects.filter(pk=self.household_a2.pk).update(occupancy=Household.Occupancy.VACANT)
        self.login(self.member)
        self.assertEqual(codes(self.client.get(LIST, {"building": self.building2.pk})), ["2-1-101"])
        self.assertEqual(codes(self.client.get(LIST, {"occupancy": "vacant"})), ["1-1-302"])

    def test_deactivated_households_show_only_when_asked(self):
        services.household_deactivate(household=self.household_a2, by=self.chair)
        self.login(self.member)
        self.assertEqual(codes(self.client.get(LIST)), ["1-1-301", "2-1-101"])
        self.assertEqual(codes(self.client.get(LIST, {"active": "no"})), ["1-1-302"])
        self.assertEqual(len(codes(self.client.get(LIST, {"active": "all"}))), 3)

    def test_it_searches_by_unit_name_or_phone_however_typed(self):
        self.login(self.chair)
        typed = ("1-1-301", "１-１-３０１", "周阿姨", "阿姨", "138 1234 1234", "138-1234-1234", "+86 1381234", "1234")
        for query in typed:
            with self.subTest(query):
                self.assertEqual(codes(self.client.get(LIST, {"q": query})), ["1-1-301"])
        self.assertEqual(codes(self.client.get(LIST, {"q": "nobody"})), [])

    def test_a_building_head_cannot_find_hidden_digits_by_searching_phones(self):
        self.login(self.head1)
        self.assertEqual(codes(self.client.get(LIST, {"q": "13812341234"})), [])
        self.assertEqual(codes(self.client.get(LIST, {"q": "周阿姨"})), ["1-1-301"])

    def test_it_sorts_by_area(self):
        self.login(self.chair)
        self.assertEqual(codes(self.client.get(LIST, {"sort": "-area"})), ["1-1-301", "2-1-101", "1-1-302"])
        response = self.client.get(LIST, {"sort": "area"})
        self.assertEqual(codes(response), ["1-1-302", "2-1-101", "1-1-301"])
        self.assertContains(response, 'aria-sort="ascending"')

    def test_it_pages_long_lists(self):
        self._add_households(120)
        self.login(self.chair)
        response = self.client.get(LIST, {"page": 2})
        self.assertEqual(len(response.context["table"].page.object_list), 23)
        self.assertContains(response, 'aria-current="page">2<')

    def test_a_page_stays_a_page_whatever_is_asked(self):
        self._add_households(300)
        self.login(self.chair)
        response = self.client.get(LIST, {"per_page": 100000})
        self.assertEqual(len(response.context["table"].page.object_list), 200)

    def _add_households(self, count):
        households = Household.objects.bulk_create(
            Household(building=self.building1, entrance="9", floor=n // 10 + 1, room=str(1000 + n),
                      code=f"1-9-{1000 + n}", area=Decimal("80.00"))
            for n in range(count)
        )
        Resident.objects.bulk_create(
            Resident(household=household, name=f"住户{n}", phone=f"1390000{n:04d}") for n, household in
            enumerate(households)
        )

    def test_it_runs_the_same_queries_for_10_and_100_households(self):
        # session, user with its unread count and roles, the register's token, then (not kept for this token)
        # total area, count, the filter's buildings, one page of households with their buildings, their active
        # residents
        self.login(self.chair)
        for count in (10, 100):
            with self.subTest(households=count):
                Resident.objects.filter(household__entrance="9").delete()
                Household.objects.filter(entrance="9").delete()
                self._add_households(count - 3)
                with self.assertNumQueries(8):
                    response = self.client.get(LIST)
                self.assertEqual(len(response.context["table"].page.object_list), count)

    def test_a_building_head_runs_the_same_queries(self):
        self.login(self.head1)
        with CaptureQueriesContext(connection) as few:
            self.client.get(LIST)
        self._add_households(50)
        with self.assertNumQueries(len(few)):
            self.client.get(LIST)


class KeptListTest(BaseTestCase):
    """The lists are kept per state of the register (estate/cached.py): whoever writes to buildings,
    households or residents, and however, the next page shows it."""

    def test_a_list_kept_for_the_register_as_it_is_costs_three_queries(self):
        self.login(self.chair)
        first = _main(self.client.get(LIST))
        with self.assertNumQueries(3):  # session, user with roles and unread count, the register's token
            again = _main(self.client.get(LIST))
        self.assertEqual(again, first)
        self.assertIn("共 3 户", again)
        self.client.get(reverse("estate:resident-list"))
        with self.assertNumQueries(3):
            self.assertContains(self.client.get(reverse("estate:resident-list")), "13812341234", count=1)

    def test_every_kind_of_write_shows_on_the_next_page(self):
        self.login(self.chair)
        residents = reverse("estate:resident-list")
        self.client.get(LIST), self.client.get(residents)
        services.household_update(household=self.household_a2, by=self.chair, area=Decimal("75.00"))
        self.assertContains(self.client.get(LIST), "75.00")
        Household.objects.filter(pk=self.household_b.pk).update(area=Decimal("88.00"))  # by hand, no signal
        self.assertContains(self.client.get(LIST), "88.00")
        Resident.objects.filter(pk=self.resident_record.pk).update(name="周大姐")
        self.assertContains(self.client.get(LIST), "周大姐")
        self.assertContains(self.client.get(residents), "周大姐")
        Resident.objects.bulk_create([Resident(household=self.household_a2, name="新邻居", phone="13700000000")])
        self.assertContains(self.client.get(residents), "新邻居")
        Resident.objects.filter(name="新邻居").delete()
        self.assertNotContains(self.client.get(residents), "新邻居")
        Building.objects.filter(pk=self.building2.pk).update(name="二号楼")
        self.assertContains(self.client.get(LIST), "二号楼")

    def test_each_viewer_gets_their_own_list(self):
        self.login(self.chair)
        self.assertContains(self.client.get(LIST), "13812341234")
        self.login(self.head1)
        page = self.client.get(LIST)
        self.assertNotContains(page, "13812341234")
        self.assertNotContains(page, "2-1-101")
        self.assertContains(page, "138****1234")
        self.login(self.chair)
        self.assertContains(self.client.get(LIST, {"sort": "-area"}), "13812341234")


class DashboardSummaryTest(BaseTestCase):
    def test_a_building_head_sees_the_buildings_households_and_area_to_the_fen(self):
        self.login(self.head1)
        panel = next(context for template, context in self.client.get(reverse("estate:dashboard")).context["panels"]
                     if template == "estate/_dashboard_register.html")
        self.assertEqual(panel["summary"], {"count": 2, "area": Decimal("175.50")})
        self.assertEqual(str(panel["summary"]["area"]), "175.50")


class ExportTest(BaseTestCase):
    def test_the_committee_downloads_csv_that_excel_reads_as_chinese(self):
        self.login(self.chair)
        response = self.client.get(LIST, {"_export": "csv", "building": self.building1.pk})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        rows = list(csv.reader(io.StringIO(text[1:])))
        self.assertEqual(rows[0], ["房屋", "居民", "电话", "建筑面积（㎡）", "居住状况", "楼栋", "楼层", "状态"])
        self.assertEqual(rows[1], ["1-1-301", "周阿姨", "13812341234", "101.50", "业主自住", "1栋", "3", "在用"])
        self.assertEqual(len(rows), 3)  # the filter applies to the export

    def test_the_committee_downloads_xlsx(self):
        self.login(self.member)
        response = self.client.get(reverse("estate:resident-list"), {"_export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.iter_rows(values_only=True))
        self.assertEqual(values[0][:4], ("姓名", "房屋", "关系", "电话"))
        self.assertEqual(values[1][:4], ("周阿姨", "1-1-301", "业主", "13812341234"))

    def test_a_name_that_looks_like_a_formula_stays_text(self):
        Resident.objects.filter(pk=self.resident_record.pk).update(name='=HYPERLINK("http://x","点我")')
        self.login(self.chair)
        response = self.client.get(reverse("estate:resident-list"), {"_export": "csv"})
        self.assertIn("'=HYPERLINK", response.content.decode())

    def test_a_building_head_cannot_export(self):
        self.login(self.head1)
        self.assertEqual(self.client.get(LIST, {"_export": "csv"}).status_code, 403)

    def test_an_unknown_format_is_refused(self):
        self.login(self.chair)
        self.assertEqual(self.client.get(LIST, {"_export": "json"}).status_code, 403)


class HouseholdDetailTest(BaseTestCase):
    def test_a_resident_sees_their_household_and_their_own_whole_phone(self):
        Resident.objects.create(household=self.household_a, name="周小明", phone="13900001111",
                                relation=Resident.Relation.FAMILY)
        self.login(self.resident)
        response = self.client.get(self.household_a.get_absolute_url())
        self.assertContains(response, "101.50 m²")
        self.assertContains(response, "13812341234")
        self.assertContains(response, "139****1111")
        self.assertNotContains(response, "13900001111")
        self.assertNotContains(response, reverse("estate:household-edit", args=[self.household_a.pk]))

    def test_a_resident_does_not_see_people_who_moved_out(self):
        gone = Resident.objects.create(household=self.household_a, name="旧租客", phone="13900001111")
        services.resident_deactivate(resident=gone, by=self.chair)
        self.login(self.resident)
        self.assertNotContains(self.client.get(self.household_a.get_absolute_url()), "旧租客")
        self.login(self.chair)
        self.assertContains(self.client.get(self.household_a.get_absolute_url()), "旧租客")

    def test_a_building_head_sees_masked_phones(self):
        self.login(self.head1)
        response = self.client.get(self.household_a.get_absolute_url())
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, "13812341234")

    def test_the_committee_sees_the_changes_made(self):
        services.household_update(household=self.household_a, area=Decimal("102.00"), by=self.member)
        self.login(self.chair)
        response = self.client.get(self.household_a.get_absolute_url())
        self.assertContains(response, "李委员 · 住户信息有修改 · 1-1-301")
        self.assertContains(response, "建筑面积（㎡）：101.50 → 102.00")  # a Chinese label takes the full-width colon


class HouseholdEditTest(BaseTestCase):
    def setUp(self):
        self.login(self.chair)

    def form(self, **changes):
        data = {"building": self.building1.pk, "entrance": "1", "room": "301", "floor": "3", "area": "101.50",
                "occupancy": "owner", "notes": ""}
        return {**data, **changes}

    def test_it_adds_a_household_typed_with_full_width_digits(self):
        response = self.client.post(reverse("estate:household-new"),
                                    self.form(entrance="2单元", room="５０１", floor="5", area="88.5㎡"))
        household = Household.objects.get(code="1-2-501")
        self.assertRedirects(response, household.get_absolute_url())
        self.assertEqual(household.area, Decimal("88.50"))
        record = ActivityRecord.objects.get(verb="household.created")
        self.assertEqual((record.actor, record.details["area"]), (self.chair, "88.50"))

    def test_it_refuses_a_unit_that_exists(self):
        response = self.client.post(reverse("estate:household-new"), self.form())
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(Household.objects.count(), 3)

    def test_it_refuses_a_zero_area_with_a_message(self):
        response = self.client.post(reverse("estate:household-edit", args=[self.household_a.pk]),
                                    self.form(area="0"))
        self.assertIn("area", response.context["form"].errors)
        self.household_a.refresh_from_db()
        self.assertEqual(self.household_a.area, Decimal("101.50"))

    def test_an_edit_logs_old_and_new_values(self):
        self.client.post(reverse("estate:household-edit", args=[self.household_a.pk]),
                         self.form(area="99", notes="换了新门"))
        record = ActivityRecord.objects.get(verb="household.updated")
        self.assertEqual(record.details, {"area": ["101.50", "99.00"], "notes": ["", "换了新门"]})

    def test_a_changed_unit_logs_the_old_and_new_code(self):
        self.client.post(reverse("estate:household-edit", args=[self.household_a2.pk]),
                         self.form(room="303", area="74.00"))
        self.assertEqual(ActivityRecord.objects.get(verb="household.updated").details["code"],
                         ["1-1-302", "1-1-303"])

    def test_saving_without_changes_logs_nothing(self):
        self.client.post(reverse("estate:household-edit", args=[self.household_a.pk]), self.form())
        self.assertFalse(ActivityRecord.objects.exists())

    def test_deactivating_keeps_the_household_and_logs_it(self):
        url = reverse("estate:household-deactivate", args=[self.household_a.pk])
        self.assertRedirects(self.client.post(url), self.household_a.get_absolute_url())
        self.household_a.refresh_from_db()
        self.assertFalse(self.household_a.is_active)
        self.assertEqual(ActivityRecord.objects.get().details, {"is_active": [True, False]})
        self.client.post(reverse("estate:household-reactivate", args=[self.household_a.pk]))
        self.household_a.refresh_from_db()
        self.assertTrue(self.household_a.is_active)

    def test_deactivating_needs_post(self):
        response = self.client.get(reverse("estate:household-deactivate", args=[self.household_a.pk]))
        self.assertEqual(response.status_code, 405)


class ResidentEditTest(BaseTestCase):
    def setUp(self):
        self.login(self.member)

    def test_it_adds_a_resident_with_the_phone_as_digits(self):
        self.client.post(reverse("estate:resident-new", args=[self.household_a2.pk]),
                         {"name": " 钱　多多 ", "relation": "tenant", "phone": "+86 137-0000-1111"})
        resident = self.household_a2.residents.get()
        self.assertEqual((resident.name, resident.phone, resident.relation), ("钱多多", "13700001111", "tenant"))

    def test_it_refuses_a_bad_phone(self):
        response = self.client.post(reverse("estate:resident-new", args=[self.household_a2.pk]),
                                    {"name": "钱多多", "relation": "tenant", "phone": "12345"})
        self.assertIn("phone", response.context["form"].errors)
        self.assertFalse(self.household_a2.residents.exists())

    def test_a_phone_change_is_logged_with_old_and_new(self):
        self.client.post(reverse("estate:resident-edit", args=[self.resident_record.pk]),
                         {"name": "周阿姨", "relation": "owner", "phone": "139 0000 2222"})
        record = ActivityRecord.objects.get(verb="resident.updated")
        self.assertEqual(record.details, {"household": "1-1-301", "phone": ["13812341234", "13900002222"]})

    def test_moving_out_keeps_the_record(self):
        self.client.post(reverse("estate:resident-deactivate", args=[self.resident_record.pk]))
        self.resident_record.refresh_from_db()
        self.assertFalse(self.resident_record.is_active)
        self.assertEqual(ActivityRecord.objects.get().verb, "resident.deactivated")

    def test_the_resident_list_searches_phones(self):
        response = self.client.get(reverse("estate:resident-list"), {"q": "139-9876"})
        self.assertEqual([r.name for r in response.context["table"].data], ["吴先生"])
