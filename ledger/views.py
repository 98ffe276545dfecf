"""Pages for residents: their household's bills and receipts, and the estate's public accounts.

The committee's pages are in ledger/views_committee.py. Who may see what is
decided once per object type by the _get_<thing>_for_user helpers below.
"""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from estate import cached, panels, uploads
from estate.models import Household, Version
from estate.pdf import render_pdf
from ledger.models import (
    Attachment,
    Charge,
    Entry,
    Expense,
    FeeMonthTotal,
    Payment,
    Receipt,
    Transaction,
    add_months,
    household_balance,
    last_overdue_month,
    month_start,
)
from ledger.money import ZERO, chinese_capitals
from ledger.reports import MONEY_ACCOUNTS, balances


def _get_household_for_user(request, pk):
    """The household if the user may see it (committee; its building's head; its residents), else 404."""
    return get_object_or_404(Household.objects.visible_to(request.user).select_related("building"), pk=pk)


def _get_receipt_for_user(request, pk):
    households = Household.objects.visible_to(request.user)
    receipts = Receipt.objects.filter(payment__household__in=households).select_related(
        "payment__household__building", "payment__received_by", "payment__transaction__reversal")
    return get_object_or_404(receipts, pk=pk)


def may_see_public_accounts(user):
    """Every owner, tenant, volunteer, building head and committee member: anyone holding a role."""
    return bool(user.active_roles)


def _require_public_accounts(request):
    if not may_see_public_accounts(request.user):
        raise PermissionDenied


@login_required
def my_household(request):
    """The resident's own household statement (the first, for the rare resident of two)."""
    households = sorted(request.user.household_ids)
    if not households:
        raise Http404
    return household(request, households[0])


# A statement shows a year of bills and payments, and every month still open however old: its cost stays the
# same as the books age (ten years are 240 rows a household); the whole history is one link away.
STATEMENT_MONTHS = 12
# The public accounts read the books' tables alone.
PUBLIC_VERSIONS = (Version.LEDGER,)
# A household's statement: its bills and payments, its address, and who took each payment.
STATEMENT_VERSIONS = (Version.LEDGER, Version.REGISTER, Version.PEOPLE)


def household_statement(household, *, whole=False):
    """Balance, charges with what is paid of each, and payments with their receipts: five queries.

    The balance is the household's running total (ledger.totals); the charges are those of the last
    STATEMENT_MONTHS months and any older one still open, the payments those of the same months (`whole`: all).
    """
    today = timezone.localdate()
    charges, payments = Charge.objects.filter(household=household), Payment.objects.filter(household=household)
    first_charge, first_payment, oldest_open = Household.objects.filter(pk=household.pk).values_list(
        Subquery(charges.order_by("month").values("month")[:1]),
        Subquery(payments.order_by("date").values("date")[:1]),
        "ledger_total__oldest_open",
    ).get()
    since = add_months(month_start(today), 1 - STATEMENT_MONTHS)
    if not whole:
        charges = charges.filter(month__gte=min(since, oldest_open or since))
        payments = payments.filter(date__gte=since)
    charges = list(charges.with_paid().order_by("-month"))
    overdue_until = last_overdue_month(today)
    for charge in charges:
        charge.due = charge.amount - charge.paid
        charge.overdue = charge.due > 0 and charge.month <= overdue_until
    payments = list(payments.select_related("receipt", "transaction__reversal", "received_by", "handover")
                    .defer("received_by__password")  # kept in the cache table by the household's page
                    .order_by("-date", "-pk"))
    balance = household_balance(household.pk)
    begins = min(filter(None, (first_charge, first_payment)), default=None)
    return {"household": household, "charges": charges, "payments": payments, "balance": balance,
            "owed": max(balance, ZERO), "ahead": max(-balance, ZERO),
            "open_months": [c for c in charges if c.due > 0],
            "overdue": min(max(balance, ZERO), sum((c.due for c in charges if c.overdue), ZERO)),
            "due_day": settings.LEDGER_BILL_DUE_DAY, "whole": whole, "since": since, "begins": begins,
            "has_earlier": not whole and begins is not None and begins < since}


@login_required
def household(request, pk):
    household = _get_household_for_user(request, pk)
    whole = request.GET.get("all") == "1"

    def make(form_token):
        # Kept once per state of the books and day for every worker (estate.cached), and the page around it per
        # viewer in this worker (estate.panels): a household opens its own page far more often than it pays.
        context = {**cached.figure(request, "ledger.statement", lambda: household_statement(household, whole=whole),
                                   key=(household.pk, whole, timezone.localdate(), settings.LEDGER_BILL_DUE_DAY))}
        user = request.user
        context["may_record_payment"] = user.is_committee or household.building_id in user.headed_building_ids
        context["csrf_token"] = form_token
        return render_to_string("ledger/household.html", context, request), ()

    return panels.kept_page(request, f"ledger.statement.{household.pk}", STATEMENT_VERSIONS, make)


@login_required
def receipt(request, pk):
    receipt = _get_receipt_for_user(request, pk)
    return render(request, "ledger/receipt.html", _receipt_context(receipt))


@login_required
def receipt_pdf(request, pk):
    receipt = _get_receipt_for_user(request, pk)
    pdf = render_pdf("ledger/receipt_pdf.html", _receipt_context(receipt), request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline: WeChat's browser often refuses downloads but opens a PDF shown in place.
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.code}.pdf"'
    return response


def _receipt_context(receipt):
    payment = receipt.payment
    return {"receipt": receipt, "payment": payment, "household": payment.household,
            "capitals": chinese_capitals(payment.amount), "void": hasattr(payment.transaction, "reversal"),
            "site_name": settings.SITE_NAME}


@login_required
def public_accounts(request):
    """Every income and expense line of a year, by month, with totals and running balances.

    Fee payments appear as one line a month (no household's name); other
    income and every expense line by line, expenses with their attachments.
    """
    _require_public_accounts(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        raise Http404

    def make(form_token):
        # Every line of the year, rendered once per state of the books and kept for every worker (estate.cached);
        # the page around them is kept per viewer in this worker (estate.panels), so the page after the first
        # costs a lookup in memory.
        accounts = cached.figure(request, "ledger.public", lambda: render_to_string(
            "ledger/_public_accounts.html", _public_year(year)), key=(year, get_language()))
        return render_to_string("ledger/public_accounts.html", {
            "year": year, "accounts": accounts, "years": range(today.year, today.year - 5, -1),
            "csrf_token": form_token,
        }, request), ()

    return panels.kept_page(request, "ledger.public", PUBLIC_VERSIONS, make)


def _public_year(year):
    """The year's months with their lines, totals and running balances: four queries whatever the lines."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    # The running totals of the months before (ledger.totals), not every entry of the years before.
    opening = sum(balances(start - timedelta(days=1)).values(), ZERO)
    in_year = Entry.objects.filter(account__code__in=MONEY_ACCOUNTS, transaction__date__gte=start,
                                   transaction__date__lte=end)
    fee_payment = (Q(transaction__kind=Transaction.Kind.PAYMENT)
                   | Q(transaction__reverses__kind=Transaction.Kind.PAYMENT))
    # The fee line of each month from its kept total (ledger.totals), not thousands of payments a month.
    fees = FeeMonthTotal.objects.filter(month__gte=start, month__lte=end).filter(Q(payments__gt=0) | Q(undone__gt=0))
    entries = (
        in_year.exclude(fee_payment)
        # Billing moves no money (its 5,000 entries are receivable and fee income), but saying so lets the
        # database skip them rather than read each to find its account.
        .exclude(transaction__kind=Transaction.Kind.BILLING)
        .exclude(transaction__kind=Transaction.Kind.HANDOVER)
        .exclude(transaction__reverses__kind=Transaction.Kind.HANDOVER)
        .select_related("transaction__income__account", "transaction__income__fund",
                        "transaction__expense__category", "transaction__expense__fund",
                        "transaction__reverses__income", "transaction__reverses__expense",
                        "transaction__reversal")
        .prefetch_related(Prefetch("transaction__expense__attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("transaction__date", "transaction__seq")
    )
    months = {}
    for row in fees:
        months[row.month] = {"lines": [], "fees": row.received, "fee_count": row.payments - row.undone}
    for entry in entries:
        txn = entry.transaction
        month = months.setdefault(txn.date.replace(day=1), {"lines": [], "fees": ZERO, "fee_count": 0})
        month["lines"].append(_public_line(entry, txn))
    balance = opening
    result = []
    for month, data in sorted(months.items()):
        lines = data["lines"]
        if data["fees"]:
            lines.insert(0, {"date": None, "kind": "fees", "what": "", "amount": data["fees"],
                             "count": data["fee_count"]})
        month_opening = balance
        for line in lines:
            balance += line["amount"]
            line["balance"] = balance
            line["in"] = line["amount"] if line["amount"] > 0 else None
            line["out"] = -line["amount"] if line["amount"] < 0 else None
        result.append({
            "month": month, "lines": lines, "opening": month_opening, "closing": balance,
            "income": sum((line["amount"] for line in lines if line["amount"] > 0), ZERO),
            "spending": -sum((line["amount"] for line in lines if line["amount"] < 0), ZERO),
        })
    return {"months": result, "opening": opening, "closing": balance}


def _public_line(entry, txn):
    original = txn.reverses if txn.reverses_id else txn
    income = getattr(original, "income", None) if original.kind == Transaction.Kind.INCOME else None
    expense = getattr(original, "expense", None) if original.kind == Transaction.Kind.EXPENSE else None
    line = {"date": txn.date, "amount": entry.amount, "reversal": bool(txn.reverses_id),
            "reversed": hasattr(txn, "reversal"), "attachments": []}
    if income is not None:
        line.update(kind="income", category=income.account.name, what=income.source, period=income.period,
                    fund=income.fund.name if income.fund else "")
    elif expense is not None:
        line.update(kind="expense", category=expense.category.name, what=expense.public_payee,
                    description=expense.description, fund=expense.fund.name if expense.fund else "",
                    attachments=list(txn.expense.attachments.all()) if not txn.reverses_id else [])
    else:
        line.update(kind="other", category="", what=txn.memo)
    return line


def _get_attachment_for_user(request, pk):
    """A paid expense's invoice is in the public accounts, for every role-holder to see; the invoice of an
    expense not paid (waiting for approval, or cancelled: a wrong file cannot be deleted) is the committee's."""
    _require_public_accounts(request)
    attachments = Attachment.objects.all()
    if not request.user.is_committee:
        attachments = attachments.filter(expense__status=Expense.Status.PAID)
    return get_object_or_404(attachments, pk=pk)


@login_required
def attachment(request, pk):
    attachment = _get_attachment_for_user(request, pk)
    return uploads.serve(attachment.name, download_name=attachment.original_name or None)

