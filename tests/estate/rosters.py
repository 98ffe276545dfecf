"""Roster files made in code, the way committees' Excel leaves them (no binary fixtures)."""

import csv
import io

from openpyxl import Workbook

HEADER = ["楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积（㎡）"]
TITLE = ["幸福家园小区业主花名册", "", "", "", "", ""]


def csv_bytes(rows, *, header=HEADER, title=(TITLE,), encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out)
    for line in (*title, header, *rows):
        writer.writerow(line)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER, title=(TITLE,), merge=(), sheets=None):
    """`sheets`: {title: rows} for a workbook with a sheet per building; `merge`: ranges like "A3:A5"."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in (sheets or {"花名册": rows}).items():
        sheet = workbook.create_sheet(name)
        for line in (*title, header, *sheet_rows):
            sheet.append(list(line))
        if title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        for cells in merge:
            first = sheet[cells.split(":")[0]]
            value = first.value
            sheet.merge_cells(cells)
            sheet[cells.split(":")[0]] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
