"""The bank-and-cash lines of the monthly notice: the bank statement's balance and the counted cash beside
the books' (docs/ARCHITECTURE.md, "Money that cannot be bent"). Gathered by ledger.notice like every section."""

from bank.services import notice_figures
from estate.models import Version

KEY = "reconciliation"
TEMPLATE = "bank/_notice_section.html"
MONEY_KEYS = frozenset({"bank_statement", "bank_books", "cash_counted", "cash_books"})
# The tables it reads (statements, cash counts): an open month's notice is kept under their tokens (estate.cached).
VERSIONS = (Version.BANK,)


def notice_data(month):
    return {KEY: notice_figures(month)}
