"""Every write to the books. Each function is atomic and records who did it in the activity log.

Posting order: every posting and every month close first locks the single
ChainHead row. That one lock is what makes the hash chain a chain (no two
postings can take the same place), what makes "closed months refuse postings"
hold against a close running at the same moment, and what makes the
idempotency check of a payment safe under double submission. The estate posts
a few hundred transactions a month, so one lock costs nothing.

Errors meant for people are django ValidationError with a translated message;
nothing is written when one is raised.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date as date_type
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.activity import log_action
from estate.aggregates import exact_sum
from estate.models import Household
from estate.wording import labelled
from ledger import citations, sealing, totals
from ledger.closing import blocking_items
from ledger.models import (
    Account,
    Approval,
    Attachment,
    Budget,
    CashHandover,
    ChainHead,
    Charge,
    ClosedMonth,
    Entry,
    Expense,
    FeeAdjustment,
    FeeRate,
    Fund,
    FundMonthTotal,
    Income,
    Method,
    Payment,
    Receipt,
    ReceiptCounter,
    Settlement,
    SpentPayment,
    Submission,
    Transaction,
    add_months,
    month_start,
)
from ledger.money import ZERO, round_money


@dataclass(frozen=True)
class Line:
    """One line to post: an account code, a signed amount (debit +, credit −), and its sub-ledger keys."""

    account: str
    amount: Decimal
    household_id: int | None = None
    fund_id: int | None = None


def _month_label(month):
    return f"{month:%Y-%m}"


def check_amount(amount):
    """A positive amount in fen, not absurdly large: else a ValidationError people can read."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError(_("Enter an amount in yuan, like 39.59."))
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Amounts have at most two decimals (fen)."))
    if amount > settings.LEDGER_MAX_AMOUNT:
        raise ValidationError(
            _("%(amount)s is more than the largest amount the books accept (%(max)s).")
            % {"amount": amount, "max": settings.LEDGER_MAX_AMOUNT}
        )
    return round_money(amount)


# --- Forms sent twice ---------------------------------------------------------

def _first_submission(idempotency_key, *, action, by):
    """Call under the chain lock: the Submission of this form when it was already sent, else None.

    A service given a key it has seen returns what the first sending made, so a double tap, a resent
    request or twenty at once do nothing twice. Services called from code (the demo, commands) pass no key.
    """
    if idempotency_key is None:
        return None
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError(_("The form has expired; open it again."))
    earlier = Submission.objects.filter(key=idempotency_key).first()
    if earlier is not None and (earlier.action != action or earlier.by_id != by.pk):
        raise ValidationError(_("This form was already used for something else; open it again."))
    return earlier


def _remember_submission(idempotency_key, *, action, by, result):
    if idempotency_key is not None:
        Submission.objects.create(key=idempotency_key, action=action, by=by, result=result)


# --- The journal ------------------------------------------------------------

def _lock_chain():
    """Lock the chain head for the rest of the transaction (see the module docstring)."""
    return ChainHead.objects.select_for_update().get(pk=1)


def _refuse_closed_month(day, head):
    """Refuse a posting dated in a closed month, or before one.

    Months close in order, so everything up to the last closed month is closed: money dated
    before it would change the opening balance of every closed month after it, and so the
    figures of notices already on the board. The locked chain `head` remembers the last closed
    month too, so a deleted ClosedMonth row opens nothing.
    """
    month = month_start(day)
    last_closed = ClosedMonth.objects.filter(month__gte=month).order_by("-month").values_list(
        "month", flat=True).first()
    if head.closed_through is not None and head.closed_through >= month:
        last_closed = max(last_closed or head.closed_through, head.closed_through)
    if last_closed == month:
        raise ValidationError(
            _("%(month)s is closed: nothing dated in it can be posted any more.") % {"month": _month_label(month)}
        )
    if last_closed is not None:
        raise ValidationError(
            _("The books are closed up to %(closed)s: nothing dated in %(month)s can be posted any more.")
            % {"closed": _month_label(last_closed), "month": _month_label(month)}
        )


def _refuse_future(day):
    """Money is recorded on the day it changes hands: a day still to come would put it in a month (and a
    receipt year) that has not begun, outside the accounts and notices of the month it was handed over."""
    if day > timezone.localdate():
        raise ValidationError(_("%(date)s is still to come: record money on the day it changes hands.")
                              % {"date": day.isoformat()})


def _post(*, head, date, kind, memo, lines, by, reverses=None, record=None, household_totals=True):
    """Post a transaction under the locked `head`. Callers hold the lock from _lock_chain().

    `record` is what the transaction states besides its entries (ledger/sealing.py), hashed with it. The
    running totals (ledger.totals) take the entries; `household_totals=False` leaves the households' to the
    caller (billing adds them in one statement).
    """
    lines = [line for line in lines if line.amount != 0]
    if len(lines) < 2:
        raise ValidationError(_("A transaction needs at least two non-zero lines."))
    for line in lines:
        if line.amount != round_money(line.amount):
            raise ValidationError(_("Amounts have at most two decimals (fen)."))
    if sum(line.amount for line in lines) != 0:
        raise ValidationError(_("The lines of a transaction must add up to zero."))
    # 215.5 and 215.50 are equal but hash differently: hash what the database will give back.
    lines = [replace(line, amount=round_money(line.amount)) for line in lines]
    _refuse_closed_month(date, head)
    account_ids = dict(Account.objects.filter(code__in={line.account for line in lines}).values_list("code", "pk"))
    txn = Transaction(
        seq=head.seq + 1, date=date, kind=kind, memo=memo[:200], reverses=reverses,
        amount=sum((line.amount for line in lines if line.amount > 0), ZERO),
        created_by=by if by is not None and by.is_authenticated else None, prev_hash=head.hash,
        hash_version=2,
    )
    entries = [
        Entry(line=number, account_id=account_ids[line.account], amount=line.amount,
              household_id=line.household_id, fund_id=line.fund_id)
        for number, line in enumerate(lines, start=1)
    ]
    txn.hash = txn.compute_hash(entries, record)
    txn.save()
    for entry in entries:
        entry.transaction = txn
    Entry.objects.bulk_create(entries, batch_size=2000)
    # A fee payment or its reversal: its money is the month's fee line in the public accounts (ledger.totals).
    fee_money = kind == Transaction.Kind.PAYMENT or (reverses is not None and reverses.kind == Transaction.Kind.PAYMENT)
    totals.entries_posted(entries, day=date, receivable_id=account_ids.get(Account.RECEIVABLE),
                          households=household_totals,
                          money_ids={account_ids[code] for code in totals.MONEY_CODES if code in account_ids}
                          if fee_money else None)
    head.seq, head.hash = txn.seq, txn.hash
    head.save(update_fields=["seq", "hash"])
    return txn


@transaction.atomic
def transaction_reverse(*, original, reason, by, date=None, idempotency_key=None):
    """Correct a posted transaction by posting its mirror image, pointing at it.

    A transaction is reversed at most once and a reversal never; monthly
    billing is not reversed (its charges stay on the households). A fee
    payment is reversed through payment_reverse, which this calls for one.
    """
    _lock_chain()
    earlier = _first_submission(idempotency_key, action="transaction.reverse", by=by)
    if earlier is not None:
        return earlier.result
    if original.kind == Transaction.Kind.PAYMENT:
        txn = payment_reverse(payment=original.payment, reason=reason, by=by, date=date)
    elif original.kind == Transaction.Kind.HANDOVER:
        raise ValidationError(_("Reverse the payment itself; its hand-over is reversed with it."))
    else:
        txn = _reverse(original=original, reason=reason, by=by, date=date)
    _remember_submission(idempotency_key, action="transaction.reverse", by=by, result=txn)
    return txn


def _reverse(*, original, reason, by, date=None):
    head = _lock_chain()
    original = Transaction.objects.get(pk=original.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the transaction is reversed."))
    if original.kind == Transaction.Kind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed; post the transaction again instead."))
    if original.kind == Transaction.Kind.BILLING:
        raise ValidationError(_("Monthly billing cannot be reversed."))
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError(_("Transaction #%(seq)s has already been reversed.") % {"seq": original.seq})
    lines = [Line(e.account.code, -e.amount, e.household_id, e.fund_id)
             for e in original.entries.select_related("account")]
    txn = _post(
        head=head, date=date or timezone.localdate(), kind=Transaction.Kind.REVERSAL,
        memo=_("Reversal of #%(seq)s: %(reason)s") % {"seq": original.seq, "reason": reason},
        lines=lines, by=by, reverses=original,
    )
    log_action("ledger.transaction.reversed", original, by=by, details={"reversal": txn.seq, "reason": reason})
    return txn


# --- Months -----------------------------------------------------------------

def on_month_closed(closed, *, by):
    """What follows a month's close, inside month_close's transaction: the month's public accounts
    notice is rendered and stored (ledger.notice). If that fails, the month stays open."""
    from ledger.anchors import announce_head
    from ledger.notice import notice_post

    notice_post(month=closed.month, by=by)
    announce_head(closed, by=by)


@transaction.atomic
def month_close(*, month, by, idempotency_key=None):
    """Close a month: nothing dated in it is posted afterwards. Months close in order, once over.

    Open items that block a close (ledger.closing) refuse it; the others are the page's to show.
    """
    month = month_start(month)
    head = _lock_chain()
    earlier = _first_submission(idempotency_key, action="month.close", by=by)
    if earlier is not None:
        return earlier.result
    if ClosedMonth.objects.filter(month=month).exists():
        raise ValidationError(_("%(month)s is already closed.") % {"month": _month_label(month)})
    if add_months(month, 1) > timezone.localdate():
        raise ValidationError(_("%(month)s is not over yet.") % {"month": _month_label(month)})
    first = Transaction.objects.order_by("date").values_list("date", flat=True).first()
    if first is not None:
        closed = set(ClosedMonth.objects.values_list("month", flat=True))
        earlier = month_start(first)
        while earlier < month:
            if earlier not in closed:
                raise ValidationError(
                    _("Close %(earlier)s before %(month)s.")
                    % {"earlier": _month_label(earlier), "month": _month_label(month)}
                )
            earlier = add_months(earlier, 1)
    if head.closed_through is not None and head.closed_through >= month:
        raise ValidationError(_("%(month)s is already closed.") % {"month": _month_label(month)})
    blocking = blocking_items(month)
    if blocking:
        raise ValidationError(
            _("%(month)s cannot be closed yet: %(items)s.")
            % {"month": _month_label(month), "items": "; ".join(item.label for item in blocking)}
        )
    closed = ClosedMonth.objects.create(month=month, closed_by=by if by and by.is_authenticated else None,
                                        head_seq=head.seq, head_hash=head.hash)
    head.closed_through = month
    head.save(update_fields=["closed_through"])
    log_action("ledger.month.closed", closed, by=by, details={"head_seq": head.seq, "head_hash": head.hash})
    on_month_closed(closed, by=by)
    _remember_submission(idempotency_key, action="month.close", by=by, result=closed)
    return closed


# --- Fees and billing -------------------------------------------------------

def _cited(decision):
    """The decision's number for the activity record, if one is cited."""
    return {"decision": decision.number} if decision is not None else {}


@transaction.atomic
def fee_rate_set(*, rate, effective_from, by, note="", decision=None):
    """A new fee per m² per month from a month on. Months already billed keep the rate they were billed at.

    A change of the estate's rate cites the owners' decision (ledger.citations); its first rate does not.
    """
    effective_from = month_start(effective_from)
    if FeeRate.objects.exists() or decision is not None:
        citations.decision_check(decision, kinds=citations.FEE_RATE, what=_("A change of the fee rate"))
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0 or rate != rate.quantize(Decimal("0.0001")):
        raise ValidationError(_("Enter a rate in yuan per m², like 0.39."))
    if Charge.objects.filter(month__gte=effective_from).exists():
        raise ValidationError(_("%(month)s has already been billed; a new rate can start only after the last "
                                "billed month.") % {"month": _month_label(effective_from)})
    if FeeRate.objects.filter(effective_from=effective_from).exists():
        raise ValidationError(_("A rate from %(month)s is already set.") % {"month": _month_label(effective_from)})
    fee_rate = FeeRate.objects.create(rate=rate, effective_from=effective_from, note=note, created_by=by,
                                      decision=decision)
    log_action("ledger.fee_rate.set", fee_rate, by=by, details={"rate": str(rate), "from": str(effective_from),
                                                                 **_cited(decision)})
    return fee_rate


@transaction.atomic
def adjustment_create(*, household, percent_off, reason, start_month, by, end_month=None, idempotency_key=None):
    """A committee decision lowering one household's fee for a period; periods may not overlap or be billed."""
    _lock_chain()
    earlier = _first_submission(idempotency_key, action="adjustment.create", by=by)
    if earlier is not None:
        return earlier.result
    start_month = month_start(start_month)
    end_month = month_start(end_month) if end_month else None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the committee's reason."))
    if end_month and end_month < start_month:
        raise ValidationError(_("The period ends before it starts."))
    Household.objects.select_for_update().get(pk=household.pk)
    overlapping = FeeAdjustment.objects.filter(household=household, start_month__lte=end_month or date_type.max)
    overlapping = overlapping.filter(Q(end_month__isnull=True) | Q(end_month__gte=start_month))
    if overlapping.exists():
        raise ValidationError(_("This household already has an adjustment in that period."))
    billed = Charge.objects.filter(household=household, month__gte=start_month)
    if end_month:
        billed = billed.filter(month__lte=end_month)
    if billed.exists():
        raise ValidationError(_("Part of that period is already billed; start the adjustment after it."))
    adjustment = FeeAdjustment.objects.create(
        household=household, percent_off=percent_off, reason=reason, start_month=start_month,
        end_month=end_month, decided_by=by,
    )
    log_action("ledger.adjustment.created", adjustment, by=by,
               details={"household": household.code, "percent_off": str(percent_off), "reason": reason,
                        "from": str(start_month), "until": str(end_month) if end_month else None})
    _remember_submission(idempotency_key, action="adjustment.create", by=by, result=adjustment)
    return adjustment


@transaction.atomic
def adjustment_end(*, adjustment, end_month, by):
    """End an open or longer adjustment after a month (not before the months already billed with it)."""
    adjustment = FeeAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    end_month = month_start(end_month)
    if end_month < adjustment.start_month:
        raise ValidationError(_("The period ends before it starts."))
    if adjustment.end_month and end_month > adjustment.end_month:
        raise ValidationError(_("An adjustment can be shortened, not lengthened."))
    if Charge.objects.filter(adjustment=adjustment, month__gt=end_month).exists():
        raise ValidationError(_("Months after that were already billed with this adjustment."))
    adjustment.end_month = end_month
    adjustment.save(update_fields=["end_month"])
    log_action("ledger.adjustment.ended", adjustment, by=by, details={"until": str(end_month)})
    return adjustment


def monthly_fee(area, rate, adjustment=None):
    """area × rate, less the adjustment's share, rounded half up once, at the end."""
    amount = area * rate
    if adjustment is not None:
        amount = amount * (Decimal(100) - adjustment.percent_off) / Decimal(100)
    return round_money(amount)


@dataclass(frozen=True)
class BillingResult:
    month: date_type
    households: int
    total: Decimal
    transaction: Transaction | None


@transaction.atomic
def month_bill(*, month, by, idempotency_key=None):
    """Bill every active household not yet billed for `month`: one charge each. Running it again bills nobody twice.

    Bulk by design (5,000 households with ten years of books in well under two
    seconds): a handful of queries, one transaction with one receivable line
    per household, and payments made ahead are applied to the new charges.
    """
    month = month_start(month)
    head = _lock_chain()
    earlier = _first_submission(idempotency_key, action="month.bill", by=by)
    if earlier is not None:
        return _billing_result(month, earlier.result)
    _refuse_closed_month(month, head)
    if month > add_months(month_start(timezone.localdate()), 1):
        # Billing cannot be undone, and a billed month fixes its fee rate: billing far ahead would
        # freeze the rate of every month until then.
        raise ValidationError(
            _("%(month)s is too far ahead: bill this month or next month only.") % {"month": _month_label(month)})
    fee_rate = FeeRate.for_month(month)
    if fee_rate is None:
        raise ValidationError(_("No fee rate applies to %(month)s yet.") % {"month": _month_label(month)})
    households = list(
        Household.objects.filter(is_active=True)
        .exclude(charges__month=month)
        .order_by("code")
        .values_list("pk", "area")
    )
    if not households:
        _remember_submission(idempotency_key, action="month.bill", by=by, result=None)
        return BillingResult(month, 0, ZERO, None)
    adjustments = {
        a.household_id: a
        for a in FeeAdjustment.objects.filter(start_month__lte=month)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
    }
    charges = [
        Charge(household_id=pk, month=month, area=area, rate=fee_rate.rate, adjustment=adjustments.get(pk),
               amount=monthly_fee(area, fee_rate.rate, adjustments.get(pk)))
        for pk, area in households
    ]
    total = sum((charge.amount for charge in charges), ZERO)
    txn = None
    if total:
        lines = [Line(Account.RECEIVABLE, c.amount, household_id=c.household_id) for c in charges]
        lines.append(Line(Account.FEE_INCOME, -total))
        txn = _post(head=head, date=month, kind=Transaction.Kind.BILLING,
                    memo=_("Property fees for %(month)s") % {"month": _month_label(month)}, lines=lines, by=by,
                    household_totals=False)
    for charge in charges:
        charge.transaction = txn
    Charge.objects.bulk_create(charges, batch_size=2000)
    totals.fees_billed(charges)
    # Money paid ahead goes to the new charges. They are the only open charges of a household with
    # money paid ahead: every payment and reversal sets credit against open charges at once, so no
    # household has both before billing (check_ledger verifies it). Looking no further keeps billing
    # fast however long the books are.
    _settle(_credits(Payment.objects.all()), {c.household_id: [[c, c.amount]] for c in charges})
    totals.households_billed(month, [charge.household_id for charge in charges])
    result = BillingResult(month, len(charges), total, txn)
    log_action("ledger.month.billed", txn, by=by,
               details={"month": _month_label(month), "households": len(charges), "total": str(total)})
    _remember_submission(idempotency_key, action="month.bill", by=by, result=txn)
    return result


def _billing_result(month, txn):
    """What a billing run that posted `txn` (None: it billed nobody) did, told again."""
    if txn is None:
        return BillingResult(month, 0, ZERO, None)
    return BillingResult(txn.date, Charge.objects.filter(transaction=txn).count(), txn.amount, txn)


def _apply_credits(household_ids):
    """Let money paid ahead settle open charges, the oldest first (after a payment or a reversal)."""
    credits = _credits(Payment.objects.filter(household_id__in=household_ids))
    open_charges = defaultdict(list)
    for charge in (
        Charge.objects.filter(household_id__in={payment.household_id for payment, _left in credits})
        .unpaid().order_by("month")
    ):
        open_charges[charge.household_id].append([charge, charge.amount - charge.paid])
    return _settle(credits, open_charges)


def _credits(payments):
    """[(payment, money of it not yet set against a charge)] of the standing `payments` with some left, oldest first.

    Payments noted as spent drop out in the join, so only the settlements of the few others are summed.
    """
    rows = (
        payments.standing()
        .filter(spent__isnull=True)
        .annotate(settled=exact_sum("settlements__amount"))
        .filter(amount__gt=F("settled"))
        .order_by("household_id", "date", "pk")
    )
    return [(payment, payment.amount - payment.settled) for payment in rows]


def _settle(credits, open_charges):
    """Set each credit against its household's open charges ([charge, due] oldest first); save the settlements
    and note the payments whose money is now all spent."""
    settlements, spent, settled = [], [], []
    for payment, left in credits:
        for due in open_charges.get(payment.household_id, ()):
            if not left:
                break
            part = min(left, due[1])
            if part:
                settlements.append(Settlement(payment=payment, charge=due[0], amount=part))
                due[1] -= part
                left -= part
                settled.append((due[0], part, due[1]))
        if not left:
            spent.append(SpentPayment(payment=payment))
    Settlement.objects.bulk_create(settlements, batch_size=2000)
    SpentPayment.objects.bulk_create(spent, batch_size=2000)
    totals.fees_settled(settled)
    return settlements


# --- Payments and receipts --------------------------------------------------

def can_record_payment(user, household):
    """The treasurer (and the committee) for any household; a building head for their own building."""
    return user.is_committee or household.building_id in user.headed_building_ids


def _months_covered(household, amount):
    """The first and last month a payment pays for: open charges oldest first, then months ahead."""
    open_charges = list(
        Charge.objects.filter(household=household).unpaid().order_by("month")
        .values_list("month", "amount", "paid")
    )
    first = last = None
    left = amount
    for month, due, paid in open_charges:
        if left <= 0:
            break
        first = first or month
        last = month
        left -= due - paid
    if left > 0:
        billed = Charge.objects.filter(household=household).order_by("-month").values_list("month", flat=True).first()
        ahead = add_months(billed, 1) if billed else month_start(timezone.localdate())
        fee_rate = FeeRate.for_month(ahead)
        monthly = monthly_fee(household.area, fee_rate.rate) if fee_rate else ZERO
        months = (left / monthly).to_integral_value(rounding=ROUND_CEILING) if monthly else 1
        first = first or ahead
        last = add_months(ahead, int(months) - 1)
    return first, last


def _next_receipt_number(year):
    # A counter row, not a sequence: a sequence skips numbers when a transaction rolls back,
    # and receipt numbers must have no gaps. The row lock is held until commit.
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def payment_record(*, household, amount, method, idempotency_key, by, date=None, reference="", payer_name=""):
    """Record a household's payment and issue its receipt. Returns (payment, created).

    Idempotent: a second call with the same `idempotency_key` (a double click,
    a resubmitted form) returns the first payment and created=False. A
    building head's collection waits for the treasurer's confirmation of the
    hand-over (handover_confirm); the household is credited at once.
    """
    amount = check_amount(amount)
    if method not in Method.values:
        raise ValidationError(_("Choose how the money was paid."))
    reference = (reference or "").strip()
    if method == Method.BANK and not reference:
        raise ValidationError(_("A bank transfer needs its reference."))
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError(_("The form has expired; open it again."))
    if not can_record_payment(by, household):
        raise ValidationError(_("You may not record payments for this household."))
    date = date or timezone.localdate()
    _refuse_future(date)
    head = _lock_chain()
    # Under the chain lock, so a concurrent submission of the same form sees the first one committed.
    existing = Payment.objects.filter(idempotency_key=idempotency_key).select_related("receipt").first()
    if existing is not None:
        if existing.household_id != household.pk or existing.amount != amount:
            raise ValidationError(_("This form was already used for another payment; open it again."))
        return existing, False
    needs_handover = not by.is_committee
    if needs_handover:
        money_account = Account.HELD_BY_HEADS
    else:
        money_account = Account.CASH if method == Method.CASH else Account.BANK
    first, last = _months_covered(household, amount)
    payment = Payment(
        household=household, amount=amount, method=method, reference=reference, date=date,
        payer_name=(payer_name or "").strip()[:50], first_month=first, last_month=last,
        idempotency_key=idempotency_key, needs_handover=needs_handover, received_by=by,
    )
    number = _next_receipt_number(date.year)
    payment.transaction = _post(
        head=head, date=date, kind=Transaction.Kind.PAYMENT,
        memo=_("Fees paid by %(unit)s") % {"unit": household.code},
        lines=[Line(money_account, amount), Line(Account.RECEIVABLE, -amount, household_id=household.pk)],
        by=by, record=sealing.payment_record(payment, receipt_year=date.year, receipt_number=number),
    )
    txn = payment.transaction
    payment.save()
    deltas = totals.settled_by(_apply_credits({household.pk}))
    deltas[household.pk]["paid"] = amount
    totals.households_add(deltas, refresh={household.pk})
    receipt = Receipt.objects.create(payment=payment, year=date.year, number=number)
    log_action("ledger.payment.recorded", payment, by=by,
               details={"household": household.code, "amount": str(amount), "method": method,
                        "receipt": receipt.code, "transaction": txn.seq})
    return payment, True


@transaction.atomic
def payment_reverse(*, payment, reason, by, date=None):
    """Reverse a wrong payment: its receipt number stays used and shows void; the charges it paid open again."""
    payment = Payment.objects.select_related("transaction").get(pk=payment.pk)
    if payment.is_reversed:
        raise ValidationError(_("This payment has already been reversed."))
    handover = CashHandover.objects.filter(payment=payment).select_related("transaction").first()
    if handover is not None and not hasattr(handover.transaction, "reversal"):
        # The money had reached cash or bank: take it back out of there, then off the household.
        _reverse(original=handover.transaction, reason=reason, by=by, date=date)
    txn = _reverse(original=payment.transaction, reason=reason, by=by, date=date)
    totals.fees_unsettled(payment.settlements.select_related("charge"))
    # The charges this payment settled are open again; other money paid ahead may settle them.
    deltas = totals.settled_by(_apply_credits({payment.household_id}))
    undone = payment.settlements.aggregate(total=exact_sum("amount"))["total"]
    deltas[payment.household_id]["settled"] -= undone
    deltas[payment.household_id]["paid"] = -payment.amount
    totals.households_add(deltas, refresh={payment.household_id})
    log_action("ledger.payment.reversed", payment, by=by,
               details={"reason": reason, "receipt": payment.receipt.code, "reversal": txn.seq})
    return txn


@transaction.atomic
def handover_confirm(*, payment, by, date=None):
    """The treasurer confirms that a building head handed over a collection: the money moves to cash or bank."""
    head = _lock_chain()
    payment = Payment.objects.select_related("household").get(pk=payment.pk)
    if not payment.needs_handover:
        raise ValidationError(_("This payment was received by the committee directly."))
    if CashHandover.objects.filter(payment=payment).exists():
        raise ValidationError(_("The hand-over of this payment is already confirmed."))
    if payment.is_reversed:
        raise ValidationError(_("This payment has been reversed."))
    if payment.received_by_id == by.pk:
        raise ValidationError(_("Someone other than the collector confirms the hand-over."))
    date = date or timezone.localdate()
    _refuse_future(date)
    to_account = Account.CASH if payment.method == Method.CASH else Account.BANK
    txn = _post(
        head=head, date=date, kind=Transaction.Kind.HANDOVER,
        memo=_("Hand-over of %(unit)s's fees") % {"unit": payment.household.code},
        lines=[Line(to_account, payment.amount), Line(Account.HELD_BY_HEADS, -payment.amount)], by=by,
        record=sealing.handover_record(payment.pk, by.pk),
    )
    handover = CashHandover.objects.create(payment=payment, transaction=txn, confirmed_by=by)
    log_action("ledger.handover.confirmed", payment, by=by, details={"amount": str(payment.amount)})
    return handover


@transaction.atomic
def handovers_confirm(*, payments, by, date=None):
    """Confirm several collections handed over at once (a building head brings a month's cash): all or none.

    Collections already confirmed are left as they are, so submitting the same
    confirmation twice (a double tap, a reloaded page) confirms nothing twice.
    Returns (handovers made now, payments that were already confirmed).
    """
    _lock_chain()  # before looking: a confirmation running at the same moment has committed or not begun
    ids = {payment.pk for payment in payments}
    if not ids:
        raise ValidationError(_("Choose the collections whose money you have received."))
    already = list(Payment.objects.filter(pk__in=ids, handover__isnull=False).order_by("pk"))
    done = {payment.pk for payment in already}
    made = [handover_confirm(payment=payment, by=by, date=date)
            for payment in Payment.objects.filter(pk__in=ids - done).order_by("date", "pk")]
    return made, already


# --- Income, funds ----------------------------------------------------------

@transaction.atomic
def fund_create(*, name, by, purpose="", target=None, decision=None, idempotency_key=None):
    """A fund raised from owners, citing the owners' decision to raise it (ledger.citations)."""
    citations.decision_check(decision, kinds=citations.FUND, what=_("A fund raised from owners"))
    _lock_chain()
    earlier = _first_submission(idempotency_key, action="fund.create", by=by)
    if earlier is not None:
        return earlier.result
    fund = Fund.objects.create(name=name, purpose=purpose, target=target, created_by=by, decision=decision)
    log_action("ledger.fund.created", fund, by=by, details={"name": name, "target": str(target or ""),
                                                             **_cited(decision)})
    _remember_submission(idempotency_key, action="fund.create", by=by, result=fund)
    return fund


@transaction.atomic
def income_record(*, kind, date, source, amount, method, by, period="", fund=None, idempotency_key=None):
    """Public income other than fees. `kind` is an income account code ("parking", "advertising",
    "charging", "lockers", "other_income"), or "funds" with `fund` for money raised for a project."""
    amount = check_amount(amount)
    account = Account.objects.filter(code=kind, kind__in=[Account.Kind.INCOME, Account.Kind.FUND]).first()
    if account is None or account.code == Account.FEE_INCOME:
        raise ValidationError(_("Choose the kind of income."))
    if (account.code == Account.FUNDS) != (fund is not None):
        raise ValidationError(_("Money raised for a project goes to its designated fund."))
    if method not in Method.values:
        raise ValidationError(_("Choose how the money was paid."))
    source = (source or "").strip()
    if not source:
        raise ValidationError(_("Say where the money came from."))
    _refuse_future(date)
    head = _lock_chain()
    earlier = _first_submission(idempotency_key, action="income.record", by=by)
    if earlier is not None:
        return earlier.result
    money_account = Account.CASH if method == Method.CASH else Account.BANK
    income = Income(account=account, fund=fund, date=date, source=source[:100], period=period[:50],
                    amount=amount, method=method, recorded_by=by)
    txn = income.transaction = _post(
        head=head, date=date, kind=Transaction.Kind.INCOME, memo=labelled(account.name, source),
        lines=[Line(money_account, amount), Line(account.code, -amount, fund_id=fund.pk if fund else None)], by=by,
        record=sealing.income_record(income),
    )
    income.save()
    log_action("ledger.income.recorded", income, by=by,
               details={"kind": account.code, "amount": str(amount), "transaction": txn.seq})
    _remember_submission(idempotency_key, action="income.record", by=by, result=income)
    return income


def fund_balance(fund):
    """Raised, spent and remaining money of a designated fund, from its running totals (ledger.totals)."""
    sums = FundMonthTotal.objects.filter(fund=fund).aggregate(raised=exact_sum("raised"), spent=exact_sum("spent"))
    return {"raised": sums["raised"], "spent": sums["spent"], "remaining": sums["raised"] - sums["spent"]}


# --- Expenses and approvals -------------------------------------------------

def approval_required_count(amount):
    """How many committee members besides the entrant must approve spending `amount`:
    two at or above settings.LEDGER_APPROVAL_THRESHOLD, one below it."""
    return 2 if amount >= settings.LEDGER_APPROVAL_THRESHOLD else 1


def _expense_category(category):
    code = category if isinstance(category, str) else category.code
    account = Account.objects.filter(code=code, kind=Account.Kind.EXPENSE).first()
    if account is None:
        raise ValidationError(_("Choose an expense category."))
    return account


@transaction.atomic
def expense_record(*, date, category, payee, amount, description, by, fund=None, source=None,
                   payee_is_person=False, attachment=None, idempotency_key=None, decision=None):
    """Enter an expense awaiting approval; nothing is posted until it is paid (expense_pay).

    `category` is an expense account or its code ("cleaning", "security",
    "greening", "repairs", "utilities", "remuneration", "office",
    "activities", "other_expense"). `source` is any saved model instance the
    expense came from (a repair's chosen quote, say): it is linked generically
    and can be found again with expenses_for(source). `fund` pays it from a
    designated fund instead of the running budget. `payee_is_person` masks the
    payee's name wherever the public reads it. `attachment` (an estate.uploads.PreparedFile)
    is attached in the same transaction; call inside estate.uploads.cleanup_on_error().
    """
    amount = check_amount(amount)
    account = _expense_category(category)
    payee, description = (payee or "").strip(), (description or "").strip()
    if not payee:
        raise ValidationError(_("Say who is paid."))
    if not description:
        raise ValidationError(_("Say what the money is for."))
    if not by.is_committee:
        raise ValidationError(_("Only the committee enters expenses."))
    if citations.expense_needs_decision(amount):
        citations.decision_check(decision, kinds=citations.EXPENSE, what=_("An expense of this size"))
    _lock_chain()
    earlier = _first_submission(idempotency_key, action="expense.record", by=by)
    if earlier is not None:
        return earlier.result
    expense = Expense(date=date, category=account, fund=fund, payee=payee[:100], payee_is_person=payee_is_person,
                      amount=amount, description=description, entered_by=by, decision=decision)
    if source is not None:
        expense.source = source
    expense.save()
    log_action("ledger.expense.recorded", expense, by=by,
               details={"amount": str(amount), "category": account.code, "payee": expense.payee,
                        "approvals_needed": approval_required_count(amount), **_cited(decision)})
    if attachment is not None:
        attachment_add(expense=expense, prepared=attachment, by=by)
    _remember_submission(idempotency_key, action="expense.record", by=by, result=expense)
    return expense


def expenses_for(source):
    """The expenses that came from `source` (see expense_record)."""
    from django.contrib.contenttypes.models import ContentType

    return Expense.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk)


def approval_refusal(expense, user):
    """Why `user` may not approve `expense` now, or None when they may."""
    if expense.status != Expense.Status.PENDING:
        return _("Only an expense waiting for approval can be approved.")
    if not user.is_committee:
        return _("Only committee members approve spending.")
    if expense.entered_by_id == user.pk:
        return _("Whoever entered an expense cannot approve it.")
    if any(a.approver_id == user.pk for a in expense.approvals.all()):
        return _("You have already approved this expense.")
    return None


@transaction.atomic
def expense_approve(*, expense, by, idempotency_key=None):
    """One committee member's approval; never the entrant's, never twice by the same member."""
    _lock_chain()
    earlier = _first_submission(idempotency_key, action="expense.approve", by=by)
    if earlier is not None:
        return earlier.result
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    refusal = approval_refusal(expense, by)
    if refusal:
        raise ValidationError(refusal)
    approval = Approval.objects.create(expense=expense, approver=by)
    log_action("ledger.expense.approved", expense, by=by,
               details={"approvals": expense.approvals.count(), "needed": approval_required_count(expense.amount)})
    _remember_submission(idempotency_key, action="expense.approve", by=by, result=approval)
    return approval


def approvals_missing(expense):
    """How many more approvals `expense` needs before it may be paid (0 when it may)."""
    valid = {a.approver_id for a in expense.approvals.all() if a.approver_id != expense.entered_by_id}
    return max(0, approval_required_count(expense.amount) - len(valid))


@transaction.atomic
def expense_pay(*, expense, method, by, date=None, idempotency_key=None):
    """Pay an approved expense from cash or bank (or its designated fund) and post it."""
    head = _lock_chain()
    earlier = _first_submission(idempotency_key, action="expense.pay", by=by)
    if earlier is not None:
        return earlier.result
    # of=self: PostgreSQL cannot lock the nullable side (the fund) of the outer join.
    expense = (Expense.objects.select_for_update(of=("self",)).select_related("category", "fund")
               .get(pk=expense.pk))
    if expense.status != Expense.Status.PENDING:
        raise ValidationError(_("This expense is not waiting to be paid."))
    if not by.is_committee:
        raise ValidationError(_("Only the committee pays expenses."))
    missing = approvals_missing(expense)
    if missing:
        raise ValidationError(
            _("This expense needs %(count)s more approval(s) by committee members other than the one who "
              "entered it.") % {"count": missing}
        )
    if method not in (Method.CASH, Method.BANK):
        raise ValidationError(_("Pay an expense in cash or from the bank."))
    date = date or timezone.localdate()
    _refuse_future(date)
    if expense.fund is not None and fund_balance(expense.fund)["remaining"] < expense.amount:
        raise ValidationError(_("The fund %(fund)s has not enough money left.") % {"fund": expense.fund})
    debit = (Line(Account.FUNDS, expense.amount, fund_id=expense.fund_id) if expense.fund
             else Line(expense.category.code, expense.amount))
    credit = Line(Account.CASH if method == Method.CASH else Account.BANK, -expense.amount)
    txn = _post(head=head, date=date, kind=Transaction.Kind.EXPENSE,
                memo=labelled(expense.category.name, expense.payee), lines=[debit, credit], by=by,
                record=sealing.expense_record(expense, approver_ids=[a.approver_id for a in expense.approvals.all()]))
    expense.status = Expense.Status.PAID
    expense.transaction = txn
    expense.save(update_fields=["status", "transaction"])
    log_action("ledger.expense.paid", expense, by=by,
               details={"amount": str(expense.amount), "method": method, "transaction": txn.seq})
    _remember_submission(idempotency_key, action="expense.pay", by=by, result=expense)
    return expense


@transaction.atomic
def expense_cancel(*, expense, reason, by, idempotency_key=None):
    """Withdraw an expense that has not been paid."""
    _lock_chain()
    earlier = _first_submission(idempotency_key, action="expense.cancel", by=by)
    if earlier is not None:
        return earlier.result
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the expense is cancelled."))
    if expense.status != Expense.Status.PENDING:
        raise ValidationError(_("Only an unpaid expense can be cancelled; reverse a paid one."))
    expense.status = Expense.Status.CANCELLED
    expense.cancel_reason = reason[:200]
    expense.save(update_fields=["status", "cancel_reason"])
    log_action("ledger.expense.cancelled", expense, by=by, details={"reason": reason})
    _remember_submission(idempotency_key, action="expense.cancel", by=by, result=expense)
    return expense


# --- Budget and the chart ---------------------------------------------------

@transaction.atomic
def budget_set(*, year, account, amount, by, decision=None):
    """One line of a year's budget, citing the owners' decision that adopted the budget (ledger.citations)."""
    citations.decision_check(decision, kinds=citations.BUDGET, what=_("The annual budget"))
    if account.kind != Account.Kind.EXPENSE:
        raise ValidationError(_("Choose an expense category."))
    if not isinstance(amount, Decimal) or amount < 0 or amount != round_money(amount):
        raise ValidationError(_("Enter an amount in yuan, like 39.59."))
    budget, created = Budget.objects.update_or_create(year=year, account=account,
                                                      defaults={"amount": amount, "decision": decision})
    log_action("ledger.budget.set", account, by=by, details={"year": year, "amount": str(amount),
                                                              **_cited(decision)})
    return budget


@transaction.atomic
def account_rename(*, account, name, by):
    old = account.name
    account.name = name.strip()[:50]
    account.save(update_fields=["name"])
    log_action("ledger.account.renamed", account, by=by, details={"from": old, "to": account.name})
    return account



@transaction.atomic
def attachment_add(*, expense, prepared, by):
    """Attach an invoice or receipt (an estate.uploads.PreparedFile) to an expense, paid or not.

    Call inside estate.uploads.cleanup_on_error() so a failure leaves no file behind.
    """
    from estate.uploads import store

    attachment = Attachment.objects.create(
        expense=expense, name=store(prepared, folder="ledger"), original_name=prepared.original_name,
        content_type=prepared.content_type, uploaded_by=by,
    )
    log_action("ledger.attachment.added", expense, by=by,
               details={"attachment": attachment.pk, "type": prepared.content_type})
    return attachment
