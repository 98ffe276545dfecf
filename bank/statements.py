"""Reading a bank's monthly statement as Chinese banks, WeChat Pay and Alipay business accounts export it.

Those exports put a few lines of account details above the table, are often encoded in GBK, and name
their columns in their own words (交易日期, 收入金额, 支出金额, 对方户名, 交易流水号, 账户余额 ...). The
ColumnMapping of the bank says which header is which; the header row is the first row that holds the
date column's name. Nothing is guessed: a row that cannot be read is reported with its number.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    number: int
    date: date
    amount: Decimal
    reference: str
    counterparty: str
    balance: Decimal | None


def read_table(data, name):
    """The file's rows as lists of strings: .xlsx by openpyxl, anything else as CSV (UTF-8 or GBK)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The statement file is larger than 5 MB."))
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(["" if cell is None else (cell.date().isoformat() if isinstance(cell, datetime)
                                                       else str(cell)).strip() for cell in row])
                if len(rows) > MAX_ROWS:
                    break
            return rows
        except Exception:  # noqa: BLE001 - any damage in the file is the same answer for the person
            raise ValidationError(_("The Excel file could not be read.")) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file is neither CSV nor Excel."))
    rows = [[cell.strip().strip("\t") for cell in row] for row in csv.reader(io.StringIO(text))]
    return rows[: MAX_ROWS + 1]


def _amount(text):
    cleaned = re.sub(r"[,，¥￥\s元]", "", text or "")
    if cleaned in ("", "-", "/", "--"):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return value


def _date(text):
    match = re.match(r"\s*(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})", text or "")
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def parse(rows, mapping):
    """[Row] of the statement's table, by `mapping` (a ColumnMapping); ValidationError naming the row when one
    cannot be read."""
    header_at = next((i for i, row in enumerate(rows) if mapping.date_column in row), None)
    if header_at is None:
        raise ValidationError(_("No row of the file has a column named “%(name)s”: check the column names saved "
                                "for %(bank)s.") % {"name": mapping.date_column, "bank": mapping.bank})
    header = rows[header_at]

    def column(name):
        if not name:
            return None
        if name not in header:
            raise ValidationError(_("The file has no column named “%(name)s”.") % {"name": name})
        return header.index(name)

    at = {key: column(getattr(mapping, f"{key}_column")) for key in
          ("date", "amount", "in", "out", "reference", "counterparty", "balance")}
    if at["amount"] is None and at["in"] is None:
        raise ValidationError(_("Say which column holds the amount, or the money in and out."))
    parsed = []
    for offset, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if at["date"] >= len(row) or not re.match(r"\s*\d", row[at["date"]]):
            continue  # blank lines, and the totals (合计) banks print under the table

        def cell(key, row=row):
            index = at[key]
            return row[index] if index is not None and index < len(row) else ""

        try:
            day = _date(cell("date"))
            if at["amount"] is not None:
                amount = _amount(cell("amount"))
            else:
                amount = (_amount(cell("in")) or Decimal(0)) - (_amount(cell("out")) or Decimal(0))
            balance = _amount(cell("balance"))
        except ValueError as error:
            raise ValidationError(_("Row %(row)s cannot be read: “%(value)s”.")
                                  % {"row": offset, "value": str(error)[:40]}) from None
        if not amount:
            continue
        parsed.append(Row(len(parsed) + 1, day, amount, cell("reference")[:100], cell("counterparty")[:100],
                          balance))
    if not parsed:
        raise ValidationError(_("The file holds no statement lines under its header."))
    return parsed
