"""The books ledger.services would write, written in bulk (bench/history.py's `bulk=True`).

BulkBooks offers the same functions, with the same keyword arguments, as ledger.services does for what
history.py calls, and makes the same decisions: the same transactions in the same order, sealed with the
ledger's own hash (Transaction.compute_hash over ledger.sealing's records), the same entries, charges,
settlements (oldest open charge first, money paid ahead set against each new month's charges), spent-payment
notes, gapless receipt numbers, hand-overs, incomes, expenses and approvals, and the same primary keys, which
the hashes cover. It keeps the rows in memory and writes them when flushed (COPY on PostgreSQL, executemany on
SQLite); closing a month is left to ledger.services itself, after a flush, so that the notice is rendered from
the books in the database. Derived tables (ledger.totals, once it exists) are rebuilt from the entries.

What the services check before they write (permissions, amounts, closed months, the future) is not checked
again: history.py asks only for what the services accept. tests/bench/test_bulk_history.py builds a small
estate both ways and compares every ledger table row by row; that comparison, not this docstring, is what
says the two agree.

It writes no activity records (the services write one per posting): they are not part of the books.
"""

import bisect
import importlib.util
from collections import defaultdict, namedtuple
from decimal import ROUND_CEILING

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.models import Household
from estate.wording import labelled
from ledger import sealing, services
from ledger.models import (
    Account,
    Approval,
    CashHandover,
    ChainHead,
    Charge,
    Entry,
    Expense,
    FeeAdjustment,
    FeeRate,
    Income,
    Method,
    Payment,
    Receipt,
    ReceiptCounter,
    Settlement,
    SpentPayment,
    Transaction,
    add_months,
    month_start,
)
from ledger.money import ZERO, round_money

# The tables of which there are hundreds of thousands of rows are kept as tuples of their columns: a model
# instance and Django's compiling of its INSERT cost several times the rest of the work. Transactions,
# payments, incomes and expenses (tens of thousands) are model instances: ledger.sealing and
# Transaction.compute_hash read them.
EntryRow = namedtuple("EntryRow", "id transaction_id line account_id amount household_id fund_id")
ChargeRow = namedtuple("ChargeRow", "id household_id month area rate adjustment_id amount transaction_id")
SettlementRow = namedtuple("SettlementRow", "id payment_id charge_id amount")
SpentRow = namedtuple("SpentRow", "payment_id")
ReceiptRow = namedtuple("ReceiptRow", "id payment_id year number issued_at")
HandoverRow = namedtuple("HandoverRow", "id payment_id transaction_id confirmed_by_id confirmed_at")
ApprovalRow = namedtuple("ApprovalRow", "id expense_id approver_id at")

# Written in this order (each table's rows point at rows of the tables before it, or of its own), with the
# shape its rows are kept in: a tuple type, or None for model instances.
TABLES = (
    (Transaction, None),
    (Entry, EntryRow),
    (Charge, ChargeRow),
    (Payment, None),
    (Receipt, ReceiptRow),
    (Settlement, SettlementRow),
    (SpentPayment, SpentRow),
    (CashHandover, HandoverRow),
    (Income, None),
    (Expense, None),
    (Approval, ApprovalRow),
)
NUMBERED = (Transaction, Entry, Charge, Payment, Receipt, Settlement, CashHandover, Income, Expense, Approval)


class _Charge:
    """A charge and what payments have settled of it: [(_Payment, amount)], counted while the payment stands."""

    __slots__ = ("row", "settled", "due")

    def __init__(self, row):
        self.row, self.settled, self.due = row, [], row.amount

    def settle(self, payment, amount):
        self.settled.append((payment, amount))
        self.due -= amount

    def reopen(self):
        """After a reversal: what is due again, its payment's part no longer counted."""
        self.due = self.row.amount - sum((amount for payment, amount in self.settled if not payment.reversed), ZERO)


class _Payment:
    """A payment with what is left of it to set against charges."""

    __slots__ = ("row", "left", "reversed", "key")

    def __init__(self, row):
        self.row, self.left, self.reversed = row, row.amount, False
        self.key = (row.date, row.pk)  # services order credits by date, then by number


class BulkBooks:
    def __init__(self):
        head = ChainHead.objects.get(pk=1)
        self.seq, self.hash = head.seq, head.hash
        self.accounts = dict(Account.objects.values_list("code", "pk"))
        self.codes = {pk: code for code, pk in self.accounts.items()}
        self.account_names = dict(Account.objects.values_list("code", "name"))
        self.rates = None  # FeeRate rows, newest first, read once until a rate is set
        self.next_pk = {model: (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1 for model in NUMBERED}
        self.receipts = dict(ReceiptCounter.objects.values_list("year", "last"))
        self.receipt_years = set()
        # Billing order is the database's order of household codes (its collation, not Python's).
        self.billing_order = list(Household.objects.filter(is_active=True).order_by("code").values_list("pk", "area"))
        self.charges = defaultdict(list)  # household id → its _Charges, month order
        self.open = defaultdict(list)  # household id → its _Charges not fully paid, month order
        self.credits = defaultdict(list)  # household id → its standing _Payments with money left, (date, pk) order
        self.payments = {}  # payment id → _Payment
        self.handovers = {}  # payment id → the transaction of its hand-over
        self.entries = {}  # transaction id → its entries (payments and hand-overs, to reverse them)
        self.rows = defaultdict(list)  # model → rows to write

    # --- Writing ------------------------------------------------------------

    def _pk(self, model):
        pk = self.next_pk[model]
        self.next_pk[model] = pk + 1
        return pk

    def flush(self):
        """Write what is kept in memory; then the database holds exactly what the services would have written."""
        for model, shape in TABLES:
            rows = self.rows.pop(model, [])
            if rows:
                _insert(model, shape._fields if shape else None, rows)
        for year in sorted(self.receipt_years):
            ReceiptCounter.objects.update_or_create(year=year, defaults={"last": self.receipts[year]})
        self.receipt_years.clear()
        ChainHead.objects.filter(pk=1).update(seq=self.seq, hash=self.hash)
        # The next row made by the services must get the next number, as after their own inserts.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), NUMBERED):
                cursor.execute(sql)
        if importlib.util.find_spec("ledger.totals") is not None:
            from ledger.totals import totals_rebuild  # running totals derived from the entries

            totals_rebuild()

    def _post(self, *, date, kind, memo, lines, by, reverses=None, record=None):
        """ledger.services._post, kept in memory: the next transaction in the chain with its entries.
        `lines` are (account code, amount, household id, fund id)."""
        lines = [
            (code, round_money(amount), household_id, fund_id)
            for code, amount, household_id, fund_id in lines
            if amount != 0
        ]
        txn = Transaction(
            pk=self._pk(Transaction),
            seq=self.seq + 1,
            date=date,
            kind=kind,
            memo=memo[:200],
            reverses=reverses,
            amount=sum((amount for _code, amount, _h, _f in lines if amount > 0), ZERO),
            created_by=by if by is not None and by.is_authenticated else None,
            prev_hash=self.hash,
            hash_version=2,
        )
        first = self.next_pk[Entry]
        self.next_pk[Entry] += len(lines)
        entries = [
            EntryRow(first + number - 1, txn.pk, number, self.accounts[code], amount, household_id, fund_id)
            for number, (code, amount, household_id, fund_id) in enumerate(lines, start=1)
        ]
        txn.hash = txn.compute_hash(entries, record)
        self.seq, self.hash = txn.seq, txn.hash
        self.rows[Transaction].append(txn)
        self.rows[Entry].extend(entries)
        if kind != Transaction.Kind.BILLING:
            self.entries[txn.pk] = entries
        return txn

    # --- Settling -----------------------------------------------------------

    def _settle(self, household_ids, open_charges):
        """ledger.services._settle over the credits of `household_ids` (in household order, then date and number)."""
        for household_id in sorted(household_ids):
            credits = self.credits[household_id]
            for credit in list(credits):
                left = credit.left
                for charge in open_charges.get(household_id, ()):
                    if not left:
                        break
                    part = min(left, charge.due)
                    if part:
                        self.rows[Settlement].append(
                            SettlementRow(self._pk(Settlement), credit.row.pk, charge.row.id, part)
                        )
                        charge.settle(credit, part)
                        left -= part
                credit.left = left
                if not left:
                    self.rows[SpentPayment].append(SpentRow(credit.row.pk))
                    credits.remove(credit)
            self.open[household_id] = [charge for charge in self.open[household_id] if charge.due > 0]

    # --- The services -------------------------------------------------------

    # What posts nothing (adjustments, budgets) the services still do: a few rows a year.
    adjustment_create = staticmethod(services.adjustment_create)
    budget_set = staticmethod(services.budget_set)
    approval_required_count = staticmethod(services.approval_required_count)
    monthly_fee = staticmethod(services.monthly_fee)

    def fee_rate_set(self, **kwargs):
        self.rates = None
        return services.fee_rate_set(**kwargs)

    def _fee_rate(self, month):
        """FeeRate.for_month(month), without a query for each of 50,000 payments."""
        if self.rates is None:
            self.rates = list(FeeRate.objects.order_by("-effective_from"))
        return next((rate for rate in self.rates if rate.effective_from <= month_start(month)), None)

    def month_bill(self, *, month, by):
        month = month_start(month)
        rate = self._fee_rate(month).rate
        adjustments = {
            a.household_id: a
            for a in FeeAdjustment.objects.filter(start_month__lte=month).filter(
                Q(end_month__isnull=True) | Q(end_month__gte=month)
            )
        }
        fees = [
            (pk, area, adjustments.get(pk), services.monthly_fee(area, rate, adjustments.get(pk)))
            for pk, area in self.billing_order
        ]
        total = sum((amount for _pk, _area, _adjustment, amount in fees), ZERO)
        txn = None
        if total:
            lines = [(Account.RECEIVABLE, amount, pk, None) for pk, _area, _adjustment, amount in fees]
            lines.append((Account.FEE_INCOME, -total, None, None))
            txn = self._post(
                date=month,
                kind=Transaction.Kind.BILLING,
                memo=_("Property fees for %(month)s") % {"month": f"{month:%Y-%m}"},
                lines=lines,
                by=by,
            )
        new = {}
        for pk, area, adjustment, amount in fees:
            row = ChargeRow(
                self._pk(Charge),
                pk,
                month,
                area,
                rate,
                adjustment.pk if adjustment else None,
                amount,
                txn.pk if txn else None,
            )
            self.rows[Charge].append(row)
            kept = new[pk] = _Charge(row)
            self.charges[pk].append(kept)
            if amount:
                self.open[pk].append(kept)
        # Money paid ahead goes to the new charges only, as in month_bill.
        self._settle(
            [h for h, credits in self.credits.items() if credits],
            {household_id: [kept] for household_id, kept in new.items()},
        )

    def _months_covered(self, household, amount):
        """ledger.services._months_covered: the first and last month a payment pays for."""
        first = last = None
        left = amount
        for charge in self.open[household.pk]:
            if left <= 0:
                break
            first = first or charge.row.month
            last = charge.row.month
            left -= charge.due
        if left > 0:
            billed = self.charges[household.pk][-1].row.month if self.charges[household.pk] else None
            ahead = add_months(billed, 1) if billed else month_start(timezone.localdate())
            fee_rate = self._fee_rate(ahead)
            monthly = services.monthly_fee(household.area, fee_rate.rate) if fee_rate else ZERO
            months = (left / monthly).to_integral_value(rounding=ROUND_CEILING) if monthly else 1
            first = first or ahead
            last = add_months(ahead, int(months) - 1)
        return first, last

    def payment_record(self, *, household, amount, method, idempotency_key, by, date, reference="", payer_name=""):
        amount = services.check_amount(amount)
        needs_handover = not by.is_committee
        if needs_handover:
            money_account = Account.HELD_BY_HEADS
        else:
            money_account = Account.CASH if method == Method.CASH else Account.BANK
        first, last = self._months_covered(household, amount)
        payment = Payment(
            household=household,
            amount=amount,
            method=method,
            reference=(reference or "").strip(),
            date=date,
            payer_name=(payer_name or "").strip()[:50],
            first_month=first,
            last_month=last,
            idempotency_key=idempotency_key,
            needs_handover=needs_handover,
            received_by=by,
        )
        self.receipts[date.year] = number = self.receipts.get(date.year, 0) + 1
        self.receipt_years.add(date.year)
        payment.transaction = self._post(
            date=date,
            kind=Transaction.Kind.PAYMENT,
            memo=_("Fees paid by %(unit)s") % {"unit": household.code},
            lines=[(money_account, amount, None, None), (Account.RECEIVABLE, -amount, household.pk, None)],
            by=by,
            record=sealing.payment_record(payment, receipt_year=date.year, receipt_number=number),
        )
        payment.pk = self._pk(Payment)
        self.rows[Payment].append(payment)
        kept = self.payments[payment.pk] = _Payment(payment)
        bisect.insort(self.credits[household.pk], kept, key=lambda credit: credit.key)
        self._settle([household.pk], {household.pk: list(self.open[household.pk])})
        self.rows[Receipt].append(ReceiptRow(self._pk(Receipt), payment.pk, date.year, number, timezone.now()))
        return payment, True

    def handover_confirm(self, *, payment, by, date):
        to_account = Account.CASH if payment.method == Method.CASH else Account.BANK
        txn = self.handovers[payment.pk] = self._post(
            date=date,
            kind=Transaction.Kind.HANDOVER,
            memo=_("Hand-over of %(unit)s's fees") % {"unit": payment.household.code},
            lines=[(to_account, payment.amount, None, None), (Account.HELD_BY_HEADS, -payment.amount, None, None)],
            by=by,
            record=sealing.handover_record(payment.pk, by.pk),
        )
        self.rows[CashHandover].append(HandoverRow(self._pk(CashHandover), payment.pk, txn.pk, by.pk, timezone.now()))

    def _reverse(self, *, original, reason, by, date):
        reason = (reason or "").strip()
        lines = [(self.codes[e.account_id], -e.amount, e.household_id, e.fund_id) for e in self.entries[original.pk]]
        return self._post(
            date=date,
            kind=Transaction.Kind.REVERSAL,
            memo=_("Reversal of #%(seq)s: %(reason)s") % {"seq": original.seq, "reason": reason},
            lines=lines,
            by=by,
            reverses=original,
        )

    def payment_reverse(self, *, payment, reason, by, date):
        handover = self.handovers.get(payment.pk)
        if handover is not None:  # the money had reached cash or bank: out of there first
            self._reverse(original=handover, reason=reason, by=by, date=date)
        txn = self._reverse(original=payment.transaction, reason=reason, by=by, date=date)
        kept = self.payments[payment.pk]
        kept.reversed = True
        household_id = payment.household_id
        if kept in self.credits[household_id]:
            self.credits[household_id].remove(kept)
        # The charges it settled are open again (its settlements stay, no longer counted).
        for charge in self.charges[household_id]:
            charge.reopen()
        self.open[household_id] = [charge for charge in self.charges[household_id] if charge.due > 0]
        self._settle([household_id], {household_id: list(self.open[household_id])})
        return txn

    def income_record(self, *, kind, date, source, amount, method, by, period=""):
        amount = services.check_amount(amount)
        money_account = Account.CASH if method == Method.CASH else Account.BANK
        source = (source or "").strip()
        income = Income(
            pk=self._pk(Income),
            account_id=self.accounts[kind],
            fund=None,
            date=date,
            source=source[:100],
            period=period[:50],
            amount=amount,
            method=method,
            recorded_by=by,
        )
        income.transaction = self._post(
            date=date,
            kind=Transaction.Kind.INCOME,
            memo=labelled(self.account_names[kind], source),
            lines=[(money_account, amount, None, None), (kind, -amount, None, None)],
            by=by,
            record=sealing.income_record(income),
        )
        self.rows[Income].append(income)
        return income

    def expense_record(self, *, date, category, payee, amount, description, by, payee_is_person=False):
        expense = Expense(
            pk=self._pk(Expense),
            date=date,
            category_id=self.accounts[category],
            fund=None,
            payee=(payee or "").strip()[:100],
            payee_is_person=payee_is_person,
            amount=services.check_amount(amount),
            description=(description or "").strip(),
            entered_by=by,
            decision=None,
        )
        expense.approvers = []
        return expense

    def expense_approve(self, *, expense, by):
        expense.approvers.append(by.pk)
        self.rows[Approval].append(ApprovalRow(self._pk(Approval), expense.pk, by.pk, timezone.now()))

    def expense_pay(self, *, expense, method, by, date):
        code = self.codes[expense.category_id]
        expense.transaction = self._post(
            date=date,
            kind=Transaction.Kind.EXPENSE,
            memo=labelled(self.account_names[code], expense.payee),
            lines=[
                (code, expense.amount, None, None),
                (Account.CASH if method == Method.CASH else Account.BANK, -expense.amount, None, None),
            ],
            by=by,
            record=sealing.expense_record(expense, approver_ids=expense.approvers),
        )
        expense.status = Expense.Status.PAID
        self.rows[Expense].append(expense)
        return expense

    def month_close(self, *, month, by):
        """Closed by ledger.services itself, on the books written so far: the notice reads them."""
        self.flush()
        return services.month_close(month=month, by=by)


def _insert(model, columns, rows):
    """Write `rows` (tuples of `columns`, or model instances when `columns` is None) into the model's table."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    if columns is None:
        columns = list(fields)
        rows = [tuple(getattr(instance, column) for column in columns) for instance in rows]
    missing = set(fields) - set(columns)
    if missing:
        raise RuntimeError(f"{model._meta.db_table} has columns bench/bulk.py does not write: {sorted(missing)}")
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(fields[column].column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # SQLite: dates and decimals go through the adapters Django registers; aware datetimes are stored as
        # naive UTC text, as the ORM stores them.
        stamps = [n for n, column in enumerate(columns) if isinstance(fields[column], models.DateTimeField)]
        if stamps:
            adapt = connection.ops.adapt_datetimefield_value
            rows = [tuple(adapt(value) if n in stamps else value for n, value in enumerate(row)) for row in rows]
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)
