"""The chasing record's column on the ledger's arrears page: each household's last reminder, the next step and a
link to record one (gathered by ledger.views_committee.arrears_columns; the ledger imports nothing of this app)."""

from django.utils.translation import gettext_lazy as _

from chasing.services import last_reminders
from estate.models import Version

# The tables the cells are read from: the arrears rows are kept under their version's token too (estate.cached).
VERSIONS = (Version.CHASING,)
HEADING = _("Last reminder · next step")
TEMPLATE = "chasing/_arrears_cell.html"


def cells(household_ids):
    """{household_id: its latest reminder}, in one query."""
    return last_reminders(household_ids)
