"""Turning what people type (or what Excel kept) into the register's one spelling of each value.

Shared by the forms, the list's search box and the roster import, so that "１３８-1234 5678",
"+86 13812345678" and "13812345678" are the same phone everywhere.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mobile 1[3-9]xxxxxxxxx; a landline with its area code (010 12345678, 0571 8765432);
# a local landline of 7 or 8 digits, which older residents still give.
PHONE_PATTERNS = (r"1[3-9]\d{9}", r"0\d{2,3}\d{7,8}", r"[2-9]\d{6,7}")
PHONE_SEPARATORS = re.compile(r"[\s\-–—.()（）]")
# ㎡ becomes "m2" and ² becomes "2" under NFKC, so these cover 85.5㎡, 85.5 m², 85.50平方米, 85.5平米.
AREA_UNITS = re.compile(r"(平方米|平米|m2)$", re.IGNORECASE)
MAX_AREA = Decimal("999999.99")
CHINESE_NUMERALS = dict(zip("一二三四五六七八九十", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], strict=True))


def text(value):
    """NFKC (full-width digits and letters to ASCII, ideographic spaces to spaces), trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps 301 as 301.0
    return unicodedata.normalize("NFKC", str(value)).strip()


def digits_only(value):
    return re.sub(r"\D", "", text(value))


def phone(value):
    """The phone as digits only, or "" for none; ValidationError when it is not a phone number."""
    number = PHONE_SEPARATORS.sub("", text(value))
    if not number:
        return ""
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not any(re.fullmatch(pattern, number) for pattern in PHONE_PATTERNS):
        raise ValidationError(
            _("“%(value)s” is not a phone number (one mobile or landline number, digits only)."),
            code="phone", params={"value": text(value)},
        )
    return number


def phone_search(value):
    """The digits of a searched phone when the query looks like one, else None ("张三" is no phone)."""
    query = PHONE_SEPARATORS.sub("", text(value))
    if query.startswith("+86"):
        query = query[3:]
    return query if len(query) >= 3 and query.isdigit() else None


def person_name(value):
    """Stray and padding spaces go: "张　三" (padded to line up in Excel) is 张三; "Anna  Li" is "Anna Li"."""
    name = " ".join(text(value).split())
    if re.search(r"[\u4e00-\u9fff]", name):
        name = name.replace(" ", "")
    return name


def area(value):
    """A floor area as Decimal with two places: "85.5", "85.5㎡", "85.50平方米", 85.5 from Excel."""
    raw = text(value).replace(" ", "").replace(",", "")
    number = AREA_UNITS.sub("", raw)
    try:
        result = Decimal(number)
    except InvalidOperation:
        raise ValidationError(_("cannot read the area “%(value)s”"), code="area", params={"value": raw}) from None
    if not result.is_finite() or result <= 0:
        raise ValidationError(_("the area must be more than 0, not “%(value)s”"), code="area", params={"value": raw})
    if result != result.quantize(Decimal("0.01")):
        raise ValidationError(_("the area “%(value)s” has more than two decimals"), code="area", params={"value": raw})
    if result > MAX_AREA:
        raise ValidationError(_("the area “%(value)s” is too large"), code="area", params={"value": raw})
    return result.quantize(Decimal("0.01"))


def _strip_suffix(value, suffixes):
    value = text(value).replace(" ", "")
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            value = value[: -len(suffix)]
            break
    return CHINESE_NUMERALS.get(value, value)


def building_code(value):
    """"1", "1栋", "1号楼", "1幢", "一栋" are all building 1."""
    return _strip_suffix(value, ("号楼", "栋", "幢", "座", "楼", "号"))


def entrance(value):
    """"1", "1单元", "一单元" are all entrance 1; empty when the estate has no entrances."""
    return _strip_suffix(value, ("单元", "门"))


def room(value):
    """"301", "301室", "３０１" are all room 301."""
    return _strip_suffix(value, ("室", "号"))


def floor_from_room(room_code):
    """Room 301 is on floor 3, room 1203 on floor 12; None when the room number does not say."""
    if room_code.isdigit() and len(room_code) >= 3:
        return int(room_code[:-2])
    return None
