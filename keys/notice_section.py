"""The keys section of the monthly accounts notice: every spare key taken out in the month, all witnessed.

Gathered by the ledger's notice like every app's notice_section module (docs/ARCHITECTURE.md,
"The monthly notice"). Opaque tags, never households, names or addresses.
"""

from django.utils import timezone

from estate.models import Version
from keys import reports

KEY = "keys"
TEMPLATE = "keys/_notice_section.html"
MONEY_KEYS = frozenset()
# The tables it reads (hand-overs, keepers): an open month's notice is kept under their tokens (estate.cached).
VERSIONS = (Version.KEYS,)


def notice_data(month):
    return {
        "keys": [
            {"tag": line.tag, "emergency": line.is_emergency, "purpose": line.purpose_label,
             "out": timezone.localtime(line.out_at).strftime("%Y-%m-%d %H:%M"),
             "back": timezone.localtime(line.back_at).strftime("%Y-%m-%d %H:%M") if line.back_at else "",
             "keeper": line.keeper, "witness": line.witness}
            for line in reports.handovers_in_month(month.year, month.month)
        ],
    }
