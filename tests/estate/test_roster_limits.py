"""Hostile roster files are refused with a clear message before they can hold a worker.

An .xlsx is a zip of XML, so a few kilobytes can describe a sheet that takes gigabytes or minutes
to read (estate/roster.py explains the limits). Every file here is made in code.
"""

import io
import zipfile
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse

from accounts.models import ActivityRecord
from estate import roster
from estate.models import Household
from tests.base import BaseTestCase
from tests.estate.rosters import HEADER, csv_bytes, xlsx_bytes
from tests.estate.test_roster import GOOD, InEnglish, errors_of


def with_sheet_xml(sheet_xml):
    """A real roster workbook whose first sheet's XML is replaced by `sheet_xml`, deflated."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for part in source.infolist():
            data = sheet_xml if part.filename == "xl/worksheets/sheet1.xml" else source.read(part)
            target.writestr(part.filename, data)
    return out.getvalue()


def sheet(rows_xml, *, after=b""):
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + rows_xml + b"</sheetData>" + after + b"</worksheet>")


def one_cell_at_the_far_corner():
    """The roster, and one more cell at XFD1048576: the last cell Excel has."""
    data = xlsx_bytes(GOOD)
    from openpyxl import load_workbook
    workbook = load_workbook(io.BytesIO(data))
    workbook.active["XFD1048576"] = "x"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def two_million_cells():
    row = b"<row>" + b"<c/>" * 1000 + b"</row>"
    return with_sheet_xml(sheet(row * 2000))


class HostileWorkbookTest(InEnglish, SimpleTestCase):
    def test_a_lone_cell_at_xfd1048576_is_refused_by_its_extent(self):
        data = one_cell_at_the_far_corner()
        self.assertLess(len(data), 6 * 1024)
        self.assertEqual(errors_of(data, "roster.xlsx"), [
            "sheet “花名册”: The sheet reaches down to row 1048576 and across to column XFD; a roster has at "
            "most 10000 rows and 100 columns. Delete what lies beyond the roster and save it again."])

    def test_two_million_cells_are_counted_and_refused_before_the_workbook_is_read(self):
        data = two_million_cells()
        self.assertLess(len(data), 16 * 1024)
        with mock.patch("estate.roster.load_workbook", side_effect=AssertionError("the workbook was read")):
            errors = errors_of(data, "roster.xlsx")
        self.assertEqual(errors, [
            "The file holds more than 200,000 cells; a roster is much smaller. Delete what is not the roster "
            "(other tables, empty formatted areas) and save it again."])

    def test_a_merged_range_over_the_whole_sheet_is_refused_before_it_is_read(self):
        # openpyxl makes an object for every cell a merged range covers.
        data = with_sheet_xml(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>',
                                    after=b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'))
        with mock.patch("estate.roster.load_workbook", side_effect=AssertionError("the workbook was read")):
            self.assertIn("more than 200,000 cells", errors_of(data, "roster.xlsx")[0])

    def test_a_zip_bomb_is_refused_by_its_declared_size(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/sharedStrings.xml", b" " * (roster.MAX_XML_BYTES + 1))
        self.assertIn("more than 200,000 cells", errors_of(out.getvalue(), "roster.xlsx")[0])

    def test_a_csv_of_endless_empty_cells_is_refused(self):
        data = csv_bytes([GOOD[0], [""] * (roster.MAX_CELLS + 1)])
        self.assertIn("more than 200,000 cells", errors_of(data)[0])

    def test_a_roster_within_the_limits_still_reads(self):
        rows = [["1", "1", str(100 + n), "", "", "60"] for n in range(300)]
        self.assertEqual(len(roster.parse(xlsx_bytes(rows, header=HEADER), "roster.xlsx")), 300)


class HostileUploadTest(BaseTestCase):
    def test_the_committee_reads_why_in_chinese_and_nothing_is_written(self):
        self.login(self.chair)
        before = (Household.objects.count(), ActivityRecord.objects.count())
        response = self.client.post(reverse("estate:roster-import"),
                                    {"file": SimpleUploadedFile("roster.xlsx", one_cell_at_the_far_corner())})
        self.assertContains(response, "工作表一直延伸到第 1048576 行、XFD 列", status_code=422)
        self.assertEqual((Household.objects.count(), ActivityRecord.objects.count()), before)
