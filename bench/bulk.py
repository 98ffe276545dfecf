"""The books ledger.services would write, written in bulk (bench/history.py's `bulk=True`).

BulkBooks offers the same functions, with the same keyword arguments, as ledger.services does for what
history.py calls, and makes the same decisions: the same transactions in the same order, sealed with the
ledger's own hash (Transaction.compute_hash over ledger.sealing's records), the same entries, charges,
settlements (oldest open charge first, money paid ahead set against each new month's charges), spent-payment
notes, gapless receipt numbers, hand-overs, incomes, expenses and approvals, and the same primary keys, which
the hashes cover. It keeps the rows in memory and writes them with bulk_create when flushed; closing a month
is left to ledger.services itself, after a flush, so that the notice is rendered from the books in the
database.

What the services check before they write (permissions, amounts, closed months, the future) is not checked
again: history.py asks only for what the services accept. tests/bench/test_bulk_history.py builds a small
estate both ways and compares every ledger table row by row; that comparison, not this docstring, is what
says the two agree.

It writes no activity records (the services write one per posting): they are not part of the books.
"""

import bisect
import importlib.util
from collections import defaultdict
from decimal import ROUND_CEILING

from django.core.management.color import no_style
from django.db import connection
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

BATCH = 5000
# Written in this order: a row's foreign keys point at rows of the tables before it, or of its own.
TABLES = (
    Transaction,
    Entry,
    Charge,
    Payment,
    Receipt,
    Settlement,
    SpentPayment,
    CashHandover,
    Income,
    Expense,
    Approval,
)
NUMBERED = (Transaction, Entry, Charge, Payment, Receipt, Settlement, CashHandover, Income, Expense, Approval)

monthly_fee = services.monthly_fee


class _Charge:
    """A charge and what standing payments have settled of it: [(payment, amount)]."""

    __slots__ = ("row", "settled")

    def __init__(self, row):
        self.row, self.settled = row, []

    @property
    def paid(self):
        return sum((amount for payment, amount in self.settled if not payment.reversed), ZERO)

    @property
    def due(self):
        return self.row.amount - self.paid


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
        self.households = {household.pk: household for household in Household.objects.all()}
        self.charges = defaultdict(list)  # household id → its _Charges, month order
        self.open = defaultdict(list)  # household id → its _Charges not fully paid, month order
        self.credits = defaultdict(list)  # household id → its standing _Payments with money left, (date, pk) order
        self.payments = {}  # payment id → _Payment
        self.handovers = {}  # payment id → its CashHandover
        self.entries = {}  # transaction id → its Entries, line order (payments and hand-overs, to reverse them)
        self.rows = defaultdict(list)

    # --- Writing ------------------------------------------------------------

    def _pk(self, model):
        pk = self.next_pk[model]
        self.next_pk[model] = pk + 1
        return pk

    def _add(self, row):
        if row.pk is None:
            row.pk = self._pk(type(row))
        self.rows[type(row)].append(row)
        return row

    def flush(self):
        """Write what is kept in memory; then the database holds exactly what the services would have written."""
        for model in TABLES:
            model.objects.bulk_create(self.rows.pop(model, []), batch_size=BATCH)
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
        """ledger.services._post, kept in memory: the next transaction in the chain with its entries."""
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
        entries = [
            Entry(
                pk=self._pk(Entry),
                transaction=txn,
                line=number,
                account_id=self.accounts[code],
                amount=amount,
                household_id=household_id,
                fund_id=fund_id,
            )
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
                        self._add(Settlement(payment=credit.row, charge=charge.row, amount=part))
                        charge.settled.append((credit, part))
                        left -= part
                credit.left = left
                if not left:
                    self._add(SpentPayment(payment=credit.row))
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
        charges = [
            Charge(
                pk=self._pk(Charge),
                household_id=pk,
                month=month,
                area=area,
                rate=rate,
                adjustment=adjustments.get(pk),
                amount=monthly_fee(area, rate, adjustments.get(pk)),
            )
            for pk, area in self.billing_order
        ]
        total = sum((charge.amount for charge in charges), ZERO)
        txn = None
        if total:
            lines = [(Account.RECEIVABLE, c.amount, c.household_id, None) for c in charges]
            lines.append((Account.FEE_INCOME, -total, None, None))
            txn = self._post(
                date=month,
                kind=Transaction.Kind.BILLING,
                memo=_("Property fees for %(month)s") % {"month": f"{month:%Y-%m}"},
                lines=lines,
                by=by,
            )
        new = {}
        for charge in charges:
            charge.transaction = txn
            self.rows[Charge].append(charge)
            kept = new[charge.household_id] = _Charge(charge)
            self.charges[charge.household_id].append(kept)
            if charge.amount:
                self.open[charge.household_id].append(kept)
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
            monthly = monthly_fee(household.area, fee_rate.rate) if fee_rate else ZERO
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
        self._add(payment)
        kept = self.payments[payment.pk] = _Payment(payment)
        bisect.insort(self.credits[household.pk], kept, key=lambda credit: credit.key)
        self._settle([household.pk], {household.pk: list(self.open[household.pk])})
        self._add(Receipt(payment=payment, year=date.year, number=number))
        return payment, True

    def handover_confirm(self, *, payment, by, date):
        to_account = Account.CASH if payment.method == Method.CASH else Account.BANK
        txn = self._post(
            date=date,
            kind=Transaction.Kind.HANDOVER,
            memo=_("Hand-over of %(unit)s's fees") % {"unit": payment.household.code},
            lines=[(to_account, payment.amount, None, None), (Account.HELD_BY_HEADS, -payment.amount, None, None)],
            by=by,
            record=sealing.handover_record(payment.pk, by.pk),
        )
        handover = self.handovers[payment.pk] = self._add(
            CashHandover(payment=payment, transaction=txn, confirmed_by=by)
        )
        return handover

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
        if handover is not None:
            self._reverse(original=handover.transaction, reason=reason, by=by, date=date)
        txn = self._reverse(original=payment.transaction, reason=reason, by=by, date=date)
        kept = self.payments[payment.pk]
        kept.reversed = True
        household_id = payment.household_id
        if kept in self.credits[household_id]:
            self.credits[household_id].remove(kept)
        # The charges it settled are open again (its settlements stay, no longer counted).
        self.open[household_id] = [charge for charge in self.charges[household_id] if charge.due > 0]
        self._settle([household_id], {household_id: list(self.open[household_id])})
        return txn

    def income_record(self, *, kind, date, source, amount, method, by, period=""):
        amount = services.check_amount(amount)
        account = Account(pk=self.accounts[kind], code=kind, name=self.account_names[kind])
        money_account = Account.CASH if method == Method.CASH else Account.BANK
        source = (source or "").strip()
        income = Income(
            account=account,
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
            memo=labelled(account.name, source),
            lines=[(money_account, amount, None, None), (account.code, -amount, None, None)],
            by=by,
            record=sealing.income_record(income),
        )
        return self._add(income)

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
        return self._add(Approval(expense=expense, approver=by))

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
