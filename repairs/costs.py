"""The money side of repairs, through the ledger's own services: repairs never writes the ledger's tables.

- Choosing a quote enters its amount as a ledger expense (category "repairs"),
  waiting for approval, with the quote as the expense's `source`; the quote's
  `expense` points back. The committee member who chose is the expense's entrant.
- At or above settings.LEDGER_APPROVAL_THRESHOLD the choice takes effect only
  once that expense has its two approvals, given in the ledger
  (ledger.services.expense_approve: two committee members, neither the one who
  chose): until then the ticket cannot be assigned to the contractor or started.
  Below the threshold the choice takes effect at once (the ledger still asks its
  own single approval before paying).
- When the work is done the committee pays the expense in the ledger
  (ledger:expense, ledger.services.expense_pay), which posts it to the journal:
  then it is in the estate's accounts, and in the repair figures.
- Choosing another quote before payment cancels the earlier expense
  (ledger.services.expense_cancel); after payment the choice cannot change.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.aggregates import exact_sum
from ledger import services as ledger
from ledger.models import Approval, Expense, not_reversed

CATEGORY = "repairs"


def needs_two_approvals(amount):
    """The ledger's rule for spending, applied to choosing a quote."""
    return amount >= settings.LEDGER_APPROVAL_THRESHOLD


def _live(expense):
    return expense is not None and expense.status != Expense.Status.CANCELLED


def choice_is_approved(ticket):
    """Whether the work under the ticket's chosen quote may go ahead."""
    quote = ticket.chosen_quote
    if quote is None or not needs_two_approvals(quote.amount):
        return True
    expense = quote.expense
    return _live(expense) and ledger.approvals_missing(expense) == 0


def check_choice_may_change(ticket):
    """Once the chosen quote is paid, the choice is history."""
    quote = ticket.chosen_quote
    if quote is not None and quote.expense_id and quote.expense.status == Expense.Status.PAID:
        raise ValidationError(_("The chosen quote is already paid; the choice cannot change any more."))


def on_quote_chosen(*, ticket, quote, previous, by, at, decision=None):
    """Enter the chosen quote's spending in the ledger, withdrawing the earlier choice's (inside quote_choose)."""
    if previous is not None and previous.expense_id:
        earlier = previous.expense
        if previous.pk == quote.pk and earlier.status == Expense.Status.PENDING:
            raise ValidationError(_("This quote is already the chosen one."))
        if earlier.status == Expense.Status.PENDING:
            reason = _("Repair %(number)s: another quote was chosen (%(name)s).") % {
                "number": ticket.number, "name": quote.contractor}
            ledger.expense_cancel(expense=earlier, by=by, reason=reason)
    if _live(quote.expense):
        raise ValidationError(_("This quote was chosen before and its expense is still in the accounts."))
    expense = ledger.expense_record(
        date=timezone.localtime(at).date(), category=CATEGORY, payee=quote.contractor.name, amount=quote.amount,
        by=by, source=quote, decision=decision,
        description=_("Repair %(number)s, %(category)s: %(where)s. Chosen because: %(reason)s") % {
            "number": ticket.number, "category": ticket.get_category_display(), "where": ticket.public_location,
            "reason": ticket.choice_reason,
        },
    )
    quote.expense = expense
    quote.save(update_fields=["expense"])
    return expense


@dataclass(frozen=True)
class ApprovalState:
    """Where the spending of a chosen quote stands, for the ticket's pages."""

    expense: Expense | None
    needs_two: bool
    approvers: list
    missing: int  # approvals still needed before the work may go ahead (0 below the threshold)
    settled: bool  # the work may go ahead

    @property
    def paid(self):
        return self.expense is not None and self.expense.status == Expense.Status.PAID

    @property
    def cancelled(self):
        return self.expense is not None and self.expense.status == Expense.Status.CANCELLED

    @property
    def paid_on(self):
        return self.expense.transaction.date if self.paid else None


def _expenses():
    return Expense.objects.select_related("transaction").prefetch_related(
        Prefetch("approvals", queryset=Approval.objects.select_related("approver"))
    )


def approval_state(ticket):
    """The state of the chosen quote's expense (two queries), or None when no quote is chosen."""
    quote = ticket.chosen_quote
    if quote is None:
        return None
    expense = _expenses().filter(pk=quote.expense_id).first() if quote.expense_id else None
    needs_two = needs_two_approvals(quote.amount)
    approvers = [a.approver for a in expense.approvals.all()] if expense else []
    missing = ledger.approvals_missing(expense) if _live(expense) and needs_two else (2 if needs_two else 0)
    return ApprovalState(expense=expense, needs_two=needs_two, approvers=approvers, missing=missing,
                         settled=not needs_two or (_live(expense) and missing == 0))


def choices_awaiting_approval():
    """Tickets whose chosen quote waits for the committee's approvals, oldest choice first."""
    from repairs.models import Ticket

    tickets = (Ticket.objects.open()
               .filter(chosen_quote__amount__gte=settings.LEDGER_APPROVAL_THRESHOLD,
                       chosen_quote__expense__status=Expense.Status.PENDING)
               .select_related("household", "building", "volunteer__user", "contractor",
                               "chosen_quote__expense")
               .prefetch_related("chosen_quote__expense__approvals")
               .order_by("chosen_at"))
    return [t for t in tickets if ledger.approvals_missing(t.chosen_quote.expense)]


def _paid_repairs():
    """Paid expenses that came from repair quotes and were not reversed since."""
    from repairs.models import Quote

    return Expense.objects.filter(
        not_reversed(), source_type=ContentType.objects.get_for_model(Quote), status=Expense.Status.PAID,
    )


def spent_between(start, end):
    """Money paid for repairs from the estate's accounts, by the date of posting, start ≤ date < end."""
    start, end = timezone.localtime(start).date(), timezone.localtime(end).date()
    return _paid_repairs().filter(transaction__date__gte=start, transaction__date__lt=end).aggregate(
        total=exact_sum("amount"))["total"]


def paid_for(tickets):
    """{ticket id: money paid for it} for the tickets that cost the estate something."""
    paid = defaultdict(Decimal)
    rows = _paid_repairs().filter(repair_quote__ticket__in=tickets).values_list("repair_quote__ticket_id", "amount")
    for ticket_id, amount in rows:
        paid[ticket_id] += amount
    return dict(paid)


def cost_of(ticket):
    """What the ticket's work cost the estate, when paid (else None)."""
    return paid_for([ticket]).get(ticket.pk)
