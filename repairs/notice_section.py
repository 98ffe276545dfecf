"""The repairs section of the monthly accounts notice: repairs finished in the month, with what they cost.

The ledger's notice gathers sections from every app that has a notice_section module, as the dashboard
gathers panels, so the ledger imports nothing of repairs (docs/ARCHITECTURE.md, "The monthly notice").
Locations only, never names or addresses: the notice hangs on the board.
"""

from decimal import Decimal

from estate.models import Version
from repairs import reports

# The snapshot keys this section writes; the section is shown only where its key is in the snapshot.
KEY = "repairs"
TEMPLATE = "repairs/_notice_section.html"
MONEY_KEYS = frozenset({"cost", "repairs_total"})
# The tables it reads (tickets, their places): an open month's notice is kept under their tokens (estate.cached).
VERSIONS = (Version.REPAIRS,)


def _money(value):
    return None if value is None else f"{value:.2f}"


def notice_data(month):
    repairs = reports.finished_in_month(month.year, month.month)
    return {
        "repairs": [
            {"number": line.number, "category": line.category, "location": line.location,
             "finished_on": line.finished_on.isoformat(), "cost": _money(line.cost)}
            for line in repairs
        ],
        "repairs_total": _money(sum((line.cost for line in repairs if line.cost), Decimal("0"))),
    }
