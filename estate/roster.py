"""Reading the committee's roster (.xlsx or .csv) and working out what it would change.

One parser and one planner, used by `manage.py import_households` and by the web import:

    rows = parse(data, filename)      # RosterInvalid with every bad row, or the normalised rows
    plan = make_plan(rows)            # what would change; nothing is written
    services.roster_import(rows=rows, by=user)   # applies it, all or nothing

Rosters come as committees really keep them: title rows above the header, Chinese headers with
units in brackets, merged building cells, blank rows, a 合计 row, full-width digits, "85.5㎡",
"1号楼", phones with spaces, dashes or +86, CSV saved by Excel in GBK. Any row that cannot be read
makes the whole file fail, each problem named by its row (as Excel numbers it) and column.
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from estate import normalise
from estate.models import Building, Household, Resident

MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 20
MAX_ERRORS = 50
# What a file may hold before it is read at all (docs/ARCHITECTURE.md, "Heavy work off the request path"):
# a roster of MAX_ROWS households with title rows, blank rows and a few dozen columns fits easily, a
# hostile file does not. An .xlsx is a zip of XML: 5 KB of it can claim one cell at XFD1048576 (a grid of
# 17 billion cells once read) or two million real cells (20 s of parsing), so the cells and merged ranges
# are counted in the XML before openpyxl sees it, and the sheet's real extent is checked before it is
# laid out as rows.
MAX_CELLS = 200_000
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 100
MAX_XML_BYTES = 50 * 1024 * 1024  # uncompressed, all of the workbook's parts together
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_MERGE_TAG = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})\"")

# Column key -> the headers committees write for it (after normalising: NFKC, no spaces, no "(㎡)").
COLUMNS = {
    "building": ("楼栋", "楼号", "栋号", "楼栋号", "幢号"),
    "entrance": ("单元", "单元号"),
    "room": ("房号", "房间号", "室号", "门牌号"),
    "owner": ("业主姓名", "业主", "户主姓名", "户主", "姓名"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"),
    "area": ("建筑面积", "面积"),
    "floor": ("楼层", "层"),
    "occupancy": ("居住状况", "居住情况", "入住情况", "状态"),
    "notes": ("备注",),
}
REQUIRED = ("building", "room", "area")
# The Chinese header each column is known by in messages.
COLUMN_LABELS = {
    "building": "楼栋", "entrance": "单元", "room": "房号", "owner": "业主姓名", "phone": "联系电话",
    "area": "建筑面积", "floor": "楼层", "occupancy": "居住状况", "notes": "备注",
}
OCCUPANCY = {
    "自住": Household.Occupancy.OWNER, "自用": Household.Occupancy.OWNER, "业主自住": Household.Occupancy.OWNER,
    "出租": Household.Occupancy.RENTED, "租住": Household.Occupancy.RENTED, "租赁": Household.Occupancy.RENTED,
    "空置": Household.Occupancy.VACANT, "闲置": Household.Occupancy.VACANT, "空房": Household.Occupancy.VACANT,
}
TOTAL_ROW = re.compile(r"^(合计|总计|小计|共计)")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class RosterError:
    row: int | None
    message: str
    column: str = ""
    letter: str = ""
    sheet: str = ""

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s (%(letter)s)") % {"column": self.column, "letter": self.letter}
                         if self.letter else self.column)
        if not where:
            return self.message
        return _("%(where)s: %(message)s") % {"where": " ".join(where), "message": self.message}


class RosterInvalid(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class RosterRow:
    """One household as the file gives it, normalised. Empty optional values mean "not given"."""

    row: int
    building: str
    entrance: str
    room: str
    area: Decimal
    floor: int | None = None
    owner: str = ""
    phone: str = ""
    occupancy: str = ""
    notes: str = ""
    sheet: str = ""

    @property
    def code(self):
        return Household.make_code(self.building, self.entrance, self.room)

    @property
    def floor_or_guess(self):
        return self.floor if self.floor is not None else normalise.floor_from_room(self.room)

    def as_json(self):
        return [self.row, self.building, self.entrance, self.room, str(self.area), self.floor, self.owner,
                self.phone, self.occupancy, self.notes, self.sheet]

    @classmethod
    def from_json(cls, data):
        row, building, entrance, room, area, floor, owner, phone, occupancy, notes, sheet = data
        return cls(row, building, entrance, room, Decimal(area), floor, owner, phone, occupancy, notes, sheet)


# --- Reading the file -----------------------------------------------------------

def _too_big():
    return RosterInvalid([RosterError(None, _(
        "The file holds more than %(cells)s cells; a roster is much smaller. Delete what is not the roster "
        "(other tables, empty formatted areas) and save it again.") % {"cells": f"{MAX_CELLS:,}"})])


def _column_number(letters):
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_xlsx_size(data):
    """Count the cells (and cells covered by merged ranges) in the workbook's XML, without building it.

    Reads each part in pieces, never more than its declared size (zipfile stops there and checks the
    CRC), so a zip bomb costs no more memory than a piece.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RosterInvalid([RosterError(None, _("The file cannot be opened as an Excel workbook (.xlsx)."))]) from None
    if sum(part.file_size for part in parts) > MAX_XML_BYTES:
        raise _too_big()
    cells = 0
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        try:
            with archive.open(part) as stream:
                rest = b""
                while chunk := stream.read(1 << 20):
                    text = rest + chunk
                    # Scan whole tags only; the unfinished one waits for the next piece.
                    end = text.rfind(b">") + 1
                    text, rest = text[:end], text[end:]
                    cells += len(_CELL_TAG.findall(text))
                    for first_col, first_row, last_col, last_row in _MERGE_TAG.findall(text):
                        cells += ((abs(int(last_row) - int(first_row)) + 1)
                                  * (abs(_column_number(last_col) - _column_number(first_col)) + 1))
                    if cells > MAX_CELLS:
                        raise _too_big()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise RosterInvalid([RosterError(None, _("The file cannot be opened as an Excel workbook (.xlsx)."))]) \
                from None


def _xlsx_sheets(data):
    _check_xlsx_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise RosterInvalid([RosterError(None, _("The file cannot be opened as an Excel workbook (.xlsx)."))]) from None
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        # The extent of the cells really there: laying out rows up to a lone cell at XFD1048576 would
        # fill memory with empty cells.
        if sheet.max_row > MAX_SHEET_ROWS or sheet.max_column > MAX_SHEET_COLUMNS:
            raise RosterInvalid([RosterError(None, _(
                "The sheet reaches down to row %(row)s and across to column %(column)s; a roster has at most "
                "%(rows)s rows and %(columns)s columns. Delete what lies beyond the roster and save it again.")
                % {"row": sheet.max_row, "column": get_column_letter(sheet.max_column),
                   "rows": MAX_SHEET_ROWS, "columns": MAX_SHEET_COLUMNS}, sheet=sheet.title)])
        grid = [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
        # A building name merged down over its rows counts for every row it covers.
        for merged in sheet.merged_cells.ranges:
            value = sheet.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
                for c in range(merged.min_col, min(merged.max_col, len(grid[r - 1])) + 1):
                    grid[r - 1][c - 1] = value
        yield sheet.title, grid


def _csv_text(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Excel in China saves as "CSV"; a superset of GBK
    except UnicodeDecodeError:
        raise RosterInvalid([RosterError(None, _("The CSV file is neither UTF-8 nor GBK text."))]) from None


def _csv_sheets(data):
    text = _csv_text(data)
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    grid, cells = [], 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        cells += len(row)
        if cells > MAX_CELLS:
            raise _too_big()
        grid.append(row)
    yield "", grid


def _sheets(data, filename):
    name = filename.lower()
    if data.startswith(XLS_MAGIC) or name.endswith(".xls"):
        raise RosterInvalid([RosterError(None, _("Old .xls files cannot be read: save the roster as .xlsx or .csv."))])
    if data.startswith(XLSX_MAGIC) or name.endswith(".xlsx"):
        return list(_xlsx_sheets(data))
    if name.endswith((".csv", ".txt")):
        return list(_csv_sheets(data))
    raise RosterInvalid([RosterError(None, _("Please upload the roster as .xlsx or .csv."))])


# --- Finding the header ----------------------------------------------------------

def _header_key(cell):
    label = normalise.text(cell).replace(" ", "")
    label = re.sub(r"\(.*?\)|\[.*?\]|【.*?】|[*:：]", "", label)
    for key, names in COLUMNS.items():
        if label in names:
            return key
    return None


def _find_header(grid):
    """(row index, {key: column index}) of the header row, or None when the sheet has none."""
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        keys = [_header_key(cell) for cell in cells]
        if "room" in keys and sum(key is not None for key in keys) >= 3:
            columns, duplicates = {}, []
            for position, key in enumerate(keys):
                if key is None:
                    continue
                if key in columns:
                    duplicates.append(key)
                columns.setdefault(key, position)
            return index, columns, duplicates
    return None


# --- Reading the rows ------------------------------------------------------------

def _cell(cells, position):
    return cells[position] if position is not None and position < len(cells) else None


def _parse_row(cells, columns, number, sheet, errors):
    def value(key):
        return _cell(cells, columns.get(key))

    def fail(key, message):
        position = columns.get(key)
        errors.append(RosterError(number, message, COLUMN_LABELS[key],
                                  get_column_letter(position + 1) if position is not None else "", sheet))

    values = {}
    for key, clean in (("building", normalise.building_code), ("entrance", normalise.entrance),
                       ("room", normalise.room)):
        values[key] = clean(value(key)) if key in columns else ""
    if not values["building"]:
        fail("building", _("the building is missing"))
    elif len(values["building"]) > 10:
        fail("building", _("“%(value)s” is not a building") % {"value": values["building"]})
    if len(values["entrance"]) > 10:
        fail("entrance", _("“%(value)s” is not an entrance") % {"value": values["entrance"]})
    if not values["room"]:
        fail("room", _("the room number is missing"))
    elif len(values["room"]) > 10:
        fail("room", _("“%(value)s” is not a room number") % {"value": values["room"]})

    area = None
    try:
        area = normalise.area(value("area"))
    except ValidationError as error:
        fail("area", error.messages[0] if normalise.text(value("area")) else _("the area is missing"))

    floor = None
    raw_floor = normalise.text(value("floor")).removesuffix("层").removesuffix("楼")
    if raw_floor:
        if re.fullmatch(r"-?\d{1,3}", raw_floor):
            floor = int(raw_floor)
        else:
            fail("floor", _("“%(value)s” is not a floor") % {"value": raw_floor})
    elif values["room"] and normalise.floor_from_room(values["room"]) is None:
        fail("floor", _("the floor cannot be told from room “%(room)s”: fill in 楼层") % {"room": values["room"]})

    owner = normalise.person_name(value("owner"))
    if len(owner) > 50:
        fail("owner", _("the name is longer than 50 characters"))
    phone = ""
    try:
        phone = normalise.phone(value("phone"))
    except ValidationError as error:
        fail("phone", error.messages[0])
    if phone and not owner:
        fail("owner", _("a phone number is given without the owner's name"))

    occupancy = ""
    raw_occupancy = normalise.text(value("occupancy")).replace(" ", "")
    if raw_occupancy:
        occupancy = OCCUPANCY.get(raw_occupancy, "")
        if not occupancy:
            fail("occupancy", _("“%(value)s” is not one of 自住, 出租, 空置") % {"value": raw_occupancy})

    if area is None:
        return None
    return RosterRow(number, values["building"], values["entrance"], values["room"], area, floor, owner, phone,
                     occupancy, normalise.text(value("notes")), sheet)


def parse(data, filename):
    """The roster's rows, normalised; raises RosterInvalid naming every problem (and nothing is written)."""
    sheets = _sheets(data, filename)
    errors, rows, skipped, seen = [], [], [], {}
    found_header = False
    for sheet_name, grid in sheets:
        header = _find_header(grid)
        if header is None:
            continue
        found_header = True
        label = sheet_name if len(sheets) > 1 else ""
        index, columns, duplicates = header
        for key in duplicates:
            errors.append(RosterError(index + 1, _("the column %(column)s appears twice") % {
                "column": COLUMN_LABELS[key]}, sheet=label))
        missing = [COLUMN_LABELS[key] for key in REQUIRED if key not in columns]
        if missing:
            errors.append(RosterError(index + 1, _("the header has no column %(columns)s") % {
                "columns": "、".join(missing)}, sheet=label))
            continue
        for offset, cells in enumerate(grid[index + 1:], start=index + 2):
            texts = [normalise.text(cell) for cell in cells]
            if not any(texts):
                continue
            if any(TOTAL_ROW.match(t) for t in texts[:3]):
                skipped.append((label, offset))
                continue
            if len(rows) >= MAX_ROWS:
                errors.append(RosterError(offset, _("a roster has at most %(max)s rows") % {"max": MAX_ROWS},
                                          sheet=label))
                break
            row = _parse_row(cells, columns, offset, label, errors)
            if row is None:
                continue
            if row.code in seen:
                first = seen[row.code]
                errors.append(RosterError(offset, _("unit %(code)s is already on row %(row)s") % {
                    "code": row.code, "row": first.row if first.sheet == label else f"{first.sheet} {first.row}"},
                    COLUMN_LABELS["room"], get_column_letter(columns["room"] + 1), label))
                continue
            seen[row.code] = row
            rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if not found_header:
        errors.append(RosterError(None, _(
            "No header row found: the roster needs columns named 楼栋, 房号 and 建筑面积 "
            "(and may have 单元, 业主姓名, 联系电话, 楼层, 居住状况, 备注).")))
    if not errors and not rows:
        errors.append(RosterError(None, _("The roster has no households in it.")))
    if errors:
        raise RosterInvalid(errors[:MAX_ERRORS])
    return ParsedRoster(rows, skipped)


@dataclass
class ParsedRoster:
    rows: list
    skipped: list  # (sheet, row) of 合计 rows left out

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


# --- What it would change ----------------------------------------------------------

FIELD_LABELS = {
    "area": gettext_lazy("floor area (m²)"), "floor": gettext_lazy("floor"),
    "occupancy": gettext_lazy("occupancy"), "notes": gettext_lazy("notes"), "is_active": gettext_lazy("active"),
    "name": gettext_lazy("owner"), "phone": gettext_lazy("phone"),
}


@dataclass
class Change:
    row: RosterRow
    household: Household
    household_values: dict = field(default_factory=dict)
    owner: Resident | None = None
    owner_update: dict = field(default_factory=dict)
    owners_leaving: list = field(default_factory=list)
    new_owner: tuple | None = None  # (name, phone)

    def diff(self):
        """(field, old, new) for everything this change would write."""
        result = [(key, getattr(self.household, key), new) for key, new in self.household_values.items()]
        result += [(key, getattr(self.owner, key), new) for key, new in self.owner_update.items()]
        if self.owners_leaving or self.new_owner:
            old = "、".join(f"{r.name} {r.phone}".strip() for r in self.owners_leaving)
            result.append(("name", old, " ".join(self.new_owner).strip()))
        return result

    @property
    def lines(self):
        """(what, old, new) for the preview, in words."""
        return [(FIELD_LABELS[key], _display(key, old), _display(key, new)) for key, old, new in self.diff()]

    def as_json(self):
        """Old and new values both: the same file against a since-edited register is another plan."""
        return [self.row.code, [(key, str(old), str(new)) for key, old, new in self.diff()],
                sorted(r.pk for r in self.owners_leaving), self.owner and self.owner.pk]


def _display(key, value):
    if key == "occupancy":
        return Household.Occupancy(value).label
    if key == "is_active":
        return _("yes") if value else _("no")
    return value


@dataclass
class Plan:
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    new_buildings: list = field(default_factory=list)
    not_in_file: int = 0
    skipped: list = field(default_factory=list)

    @property
    def has_changes(self):
        return bool(self.new or self.changed)

    @property
    def digest(self):
        """Fingerprint of exactly what would be written (compared at confirmation)."""
        payload = [[row.as_json() for row in self.new], [c.as_json() for c in self.changed], self.new_buildings]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


class PlanError(RosterInvalid):
    pass


def _owner_plan(change, owners, row):
    """The owner named in the file against the active owners on record."""
    if not row.owner:
        return
    same = [r for r in owners if r.name == row.owner]
    if same:
        change.owner = same[0]
        if row.phone and same[0].phone != row.phone:
            change.owner_update = {"phone": row.phone}
    elif len(owners) <= 1:
        # Another name is another person (the flat was sold): the old owner's record is kept, inactive.
        change.owners_leaving = owners
        change.new_owner = (row.owner, row.phone)
    else:
        raise PlanError([RosterError(row.row, _(
            "%(code)s has %(count)s owners on record (%(names)s) and none is named %(name)s: "
            "change the owners on the household's page first") % {
            "code": row.code, "count": len(owners), "names": "、".join(r.name for r in owners), "name": row.owner},
            COLUMN_LABELS["owner"], sheet=row.sheet)])


def make_plan(rows, *, lock=False):
    """What importing `rows` would change in the register now. Reads only: a fixed handful of queries."""
    households = Household.objects.select_related("building")
    if lock:
        households = households.select_for_update(of=("self",))
    by_code = {h.code: h for h in households.filter(code__in=[row.code for row in rows])}
    owners = {}
    owners_on_record = Resident.objects.filter(household__in=by_code.values(), is_active=True,
                                               relation=Resident.Relation.OWNER).select_related("household")
    for resident in owners_on_record.order_by("pk"):
        owners.setdefault(resident.household_id, []).append(resident)
    known_buildings = set(Building.objects.values_list("code", flat=True))
    plan = Plan(skipped=list(getattr(rows, "skipped", [])))
    plan.new_buildings = sorted({row.building for row in rows} - known_buildings)
    plan.not_in_file = Household.objects.filter(is_active=True).exclude(code__in=list(by_code)).count()
    errors = []
    for row in rows:
        household = by_code.get(row.code)
        if household is None:
            plan.new.append(row)
            continue
        change = Change(row=row, household=household)
        wanted = {"area": row.area, "floor": row.floor, "occupancy": row.occupancy, "notes": row.notes,
                  "is_active": True}
        change.household_values = {
            key: value for key, value in wanted.items()
            if value not in (None, "") and getattr(household, key) != value
        }
        try:
            _owner_plan(change, owners.get(household.pk, []), row)
        except PlanError as error:
            errors.extend(error.errors)
            continue
        if change.household_values or change.owner_update or change.new_owner:
            plan.changed.append(change)
        else:
            plan.unchanged += 1
    if errors:
        raise PlanError(errors[:MAX_ERRORS])
    return plan


def plan_summary(plan):
    """A few lines for the command line (the web preview shows the same in a table)."""
    lines = [_("New households: %(count)s") % {"count": len(plan.new)}]
    for row in plan.new:
        lines.append(f"  + {row.code}  {row.area} m²  {row.owner} {row.phone}".rstrip())
    lines.append(_("Changed households: %(count)s") % {"count": len(plan.changed)})
    for change in plan.changed:
        for what, old, new in change.lines:
            lines.append(f"  ~ {change.row.code}  {what}: {old or '—'} → {new or '—'}")
    lines.append(_("Unchanged households: %(count)s") % {"count": plan.unchanged})
    if plan.new_buildings:
        lines.append(_("New buildings: %(codes)s") % {"codes": "、".join(plan.new_buildings)})
    if plan.not_in_file:
        lines.append(_("Households in the register but not in the file (left as they are): %(count)s")
                     % {"count": plan.not_in_file})
    for sheet, row in plan.skipped:
        lines.append(_("Left out total row %(row)s") % {"row": f"{sheet} {row}".strip()})
    return lines
