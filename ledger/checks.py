"""Recompute every ledger invariant from the rows themselves (manage.py check_ledger).

`violations()` yields plain-English sentences, the first broken invariant
first. It reads the journal in posting order in chunks, so it runs in constant
memory however long the books are.
"""

import threading
from collections import defaultdict, namedtuple
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, F, Max

from estate.aggregates import exact_sum
from ledger.models import (
    GENESIS_HASH,
    Account,
    ChainHead,
    Charge,
    ClosedMonth,
    Entry,
    Expense,
    Payment,
    Receipt,
    Settlement,
    SpentPayment,
    Transaction,
    add_months,
    not_reversed,
)
from ledger.money import ZERO
from ledger.sealing import records_by_transaction
from ledger.services import approval_required_count

CHUNK = 2000
# Plain rows of the journal and its entries come in larger pieces: fewer round trips over 700,000 entries.
ROWS_CHUNK = 20000


def violations():
    yield from _chain()
    yield from _after_the_chain()


def _after_the_chain():
    yield from _reversals()
    yield from _closed_months()
    yield from _charges()
    yield from _payments()
    yield from _paid_ahead()
    yield from _receipts()
    yield from _expenses()
    yield from _notices()
    yield from _totals()


def first_violation():
    """The first broken invariant, or None.

    On PostgreSQL, outside a transaction, the hash chain (Python's work: hashing every posting) and the other checks
    (the database's: grouped scans of every table of the books) run at once on two connections: at ten years of
    5,000 households each takes about half of the time. Both read one snapshot of the books (REPEATABLE READ, the
    second importing the first's exported snapshot, as pg_dump's workers do), so a posting committed meanwhile is in
    neither; the answer is the one the checks give one after another. Inside a transaction (the tests' TestCase)
    another connection would not see its rows: one after another, then.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return next(violations(), None)
    with transaction.atomic():
        snapshot = _repeatable_read()
        others = {}

        def run_the_others():
            try:
                with transaction.atomic():
                    _repeatable_read(snapshot)
                    others["found"] = next(_after_the_chain(), None)
            except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
                others["error"] = error
            finally:
                connection.close()

        worker = threading.Thread(target=run_the_others, name="check_ledger")
        worker.start()
        try:
            found = next(_chain(), None)
        finally:
            worker.join()
    if "error" in others:
        raise others["error"]
    return found or others["found"]


def _repeatable_read(snapshot=None):
    """Begin this connection's transaction in REPEATABLE READ, read-only; with `snapshot`, on that exported
    snapshot. Without, the id of this transaction's snapshot, exported for another connection."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if snapshot:
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            return snapshot
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def _entries_by_transaction():
    """(transaction id, [(line, account_id, amount, household_id, fund_id), ...]) in the order of the index on
    (transaction, line): no join and no sort of 700,000 entries by the journal's numbers."""
    rows = Entry.objects.order_by("transaction_id", "line").values_list(
        "transaction_id", "line", "account_id", "amount", "household_id", "fund_id"
    )
    for transaction_id, group in groupby(rows.iterator(chunk_size=ROWS_CHUNK), key=itemgetter(0)):
        yield transaction_id, [row[1:] for row in group]


class _Lines:
    """The lines of each transaction, asked for in posting order, read from the entries in id order.

    Transactions are numbered in the order their ids are given (postings are serial), so each is asked for as the
    entries reach it and nothing waits here; entries met before their transaction is asked for (ids out of
    order, or a transaction not in the journal) are held until it is, and named at the end if it never is."""

    def __init__(self):
        self.entries = _entries_by_transaction()
        self.ahead = {}

    def of(self, transaction_id):
        if transaction_id in self.ahead:
            return self.ahead.pop(transaction_id)
        for found, lines in self.entries:
            if found == transaction_id:
                return lines
            self.ahead[found] = lines
            if found > transaction_id:  # the entries are in id order: this transaction has none
                break
        return []

    def left_over(self):
        """The id of a transaction whose entries were never asked for, or None."""
        rest = next(self.entries, None)
        return min(self.ahead, default=rest[0] if rest else None)


# What Transaction.compute_hash reads, from a plain row: a model instance per posting was a sixth of the chain's
# time at ten years of books.
_TransactionRow = namedtuple("_TransactionRow", ("pk", "seq", "date", "kind", "memo", "reverses_id", "created_at",
                                                 "created_by_id", "prev_hash", "hash", "hash_version", "amount"))
_TransactionRow.compute_hash_of_rows = Transaction.compute_hash_of_rows


def _chain():
    """Sequence without gaps, each hash over the previous one and the content, entries adding up to zero."""
    lines_of = _Lines()
    records = records_by_transaction()
    previous_hash, expected_seq = GENESIS_HASH, 1
    rows = Transaction.objects.order_by("seq").values_list(*_TransactionRow._fields)
    for txn in map(_TransactionRow._make, rows.iterator(chunk_size=ROWS_CHUNK)):
        if txn.seq != expected_seq:
            yield f"transaction #{txn.seq}: expected number #{expected_seq} (a transaction is missing)"
            return
        lines = lines_of.of(txn.pk)
        if txn.prev_hash != previous_hash:
            yield f"transaction #{txn.seq}: does not follow the hash of #{txn.seq - 1}"
            return
        record = records.get(txn.pk)
        if txn.compute_hash_of_rows(lines, record) != txn.hash:
            what = f", its entries or its {record['kind']} record" if txn.hash_version >= 2 and record else ""
            yield (f"transaction #{txn.seq}: its content does not match its hash "
                   f"(changed after posting: the transaction{what})")
            return
        if len(lines) < 2:
            yield f"transaction #{txn.seq}: has fewer than two lines"
            return
        amounts = [line[2] for line in lines]
        total = sum(amounts, ZERO)
        if total != 0:
            yield f"transaction #{txn.seq}: its lines add up to {total}, not zero"
            return
        debits = sum((amount for amount in amounts if amount > 0), ZERO)
        if debits != txn.amount:
            yield f"transaction #{txn.seq}: shows {txn.amount} but its debits add up to {debits}"
            return
        previous_hash, expected_seq = txn.hash, expected_seq + 1
    left_over = lines_of.left_over()
    if left_over is not None:
        yield f"entries of a transaction that is not in the journal (transaction id {left_over})"
        return
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.seq != expected_seq - 1 or head.hash != previous_hash:
        yield f"the chain head does not point at the last transaction #{expected_seq - 1}"


def _reversals():
    for reversal in Transaction.objects.filter(kind=Transaction.Kind.REVERSAL).select_related("reverses"):
        original = reversal.reverses
        if original.kind == Transaction.Kind.REVERSAL:
            yield f"transaction #{reversal.seq}: reverses a reversal (#{original.seq})"
            return
        if original.seq >= reversal.seq:
            yield f"transaction #{reversal.seq}: reverses a later transaction #{original.seq}"
            return
        mine = sorted((e.account_id, -e.amount, e.household_id, e.fund_id) for e in reversal.entries.all())
        theirs = sorted((e.account_id, e.amount, e.household_id, e.fund_id) for e in original.entries.all())
        if mine != theirs:
            yield f"transaction #{reversal.seq}: is not the mirror image of #{original.seq}"
            return


def _closed_months():
    months = list(ClosedMonth.objects.order_by("month").values_list("month", flat=True))
    for earlier, later in zip(months, months[1:], strict=False):
        if later != add_months(earlier, 1):
            yield f"closed months: {add_months(earlier, 1):%Y-%m} is missing between {earlier:%Y-%m} and {later:%Y-%m}"
            return
    closed_through = ChainHead.objects.filter(pk=1).values_list("closed_through", flat=True).first()
    if closed_through != (months[-1] if months else None):
        last = f"{months[-1]:%Y-%m}" if months else "none"
        said = f"{closed_through:%Y-%m}" if closed_through else "none"
        yield f"closed months: the chain head says the books are closed through {said}, the closed months end at {last}"
        return
    for closed in ClosedMonth.objects.order_by("month"):
        head = Transaction.objects.filter(seq=closed.head_seq).values_list("hash", flat=True).first()
        if closed.head_seq and head != closed.head_hash:
            yield f"closed month {closed}: the chain head recorded at closing no longer matches #{closed.head_seq}"
            return
        # Dated in the closed month or before it: either changes figures already published.
        late = (
            Transaction.objects.filter(seq__gt=closed.head_seq, date__lt=add_months(closed.month, 1))
            .order_by("seq")
            .first()
        )
        if late is not None:
            if late.date >= closed.month:
                yield f"transaction #{late.seq}: posted into {closed}, which was already closed"
            else:
                yield (f"transaction #{late.seq}: posted into {late.date:%Y-%m}, before {closed}, "
                       "which was already closed")
            return


def _charges():
    """Each billing run posts exactly its charges to the households' sub-ledgers; nobody is billed twice."""
    receivable = Account.objects.get(code=Account.RECEIVABLE)
    charged = Charge.objects.exclude(amount=0).values_list("transaction_id", "household_id", "amount").order_by()
    posted = (Entry.objects.filter(transaction__kind=Transaction.Kind.BILLING, account=receivable)
              .values_list("transaction_id", "household_id", "amount").order_by())
    differing = sorted((transaction_id or 0, household_id or 0)
                       for transaction_id, household_id in _charged_unlike_posted(receivable.pk))
    if differing:
        transaction_id, household_id = differing[0]
        transaction_id, household_id = transaction_id or None, household_id or None
        said = sum(charged.filter(transaction_id=transaction_id, household_id=household_id)
                   .values_list("amount", flat=True), ZERO)
        was = sum(posted.filter(transaction_id=transaction_id, household_id=household_id)
                  .values_list("amount", flat=True), ZERO)
        seq = Transaction.objects.filter(pk=transaction_id).values_list("seq", flat=True).first()
        yield f"billing #{seq}: household {household_id} was charged {said} but {was} was posted"
        return
    # The few payments reversed are read first, so the sum over every settlement joins nothing else.
    reversed_payments = list(Payment.objects.filter(transaction__reversal__isnull=False).values_list("pk", flat=True))
    over = (Settlement.objects.exclude(payment_id__in=reversed_payments).values("charge_id", "charge__amount")
            .annotate(paid=exact_sum("amount")).filter(paid__gt=F("charge__amount")).order_by("charge_id").first())
    if over is not None:
        charge = Charge.objects.get(pk=over["charge_id"])
        yield (f"charge of household {charge.household_id} for {charge.month:%Y-%m}: settled {over['paid']}, "
               "more than billed")


def _charged_unlike_posted(receivable_id):
    """(billing, household) of each charge whose billing line differs, and of each billing line without its charge.

    Rows, not sums: a household has one charge a month (a unique constraint) and one line in its month's billing
    (the chain's hash covers the lines). One join of the two sides by the database, so that only the rows that
    differ come to Python rather than every charge of ten years (comparing them by EXCEPT both ways sorted the
    600,000 rows of each side twice).
    """
    from django.db import connection

    sql = f"""
        SELECT COALESCE(c.transaction_id, e.transaction_id), COALESCE(c.household_id, e.household_id)
        FROM (SELECT transaction_id, household_id, amount FROM {Charge._meta.db_table} WHERE amount <> 0) c
        FULL OUTER JOIN (
            SELECT entry.transaction_id, entry.household_id, entry.amount
            FROM {Entry._meta.db_table} entry JOIN {Transaction._meta.db_table} txn ON txn.id = entry.transaction_id
            WHERE entry.account_id = %s AND txn.kind = %s
        ) e ON c.transaction_id = e.transaction_id AND c.household_id = e.household_id
        WHERE c.amount IS DISTINCT FROM e.amount"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [receivable_id, Transaction.Kind.BILLING])
        return cursor.fetchall()


def _payments():
    """Each payment posted exactly its amount off its household's receivable and settled no more than that;
    it is noted as spent exactly when all of it is settled."""
    # The account by its id, not joined by its code: PostgreSQL then guessed a few thousand receivable entries
    # rather than 650,000 and looked up each one's transaction (1.8 s; 0.7 s as a hash join).
    receivable = Account.objects.get(code=Account.RECEIVABLE)
    posted = dict(
        Entry.objects.filter(transaction__kind=Transaction.Kind.PAYMENT, account=receivable)
        .values_list("transaction_id").annotate(total=exact_sum("amount")).values_list("transaction_id", "total")
    )
    settled = dict(Settlement.objects.values_list("payment_id").annotate(total=exact_sum("amount"))
                   .values_list("payment_id", "total"))
    spent = set(SpentPayment.objects.values_list("payment_id", flat=True))
    rows = Payment.objects.order_by("transaction__seq").values_list("pk", "transaction_id", "transaction__seq",
                                                                    "amount")
    for pk, transaction_id, seq, amount in rows.iterator(chunk_size=CHUNK):
        if posted.get(transaction_id) != -amount:
            yield f"payment #{seq}: amount {amount} but {-posted.get(transaction_id, ZERO)} was posted"
            return
        if settled.get(pk, ZERO) > amount:
            yield f"payment #{seq}: amount {amount} but {settled[pk]} was settled"
            return
        if (pk in spent) != (settled.get(pk, ZERO) == amount):
            noted = "noted as spent" if pk in spent else "not noted as spent"
            yield f"payment #{seq}: amount {amount}, {settled.get(pk, ZERO)} settled, but {noted}"
            return


def _paid_ahead():
    """Money paid ahead never sits beside an open charge of the same household: it settles it at once.

    Billing relies on this (it sets money paid ahead against the new month's charges only).
    """
    standing = not_reversed("payment__transaction_id")
    credit = defaultdict(lambda: ZERO)
    for household_id, total in (Payment.objects.standing().values_list("household_id")
                                .annotate(total=exact_sum("amount")).values_list("household_id", "total")):
        credit[household_id] += total
    for household_id, total in (Settlement.objects.filter(standing).values_list("payment__household_id")
                                .annotate(total=exact_sum("amount")).values_list("payment__household_id", "total")):
        credit[household_id] -= total
    ahead = {household_id for household_id, left in credit.items() if left > 0}
    # Only the few households with money paid ahead are looked at, not every charge.
    unpaid = (Charge.objects.filter(household_id__in=ahead, amount__gt=0).unpaid()
              .order_by("month", "household_id").values_list("household_id", "month"))
    for household_id, month in unpaid.iterator(chunk_size=CHUNK):
        if household_id in ahead:
            yield (f"household {household_id}: {credit[household_id]} paid ahead "
                   f"but its charge for {month:%Y-%m} is open")
            return


def _receipts():
    for row in Receipt.objects.values("year").annotate(count=Count("pk"), last=Max("number")).order_by("year"):
        if row["count"] != row["last"]:
            yield f"receipts of {row['year']}: {row['count']} receipts but numbers up to {row['last']} (a gap)"
            return


def _expenses():
    paid = (
        Expense.objects.filter(status=Expense.Status.PAID)
        .select_related("transaction")
        .prefetch_related("approvals", "transaction__entries")
        .order_by("transaction__seq")
    )
    for expense in paid:
        debit = sum((e.amount for e in expense.transaction.entries.all() if e.amount > 0), ZERO)
        if debit != expense.amount:
            yield f"expense #{expense.transaction.seq}: amount {expense.amount} but {debit} was posted"
            return
        approvers = {a.approver_id for a in expense.approvals.all()} - {expense.entered_by_id}
        if len(approvers) < approval_required_count(expense.amount):
            yield f"expense #{expense.transaction.seq}: paid with {len(approvers)} approval(s), fewer than required"
            return


def _notices():
    """Every posted notice: its month is closed, its stored PDF still has its SHA-256, and the chain head and
    the balances of cash, bank and money held by building heads in its snapshot are the books'.

    The balances come from one query of monthly sums, however many months there are.
    """
    import hashlib

    from django.core.files.storage import default_storage
    from django.db.models.functions import TruncMonth

    from ledger.models import MonthlyNotice
    from ledger.notice import BALANCE_ACCOUNTS

    closed = {c.month: c for c in ClosedMonth.objects.all()}
    sums = defaultdict(lambda: ZERO)
    rows = (Entry.objects.filter(account__code__in=BALANCE_ACCOUNTS)
            .annotate(month=TruncMonth("transaction__date")).values_list("account__code", "month")
            .annotate(total=exact_sum("amount")).values_list("account__code", "month", "total"))
    for code, month, total in rows:
        sums[(code, month)] += total
    months = sorted({month for _code, month in sums})
    for notice in MonthlyNotice.objects.order_by("month"):
        label = f"notice of {notice.month:%Y-%m}"
        closing = closed.get(notice.month)
        if closing is None:
            yield f"{label}: its month is not among the closed months"
            return
        try:
            with default_storage.open(notice.pdf) as stored:
                digest = hashlib.sha256(stored.read()).hexdigest()
        except OSError:
            yield f"{label}: its stored PDF {notice.pdf} is missing"
            return
        if digest != notice.sha256:
            yield f"{label}: the stored PDF does not match the SHA-256 recorded when it was posted"
            return
        chain = notice.data.get("chain", {})
        if (chain.get("seq"), chain.get("hash")) != (closing.head_seq, closing.head_hash):
            yield f"{label}: its chain head is not the one recorded when {notice.month:%Y-%m} was closed"
            return
        stated = notice.data.get("balances", [])
        for position, code in enumerate(BALANCE_ACCOUNTS):
            before = sum((sums[(code, m)] for m in months if m < notice.month), ZERO)
            after = before + sums[(code, notice.month)]
            row = stated[position] if position < len(stated) else {}
            if (row.get("opening"), row.get("closing")) != (f"{before:.2f}", f"{after:.2f}"):
                yield (f"{label}: it shows {row.get('name', code)} from {row.get('opening')} to {row.get('closing')}, "
                       f"the books from {before:.2f} to {after:.2f}")
                return


def _totals():
    """The running totals (ledger.totals) are what the entries, charges, payments and settlements give."""
    from ledger.totals import differences

    difference = next(differences(), None)
    if difference is not None:
        yield difference
