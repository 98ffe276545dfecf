"""The roster import: messy real-world files import whole, broken ones import nothing."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation

from accounts.models import ActivityRecord
from estate import roster, services
from estate.models import Building, Household, Resident
from tests.base import BaseTestCase
from tests.estate.rosters import HEADER, TITLE, csv_bytes, xlsx_bytes

GOOD = [
    ["1", "1", "301", "周阿姨", "13812341234", "101.50"],
    ["3", "1", "101", "陈大明", "13700001111", "85.5"],
]


class InEnglish:
    """Messages compared in English here; WebImportTest checks the Chinese the committee reads."""

    def setUp(self):
        super().setUp()
        self.enterContext(translation.override("en"))


def parse_csv(rows, **kwargs):
    return list(roster.parse(csv_bytes(rows, **kwargs), "roster.csv"))


def errors_of(data, filename="roster.csv"):
    try:
        roster.parse(data, filename)
    except roster.RosterInvalid as invalid:
        return [str(error) for error in invalid.errors]
    raise AssertionError("the roster was accepted")


class MessyButValidRosterTest(InEnglish, SimpleTestCase):
    """Each form a committee's file really takes reads as the same clean row."""

    def assert_reads_as_301(self, rows, **kwargs):
        (row,) = parse_csv(rows, **kwargs)
        self.assertEqual((row.building, row.entrance, row.room, row.code), ("1", "1", "301", "1-1-301"))
        return row

    def test_it_skips_several_title_rows_above_the_header(self):
        row = self.assert_reads_as_301([GOOD[0]], title=(TITLE, ["2026年1月", "", ""], ["", "", ""]))
        self.assertEqual(row.row, 5)  # the row number the committee sees in Excel

    def test_it_reads_headers_with_any_unit_in_brackets(self):
        for area_header in ("建筑面积", "建筑面积(㎡)", "建筑面积（㎡）", "建筑面积(m²)", " 建筑面积 (平方米) "):
            with self.subTest(area_header):
                row = self.assert_reads_as_301([GOOD[0]], header=[*HEADER[:5], area_header])
                self.assertEqual(row.area, Decimal("101.50"))

    def test_it_skips_blank_rows(self):
        rows = parse_csv([["", "", "", "", "", ""], GOOD[0], [" ", "", "", "", "", ""], GOOD[1]])
        self.assertEqual([r.row for r in rows], [4, 6])

    def test_it_trims_stray_spaces_and_name_padding(self):
        row = self.assert_reads_as_301([[" 1 ", " 1", "301 ", "周　阿姨 ", " 13812341234 ", " 101.5 "]])
        self.assertEqual((row.owner, row.phone, row.area), ("周阿姨", "13812341234", Decimal("101.50")))

    def test_it_reads_full_width_digits(self):
        row = self.assert_reads_as_301([["１", "１", "３０１", "周阿姨", "１３８１２３４１２３４", "１０１.５０"]])
        self.assertEqual((row.phone, row.area), ("13812341234", Decimal("101.50")))

    def test_it_reads_areas_with_their_units(self):
        for written in ("85.5", "85.5㎡", "85.50平方米", "85.5 m²", "85.5平米", "85.50m2"):
            with self.subTest(written):
                row = self.assert_reads_as_301([["1", "1", "301", "周阿姨", "", written]])
                self.assertEqual(row.area, Decimal("85.50"))

    def test_it_reads_buildings_written_every_way(self):
        for written in ("1", "1栋", "1号楼", "１号楼", "一栋", "1幢"):
            with self.subTest(written):
                self.assert_reads_as_301([[written, "1单元", "301室", "周阿姨", "", "85.5"]])

    def test_it_reads_phones_with_spaces_dashes_and_country_code(self):
        for written in ("138 1234 1234", "138-1234-1234", "+86 138 1234 1234", "+86-13812341234", "0086 13812341234"):
            with self.subTest(written):
                row = self.assert_reads_as_301([["1", "1", "301", "周阿姨", written, "85.5"]])
                self.assertEqual(row.phone, "13812341234")

    def test_it_reads_landlines(self):
        row = self.assert_reads_as_301([["1", "1", "301", "周阿姨", "0571-8765 4321", "85.5"]])
        self.assertEqual(row.phone, "057187654321")

    def test_it_reads_csv_as_excel_in_china_saves_it(self):
        for encoding in ("utf-8-sig", "utf-8", "gbk", "gb18030"):
            with self.subTest(encoding):
                row = self.assert_reads_as_301([GOOD[0]], encoding=encoding)
                self.assertEqual(row.owner, "周阿姨")

    def test_it_reads_xlsx_with_numbers_as_excel_keeps_them(self):
        data = xlsx_bytes([[1, 1, 301, "周阿姨", 13812341234, 101.5], ["1栋", 1, 302, "", None, 74]])
        rows = list(roster.parse(data, "花名册.xlsx"))
        self.assertEqual([(r.code, r.area, r.phone, r.row) for r in rows],
                         [("1-1-301", Decimal("101.50"), "13812341234", 3), ("1-1-302", Decimal("74.00"), "", 4)])

    def test_it_fills_a_building_merged_down_its_rows(self):
        data = xlsx_bytes([["1栋", "1", "301", "", "", "85.5"], [None, "1", "302", "", "", "74"],
                           [None, "2", "101", "", "", "90"]], merge=["A3:A5"])
        self.assertEqual([r.code for r in roster.parse(data, "roster.xlsx")], ["1-1-301", "1-1-302", "1-2-101"])

    def test_it_reads_a_sheet_per_building(self):
        data = xlsx_bytes(None, sheets={"1栋": [["1", "1", "301", "", "", "85.5"]],
                                        "2栋": [["2", "1", "101", "", "", "86"]], "说明": []})
        rows = list(roster.parse(data, "roster.xlsx"))
        self.assertEqual([(r.code, r.sheet) for r in rows], [("1-1-301", "1栋"), ("2-1-101", "2栋")])

    def test_it_reads_the_optional_columns(self):
        header = [*HEADER, "楼层", "居住状况", "备注"]
        (row,) = parse_csv([["1", "1", "B1", "周阿姨", "", "85.5", "-1", "出租", "车库改建"]], header=header)
        self.assertEqual((row.floor, row.occupancy, row.notes), (-1, Household.Occupancy.RENTED, "车库改建"))

    def test_it_tells_the_floor_from_the_room(self):
        (row,) = parse_csv([["1", "1", "1203", "", "", "85.5"]])
        self.assertEqual((row.floor, row.floor_or_guess), (None, 12))

    def test_it_leaves_out_a_total_row(self):
        parsed = roster.parse(csv_bytes([GOOD[0], ["合计", "", "", "", "", "101.50"]]), "roster.csv")
        self.assertEqual(len(parsed), 1)
        self.assertEqual(parsed.skipped, [("", 4)])

    def test_it_takes_a_file_without_an_entrance_column(self):
        (row,) = parse_csv([["2", "101", "", "", "86"]], header=["楼栋", "房号", "业主姓名", "联系电话", "建筑面积"])
        self.assertEqual(row.code, "2-101")


class BrokenRosterTest(InEnglish, SimpleTestCase):
    """Each broken form aborts the whole file, naming the row as Excel numbers it and the column."""

    def assert_fails(self, bad_row, *expected, row_number=4):
        errors = errors_of(csv_bytes([GOOD[0], bad_row]))
        self.assertEqual(len(errors), 1, errors)
        self.assertIn(f"row {row_number}", errors[0])
        for text in expected:
            self.assertIn(text, errors[0])

    def test_an_unreadable_area(self):
        self.assert_fails(["1", "1", "302", "", "", "八十五"], "建筑面积 (F)", "八十五")
        self.assert_fails(["1", "1", "302", "", "", "约85"], "建筑面积 (F)")

    def test_a_zero_or_negative_area(self):
        self.assert_fails(["1", "1", "302", "", "", "0"], "建筑面积", "more than 0")
        self.assert_fails(["1", "1", "302", "", "", "-74"], "建筑面积", "more than 0")

    def test_a_missing_area(self):
        self.assert_fails(["1", "1", "302", "", "", ""], "建筑面积", "missing")

    def test_an_area_with_three_decimals(self):
        self.assert_fails(["1", "1", "302", "", "", "74.125"], "建筑面积", "two decimals")

    def test_a_unit_twice_in_the_file_however_written(self):
        self.assert_fails(["１号楼", "1单元", "301室", "", "", "85"], "房号 (C)", "1-1-301", "row 3")

    def test_a_missing_room(self):
        self.assert_fails(["1", "1", "", "张三", "", "85"], "房号 (C)", "missing")

    def test_a_missing_building(self):
        self.assert_fails(["", "1", "302", "张三", "", "85"], "楼栋 (A)", "missing")

    def test_a_bad_phone(self):
        for phone in ("1381234", "138123412345", "13812341234/13900001111", "电话无"):
            with self.subTest(phone):
                self.assert_fails(["1", "1", "302", "张三", phone, "85"], "联系电话 (E)", "not a phone number")

    def test_a_phone_without_a_name(self):
        self.assert_fails(["1", "1", "302", "", "13812341234", "85"], "业主姓名 (D)")

    def test_a_floor_that_the_room_does_not_tell(self):
        self.assert_fails(["1", "1", "B1", "", "", "85"], "楼层")

    def test_every_bad_row_is_named_at_once(self):
        errors = errors_of(csv_bytes([["1", "1", "", "", "", "85"], GOOD[0], ["1", "1", "302", "", "", "0"]]))
        self.assertEqual([e.split(" ")[:2] for e in errors], [["row", "3"], ["row", "5"]])

    def test_a_file_without_the_header(self):
        errors = errors_of(csv_bytes([GOOD[0]], header=["a", "b", "c", "d", "e", "f"]))
        self.assertIn("No header row found", errors[0])

    def test_a_header_without_the_area(self):
        errors = errors_of(csv_bytes([GOOD[0]], header=["楼栋", "单元", "房号", "业主姓名", "联系电话", "价格"]))
        self.assertEqual(errors, ["row 2: the header has no column 建筑面积"])

    def test_an_old_xls_file(self):
        self.assertIn(".xlsx or .csv", errors_of(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "roster.xls")[0])

    def test_a_file_that_is_not_a_roster(self):
        self.assertIn("Excel", errors_of(b"PK\x03\x04 not really a zip", "roster.xlsx")[0])
        self.assertIn(".xlsx or .csv", errors_of(b"%PDF-1.7", "roster.pdf")[0])

    def test_an_empty_roster(self):
        self.assertIn("no households", errors_of(csv_bytes([]))[0])

    def test_rows_of_a_sheet_are_named_with_the_sheet(self):
        data = xlsx_bytes(None, sheets={"1栋": [GOOD[0]], "2栋": [["2", "1", "101", "", "", "零"]]})
        self.assertEqual(errors_of(data, "roster.xlsx"),
                         ["sheet “2栋” row 3 column 建筑面积 (F): cannot read the area “零”"])


class RosterImportTest(InEnglish, BaseTestCase):
    def counts(self):
        return (Building.objects.count(), Household.objects.count(), Resident.objects.count(),
                ActivityRecord.objects.count())

    def import_csv(self, rows, **kwargs):
        return services.roster_import(rows=roster.parse(csv_bytes(rows, **kwargs), "roster.csv"), by=self.chair)

    def test_it_adds_new_households_buildings_and_owners(self):
        plan = self.import_csv(GOOD)
        self.assertEqual((len(plan.new), len(plan.changed), plan.unchanged), (1, 0, 1))
        household = Household.objects.get(code="3-1-101")
        self.assertEqual((household.area, household.floor, household.building.name), (Decimal("85.50"), 1, "3栋"))
        owner = household.residents.get()
        self.assertEqual((owner.name, owner.phone, owner.relation), ("陈大明", "13700001111", "owner"))
        verbs = set(ActivityRecord.objects.values_list("verb", flat=True))
        self.assertEqual(verbs, {"building.created", "household.created", "resident.created", "roster.imported"})

    def test_importing_the_same_file_again_changes_nothing_and_logs_nothing(self):
        self.import_csv(GOOD)
        before = self.counts()
        plan = self.import_csv(GOOD)
        self.assertFalse(plan.has_changes)
        self.assertEqual(plan.unchanged, 2)
        self.assertEqual(self.counts(), before)

    def test_a_changed_area_and_phone_update_the_household_and_are_logged(self):
        self.import_csv([["1", "1", "301", "周阿姨", "139-0000-2222", "105"]])
        self.household_a.refresh_from_db()
        self.resident_record.refresh_from_db()
        self.assertEqual(self.household_a.area, Decimal("105.00"))
        self.assertEqual(self.resident_record.phone, "13900002222")
        area_log = ActivityRecord.objects.get(verb="household.updated")
        self.assertEqual(area_log.details, {"area": ["101.50", "105.00"]})
        self.assertEqual(area_log.actor, self.chair)
        phone_log = ActivityRecord.objects.get(verb="resident.updated")
        self.assertEqual(phone_log.details, {"household": "1-1-301", "phone": ["13812341234", "13900002222"]})

    def test_a_blank_phone_or_optional_cell_leaves_the_register_as_it_is(self):
        header = [*HEADER, "居住状况", "备注"]
        plan = self.import_csv([["1", "1", "301", "周阿姨", "", "101.50", "", ""]], header=header)
        self.assertFalse(plan.has_changes)

    def test_another_owner_name_is_a_new_owner_and_the_old_record_is_kept(self):
        self.import_csv([["1", "1", "301", "钱先生", "13600003333", "101.50"]])
        self.resident_record.refresh_from_db()
        self.assertFalse(self.resident_record.is_active)
        self.assertEqual(self.resident_record.user, self.resident)
        new_owner = self.household_a.residents.get(is_active=True)
        self.assertEqual((new_owner.name, new_owner.phone), ("钱先生", "13600003333"))

    def test_it_refuses_to_guess_between_several_owners(self):
        Resident.objects.create(household=self.household_a, name="周先生", phone="13800000000")
        before = self.counts()
        with self.assertRaises(roster.RosterInvalid) as raised:
            self.import_csv([GOOD[1], ["1", "1", "301", "钱先生", "", "101.50"]])
        self.assertIn("row 4", str(raised.exception.errors[0]))
        self.assertEqual(self.counts(), before)

    def test_a_deactivated_household_in_the_file_is_active_again(self):
        services.household_deactivate(household=self.household_a2, by=self.chair)
        self.import_csv([["1", "1", "302", "", "", "74.00"]])
        self.household_a2.refresh_from_db()
        self.assertTrue(self.household_a2.is_active)

    def test_the_preview_plan_names_old_and_new_values(self):
        rows = roster.parse(csv_bytes([["1", "1", "301", "周阿姨", "13900002222", "105"]]), "roster.csv")
        (change,) = roster.make_plan(rows).changed
        self.assertEqual([(str(what), old, new) for what, old, new in change.lines],
                         [("floor area (m²)", Decimal("101.50"), Decimal("105.00")),
                          ("phone", "13812341234", "13900002222")])


class ImportCommandTest(InEnglish, BaseTestCase):
    def run_command(self, data, name="roster.csv", *args):
        path = self.enterContext(self._tmp()) / name
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        call_command("import_households", str(path), *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def _tmp(self):
        import tempfile
        from contextlib import contextmanager
        from pathlib import Path

        @contextmanager
        def folder():
            with tempfile.TemporaryDirectory() as name:
                yield Path(name)

        return folder()

    def test_dry_run_reports_and_writes_nothing(self):
        before = (Household.objects.count(), ActivityRecord.objects.count())
        out, _ = self.run_command(csv_bytes([["1", "1", "301", "周阿姨", "", "105"], GOOD[1]]), "roster.csv",
                                  "--dry-run")
        self.assertIn("New households: 1", out)
        self.assertIn("1-1-301  floor area (m²): 101.50 → 105.00", out)
        self.assertIn("Dry run", out)
        self.assertEqual((Household.objects.count(), ActivityRecord.objects.count()), before)

    def test_it_imports_an_xlsx_file(self):
        out, _ = self.run_command(xlsx_bytes(GOOD), "花名册.xlsx")
        self.assertIn("Imported.", out)
        self.assertTrue(Household.objects.filter(code="3-1-101").exists())
        record = ActivityRecord.objects.get(verb="roster.imported")
        self.assertEqual((record.actor, record.source, record.details["file"]), (None, "command", "花名册.xlsx"))

    def test_a_broken_file_names_its_rows_and_writes_nothing(self):
        before = (Household.objects.count(), ActivityRecord.objects.count())
        with self.assertRaises(CommandError) as raised:
            self.run_command(csv_bytes([GOOD[1], ["1", "1", "302", "", "", "0"], ["1", "1", "", "", "", "5"]]))
        self.assertIn("nothing was imported (2 problem(s))", str(raised.exception))
        self.assertEqual((Household.objects.count(), ActivityRecord.objects.count()), before)

    def test_it_says_so_when_the_file_is_missing(self):
        with self.assertRaises(CommandError):
            call_command("import_households", "/nonexistent/roster.csv")


class WebImportTest(BaseTestCase):
    def setUp(self):
        self.login(self.chair)

    def upload(self, data, name="roster.csv"):
        return self.client.post(reverse("estate:roster-import"), {"file": SimpleUploadedFile(name, data)})

    def snapshot(self):
        return (list(Household.objects.values_list("code", "area", "is_active")),
                list(Resident.objects.values_list("name", "phone", "is_active")), ActivityRecord.objects.count())

    def test_the_preview_shows_what_would_change_and_writes_nothing(self):
        before = self.snapshot()
        response = self.upload(csv_bytes([["1", "1", "301", "周阿姨", "", "105"], GOOD[1]]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "3-1-101")
        self.assertContains(response, '<del class="old">101.50</del> → <ins class="new">105.00</ins>')
        self.assertEqual(response.context["plan"].unchanged, 0)
        self.assertEqual(self.snapshot(), before)

    def test_confirming_applies_exactly_the_preview(self):
        preview = self.upload(xlsx_bytes([["1", "1", "301", "周阿姨", "", "105"], GOOD[1]]), "roster.xlsx")
        response = self.client.post(reverse("estate:roster-confirm"),
                                    {"token": preview.context["token"], "digest": preview.context["digest"]})
        self.assertRedirects(response, reverse("estate:household-list"))
        self.household_a.refresh_from_db()
        self.assertEqual(self.household_a.area, Decimal("105.00"))
        self.assertTrue(Household.objects.filter(code="3-1-101").exists())
        self.assertEqual(ActivityRecord.objects.get(verb="roster.imported").actor, self.chair)

    def test_a_broken_file_shows_its_rows_and_writes_nothing(self):
        before = self.snapshot()
        response = self.upload(csv_bytes([GOOD[1], ["1", "1", "302", "", "", "八十"]]))
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "第 4 行 “建筑面积”列（F 列）：看不懂面积“八十”", status_code=422)
        self.assertEqual(self.snapshot(), before)

    def test_a_forged_or_foreign_token_imports_nothing(self):
        preview = self.upload(csv_bytes(GOOD))
        before = self.snapshot()
        self.login(self.member)  # another committee member cannot replay the chair's preview
        response = self.client.post(reverse("estate:roster-confirm"),
                                    {"token": preview.context["token"], "digest": preview.context["digest"]})
        self.assertRedirects(response, reverse("estate:roster-import"))
        self.client.post(reverse("estate:roster-confirm"), {"token": "forged", "digest": "x"})
        self.assertEqual(self.snapshot(), before)

    def test_a_register_changed_since_the_preview_is_shown_again_not_applied(self):
        preview = self.upload(csv_bytes([["1", "1", "301", "周阿姨", "", "105"]]))
        services.household_update(household=self.household_a, area=Decimal("110.00"), by=self.member)
        before = self.snapshot()
        response = self.client.post(reverse("estate:roster-confirm"),
                                    {"token": preview.context["token"], "digest": preview.context["digest"]})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "110.00", status_code=409)
        self.assertEqual(self.snapshot(), before)

    def test_an_oversized_upload_is_refused(self):
        response = self.upload(b"x" * (2 * 1024 * 1024 + 1))
        self.assertContains(response, "文件超过 2 MB")
        self.assertEqual(Household.objects.count(), 3)
