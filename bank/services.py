"""Statements, explanations and cash counts; matching the bank's lines with the journal; what blocks a close.

The rule (docs/ARCHITECTURE.md, "Money that cannot be bent"): a month cannot close while the bank's balance or
the counted cash differs from the books without a written explanation. `month_close_blockers(month)` says what
stands in the way, for ledger.services.month_close (which refuses) and for the month-close page (which lists
it). Once the estate has entered a statement (or a cash count) for a month, every later month needs one too.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.activity import log_action
from bank import statements
from bank.models import CashCount, ColumnMapping, Explanation, Statement, StatementLine
from estate.uploads import PreparedFile, store
from ledger.models import Account, Entry, add_months, month_start
from ledger.money import round_money
from ledger.reports import balances

MATCH_DAYS = 5  # a transfer booked on the 30th may reach the bank's statement a few days later


def _label(month):
    return f"{month:%Y-%m}"


def _month_over(month):
    if add_months(month, 1) > timezone.localdate():
        raise ValidationError(_("%(month)s is not over yet.") % {"month": _label(month)})


def books_balance(month, code):
    """The books' balance of cash or bank at the end of `month`."""
    return balances(add_months(month, 1) - timedelta(days=1), codes=(code,))[code]


@transaction.atomic
def mapping_save(*, bank, by, **columns):
    """Remember which column of `bank`'s export holds what (ColumnMapping's *_column fields)."""
    bank = (bank or "").strip()[:50]
    if not bank or not columns.get("date_column"):
        raise ValidationError(_("Name the bank and its date column."))
    if not columns.get("amount_column") and not columns.get("in_column"):
        raise ValidationError(_("Say which column holds the amount, or the money in and out."))
    mapping, _created = ColumnMapping.objects.update_or_create(bank=bank, defaults={**columns, "updated_by": by,
                                                                                   "updated_at": timezone.now()})
    log_action("bank.mapping.saved", mapping, by=by, details={"bank": bank})
    return mapping


@transaction.atomic
def statement_import(*, month, bank, data, original_name, by, closing_balance=None):
    """Import the bank's statement file of `month` with `bank`'s saved column names; the file is kept."""
    month = month_start(month)
    _month_over(month)
    mapping = ColumnMapping.objects.filter(bank=bank).first()
    if mapping is None:
        raise ValidationError(_("Save the column names of %(bank)s first.") % {"bank": bank})
    rows = statements.parse(statements.read_table(data, original_name), mapping)
    for row in rows:
        if month_start(row.date) != month:
            raise ValidationError(_("Line %(number)s is dated %(date)s, outside %(month)s.")
                                  % {"number": row.number, "date": row.date.isoformat(), "month": _label(month)})
    if closing_balance is None:
        dated = [row for row in rows if row.balance is not None]
        if not dated:
            raise ValidationError(_("The file shows no balance: enter the closing balance from the statement."))
        last_day = max(row.date for row in dated)
        on_last_day = [row for row in dated if row.date == last_day]
        # Banks list oldest first, WeChat Pay and Alipay newest first: the last day's balance either way.
        closing_balance = (on_last_day[-1] if rows[0].date <= rows[-1].date else on_last_day[0]).balance
    extension = "xlsx" if data[:2] == b"PK" else "csv"
    kept = PreparedFile(data, extension, "application/octet-stream", original_name[:100])
    statement = _statement_create(month=month, bank=bank, closing_balance=closing_balance, by=by, file=kept)
    seen = set()
    lines = []
    for row in rows:
        key = (row.date, row.amount, row.reference, row.counterparty)
        lines.append(StatementLine(statement=statement, number=row.number, date=row.date, amount=row.amount,
                                   reference=row.reference, counterparty=row.counterparty, duplicate=key in seen))
        seen.add(key)
    StatementLine.objects.bulk_create(lines)
    log_action("bank.statement.imported", statement, by=by,
               details={"month": _label(month), "lines": len(lines), "closing_balance": str(closing_balance)})
    return statement


@transaction.atomic
def statement_enter(*, month, bank, closing_balance, photo, by):
    """Enter only the statement's closing balance, with a photo (or PDF) of the paper statement."""
    month = month_start(month)
    _month_over(month)
    statement = _statement_create(month=month, bank=bank, closing_balance=closing_balance, by=by, photo=photo)
    log_action("bank.statement.entered", statement, by=by,
               details={"month": _label(month), "closing_balance": str(closing_balance)})
    return statement


def _statement_create(*, month, bank, closing_balance, by, file=None, photo=None):
    """The statement row with its file or photo stored (call inside estate.uploads.cleanup_on_error())."""
    if Statement.objects.select_for_update().filter(month=month).exists():
        raise ValidationError(_("The statement of %(month)s is already entered.") % {"month": _label(month)})
    if not isinstance(closing_balance, Decimal) or closing_balance != round_money(closing_balance):
        raise ValidationError(_("Enter an amount in yuan, like 39.59."))
    bank = (bank or "").strip()[:50]
    if not bank:
        raise ValidationError(_("Name the bank."))
    kept = file or photo
    return Statement.objects.create(
        month=month, bank=bank, closing_balance=closing_balance, entered_by=by, original_name=kept.original_name,
        file=store(file, folder="bank") if file else "", photo=store(photo, folder="bank") if photo else "")


@dataclass
class Reconciliation:
    month: object
    statement: Statement | None
    books: Decimal
    difference: Decimal | None
    explanations: list
    matched: list = field(default_factory=list)  # [(line, entry)]
    unmatched_lines: list = field(default_factory=list)  # on the statement, not in the books
    unmatched_entries: list = field(default_factory=list)  # in the books, not on the statement
    duplicates: list = field(default_factory=list)

    @property
    def explained(self):
        return bool(self.explanations)


def reconciliation(month):
    """The month's statement beside the books: lines matched by amount, reference and date, and what is left."""
    month = month_start(month)
    statement = Statement.objects.filter(month=month).first()
    books = books_balance(month, Account.BANK)
    result = Reconciliation(
        month=month, statement=statement, books=books,
        difference=None if statement is None else statement.closing_balance - books,
        explanations=list(Explanation.objects.filter(month=month, kind=Explanation.Kind.BANK)
                          .select_related("written_by")),
    )
    entries = list(
        Entry.objects.filter(account__code=Account.BANK, transaction__date__gte=month,
                             transaction__date__lt=add_months(month, 1))
        .select_related("transaction", "transaction__payment").order_by("transaction__date", "transaction__seq")
    )
    if statement is None:
        result.unmatched_entries = entries
        return result
    lines = list(statement.lines.all())
    result.duplicates = [line for line in lines if line.duplicate]
    open_entries = list(entries)

    def reference_of(entry):
        payment = getattr(entry.transaction, "payment", None)
        return payment.reference if payment is not None else ""

    for line in [line for line in lines if not line.duplicate]:
        candidates = [e for e in open_entries if e.amount == line.amount
                      and abs((e.transaction.date - line.date).days) <= MATCH_DAYS]
        same_reference = [e for e in candidates if line.reference and reference_of(e) == line.reference]
        chosen = (same_reference or sorted(candidates, key=lambda e: abs((e.transaction.date - line.date).days)))
        if chosen:
            open_entries.remove(chosen[0])
            result.matched.append((line, chosen[0]))
        else:
            result.unmatched_lines.append(line)
    result.unmatched_entries = open_entries
    return result


@transaction.atomic
def explanation_write(*, month, kind, text, by):
    """A written explanation of why the bank or the cash box differs from the books at `month`'s end."""
    month = month_start(month)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write down why they differ."))
    if kind == Explanation.Kind.BANK:
        statement = Statement.objects.filter(month=month).first()
        if statement is None:
            raise ValidationError(_("Enter the bank statement of %(month)s first.") % {"month": _label(month)})
        difference = statement.closing_balance - books_balance(month, Account.BANK)
    else:
        count = CashCount.objects.filter(month=month).first()
        if count is None:
            raise ValidationError(_("Count the cash of %(month)s first.") % {"month": _label(month)})
        difference = count.counted - count.books
    explanation = Explanation.objects.create(month=month, kind=kind, difference=difference, text=text,
                                             written_by=by)
    log_action("bank.difference.explained", explanation, by=by,
               details={"month": _label(month), "kind": kind, "difference": str(difference)})
    return explanation


@transaction.atomic
def cash_count(*, month, counted, by):
    """The cash box counted at `month`'s end; another committee member confirms it (cash_count_confirm)."""
    month = month_start(month)
    _month_over(month)
    if not isinstance(counted, Decimal) or counted < 0 or counted != round_money(counted):
        raise ValidationError(_("Enter an amount in yuan, like 39.59."))
    if CashCount.objects.select_for_update().filter(month=month).exists():
        raise ValidationError(_("The cash of %(month)s is already counted.") % {"month": _label(month)})
    count = CashCount.objects.create(month=month, counted=counted, books=books_balance(month, Account.CASH),
                                     counted_by=by)
    log_action("bank.cash.counted", count, by=by,
               details={"month": _label(month), "counted": str(counted), "books": str(count.books)})
    return count


@transaction.atomic
def cash_count_confirm(*, count, by):
    count = CashCount.objects.select_for_update().get(pk=count.pk)
    if count.confirmed_by_id is not None:
        raise ValidationError(_("This count is already confirmed."))
    if count.counted_by_id == by.pk:
        raise ValidationError(_("Someone other than the one who counted confirms the count."))
    count.confirmed_by, count.confirmed_at = by, timezone.now()
    count.save(update_fields=["confirmed_by", "confirmed_at"])
    log_action("bank.cash.confirmed", count, by=by, details={"month": _label(count.month)})
    return count


def month_close_blockers(month):
    """What keeps `month` from closing, in sentences for people ([] when nothing does)."""
    month = month_start(month)
    blockers = []
    label = _label(month)
    statement = Statement.objects.filter(month=month).first()
    if statement is None:
        if Statement.objects.filter(month__lt=month).exists():
            blockers.append(_("The bank statement of %(month)s is not entered yet.") % {"month": label})
    else:
        books = books_balance(month, Account.BANK)
        if statement.closing_balance != books and not Explanation.objects.filter(
                month=month, kind=Explanation.Kind.BANK).exists():
            blockers.append(_("The bank statement shows %(bank)s yuan, the books %(books)s yuan: explain the "
                              "difference of %(difference)s yuan in writing.")
                            % {"bank": statement.closing_balance, "books": books,
                               "difference": statement.closing_balance - books})
    count = CashCount.objects.filter(month=month).first()
    if count is None:
        if CashCount.objects.filter(month__lt=month).exists():
            blockers.append(_("The cash box of %(month)s is not counted yet.") % {"month": label})
    else:
        if count.confirmed_by_id is None:
            blockers.append(_("The cash count of %(month)s waits for a second person to confirm it.")
                            % {"month": label})
        if count.counted != count.books and not Explanation.objects.filter(
                month=month, kind=Explanation.Kind.CASH).exists():
            blockers.append(_("The cash box held %(counted)s yuan, the books %(books)s yuan: explain the "
                              "difference of %(difference)s yuan in writing.")
                            % {"counted": count.counted, "books": count.books,
                               "difference": count.counted - count.books})
    return blockers


def notice_figures(month):
    """For the monthly notice: the bank statement's balance beside the books', and the counted cash."""
    month = month_start(month)
    statement = Statement.objects.filter(month=month).first()
    count = CashCount.objects.filter(month=month, confirmed_by__isnull=False).first()
    return {
        "bank_statement": None if statement is None else f"{statement.closing_balance:.2f}",
        "bank_books": f"{books_balance(month, Account.BANK):.2f}",
        "cash_counted": None if count is None else f"{count.counted:.2f}",
        "cash_books": f"{books_balance(month, Account.CASH):.2f}",
        "explanations": [e.text for e in Explanation.objects.filter(month=month).order_by("written_at")],
    }

