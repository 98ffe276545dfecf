"""The committee's pages: the journal, payments, arrears, expenses and approvals, billing, months, fees, budget.

Every view that acts on money checks the role first, then money_mfa_required
(the chair and the treasurer need two-factor login before touching money).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.permissions import money_mfa_required, treasurer_required
from estate.aggregates import exact_sum
from estate.models import Household
from estate.tables import EXPORT_FORMATS, export_response
from estate.uploads import cleanup_on_error
from estate.wording import labelled
from ledger import reports, services
from ledger.forms import (
    AccountNameForm,
    AdjustmentForm,
    AttachmentForm,
    BudgetForm,
    ExpenseForm,
    ExpensePayForm,
    FeeRateForm,
    FundForm,
    IncomeForm,
    MonthForm,
    PaymentForm,
    ReasonForm,
)
from ledger.models import (
    Account,
    Budget,
    ChainHead,
    Charge,
    ClosedMonth,
    Expense,
    FeeAdjustment,
    FeeRate,
    Payment,
    Transaction,
    add_months,
    household_balance,
)
from ledger.money import ZERO
from ledger.tables import JournalTable
from ledger.views import _get_household_for_user, household_statement


def _errors(request, error):
    for message in error.messages:
        messages.error(request, message)


def _form_action(request, form, action, success, *, to="ledger:fees"):
    """Validate `form`, run `action(cleaned_data)`, say how it went, and go back to `to`.

    `success` is the message, or a function of the action's result giving (level, message).
    """
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            level, message = success(result) if callable(success) else (messages.SUCCESS, success)
            messages.add_message(request, level, message)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, labelled(label, error) if label else error)
    return redirect(to)


# --- The journal ------------------------------------------------------------

# The sort the page offers, each ending in the posting number so that pages never overlap.
JOURNAL_ORDERS = {sort: (sort, "-seq" if sort.startswith("-") else "seq")
                  for sort in ("date", "-date", "amount", "-amount")}
JOURNAL_ORDERS.update({"seq": ("seq",), "-seq": ("-seq",)})


class JournalPaginator(Paginator):
    """The journal's length is the chain head's number: postings are numbered from 1 without a gap
    (check_ledger verifies it). A COUNT over ten years of journal took a third of the page's time."""

    @cached_property
    def count(self):
        return ChainHead.objects.values_list("seq", flat=True).first() or 0


@treasurer_required
def journal(request):
    """Every posted transaction, newest first, 50 a page; ?_export=csv or xlsx downloads the whole journal.

    The page is a plain template (django-tables2 took four times the 15 ms
    budget to render 50 rows); the export goes through django-tables2.
    """
    sort = request.GET.get("sort") if request.GET.get("sort") in JOURNAL_ORDERS else "-seq"
    rows = (Transaction.objects.select_related("created_by").annotate(reversed_by=F("reversal__seq"))
            .order_by(*JOURNAL_ORDERS[sort]))
    export = request.GET.get("_export")
    if export in EXPORT_FORMATS:
        table = JournalTable(rows)
        RequestConfig(request, paginate=False).configure(table)
        # The register's export: typed text cannot run as a formula, and Excel reads the CSV's Chinese.
        return export_response(table, export, "journal")
    # Plain rows (50 model instances and their lookups were half of the page's time), labelled and
    # rendered by {% journal_rows %}.
    rows = rows.values("pk", "seq", "date", "kind", "memo", "amount", "reversed_by", "created_by__name",
                       "created_by__username")
    page = JournalPaginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "ledger/journal.html", {"page": page, "sort": sort})


@treasurer_required
def transaction_detail(request, pk):
    txn = get_object_or_404(Transaction.objects.select_related("created_by", "reverses", "reversal"), pk=pk)
    entries = txn.entries.select_related("account", "household", "fund")
    return render(request, "ledger/transaction.html", {"txn": txn, "entries": entries, "form": ReasonForm()})


@require_POST
@treasurer_required
@money_mfa_required
def transaction_reverse(request, pk):
    txn = get_object_or_404(Transaction, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reversal = services.transaction_reverse(original=txn, reason=form.cleaned_data["reason"],
                                                    by=request.user)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Transaction #%(seq)s is reversed by #%(reversal)s.")
                             % {"seq": txn.seq, "reversal": reversal.seq})
            return redirect("ledger:transaction", pk=reversal.pk)
    else:
        messages.error(request, _("Say why the transaction is reversed."))
    return redirect("ledger:transaction", pk=txn.pk)


# --- Payments ---------------------------------------------------------------

def _get_household_to_collect(request, pk):
    """A household the user may record payments for: 404 outside their reach, 403 if they may only look."""
    household = _get_household_for_user(request, pk)
    if not services.can_record_payment(request.user, household):
        raise PermissionDenied
    return household


@login_required
@money_mfa_required
def payment_new(request, pk):
    household = _get_household_to_collect(request, pk)
    form = PaymentForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment, created = services.payment_record(
                household=household, amount=data["amount"], method=data["method"], reference=data["reference"],
                payer_name=data["payer_name"], date=data["date"], idempotency_key=data["idempotency_key"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, _("Payment recorded: receipt %(code)s.") % {"code": payment.receipt.code})
            else:
                messages.info(request, _("This payment was already recorded; here is its receipt."))
            return redirect("ledger:receipt", pk=payment.receipt.pk)
    return render(request, "ledger/payment_form.html",
                  {"form": form, "household": household, "balance": household_balance(household.pk)})


@treasurer_required
def handovers(request):
    """Collections by building heads waiting for the treasurer to confirm the cash was handed over."""
    waiting = (
        Payment.objects.filter(needs_handover=True, handover__isnull=True, transaction__reversal__isnull=True)
        .select_related("household", "received_by", "receipt")
        .order_by("received_by_id", "date")
    )
    return render(request, "ledger/handovers.html", {"payments": waiting})


@require_POST
@treasurer_required
@money_mfa_required
def handover_confirm(request, pk):
    payment = get_object_or_404(Payment, pk=pk)
    try:
        services.handover_confirm(payment=payment, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Hand-over confirmed."))
    return redirect("ledger:handovers")


# --- Arrears ----------------------------------------------------------------

def _require_collector(request):
    if not (request.user.is_committee or request.user.is_building_head):
        raise PermissionDenied


@login_required
def arrears(request):
    """Households owing money (a building head sees their building) and the estate's collection figures."""
    _require_collector(request)
    households = Household.objects.visible_to(request.user)
    last_billed = Charge.objects.order_by("-month").values_list("month", flat=True).first()
    month = last_billed or timezone.localdate().replace(day=1)
    context = {
        "rows": reports.arrears(households=households),
        "month": month,
        "collection": reports.collection(month),
        "year_to_date": reports.collection_year_to_date(month),
    }
    context["total"] = sum((row.owed for row in context["rows"]), ZERO)
    return render(request, "ledger/arrears.html", context)


@login_required
def reminder(request, pk):
    """A printable slip for one household: the unit code and amounts only, no name, no phone."""
    _require_collector(request)
    household = _get_household_for_user(request, pk)
    return render(request, "ledger/reminder.html", household_statement(household))


# --- Expenses and approvals -------------------------------------------------

def _expense_queryset():
    return Expense.objects.select_related("category", "fund", "entered_by", "transaction__reversal").prefetch_related(
        "approvals__approver", "attachments")


@treasurer_required
def expenses(request):
    status = request.GET.get("status", "")
    rows = _expense_queryset().order_by("-entered_at")
    if status in Expense.Status.values:
        rows = rows.filter(status=status)
    rows = list(rows[:200])
    for expense in rows:
        expense.missing = services.approvals_missing(expense)
    return render(request, "ledger/expenses.html", {"expenses": rows, "status": status,
                                                    "statuses": Expense.Status.choices})


@treasurer_required
@money_mfa_required
def expense_new(request):
    form = ExpenseForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The expense and its attachment are entered together or not at all.
            with cleanup_on_error(), transaction.atomic():
                expense = services.expense_record(
                    date=data["date"], category=data["category"], fund=data["fund"], payee=data["payee"],
                    payee_is_person=data["payee_is_person"], amount=data["amount"],
                    description=data["description"], by=request.user,
                )
                if data["attachment"]:
                    services.attachment_add(expense=expense, prepared=data["attachment"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Expense entered; it now waits for approval."))
            return redirect("ledger:expense", pk=expense.pk)
    return render(request, "ledger/expense_form.html", {"form": form})


@treasurer_required
def expense_detail(request, pk):
    expense = get_object_or_404(_expense_queryset(), pk=pk)
    return render(request, "ledger/expense.html", {
        "expense": expense,
        "missing": services.approvals_missing(expense),
        "needed": services.approval_required_count(expense.amount),
        "refusal": services.approval_refusal(expense, request.user),
        "pay_form": ExpensePayForm(),
        "cancel_form": ReasonForm(),
        "attach_form": AttachmentForm(),
    })


def _expense_action(request, pk, action, success):
    expense = get_object_or_404(Expense, pk=pk)
    try:
        action(expense)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, success)
    return redirect("ledger:expense", pk=expense.pk)


@require_POST
@treasurer_required
@money_mfa_required
def expense_approve(request, pk):
    return _expense_action(request, pk, lambda e: services.expense_approve(expense=e, by=request.user),
                           _("Approved."))


@require_POST
@treasurer_required
@money_mfa_required
def expense_pay(request, pk):
    form = ExpensePayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose cash or bank and the date."))
        return redirect("ledger:expense", pk=pk)
    data = form.cleaned_data
    return _expense_action(
        request, pk, lambda e: services.expense_pay(expense=e, method=data["method"], date=data["date"],
                                                    by=request.user), _("Paid and posted."))


@require_POST
@treasurer_required
@money_mfa_required
def expense_cancel(request, pk):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _expense_action(request, pk, lambda e: services.expense_cancel(expense=e, reason=reason,
                                                                           by=request.user), _("Cancelled."))


@require_POST
@treasurer_required
@money_mfa_required
def expense_attach(request, pk):
    expense = get_object_or_404(Expense, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        with cleanup_on_error():
            services.attachment_add(expense=expense, prepared=form.cleaned_data["file"], by=request.user)
        messages.success(request, _("Attached."))
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect("ledger:expense", pk=expense.pk)


@treasurer_required
def approvals(request):
    """Expenses waiting for an approval this member may give."""
    pending = _expense_queryset().filter(status=Expense.Status.PENDING).exclude(entered_by=request.user).exclude(
        approvals__approver=request.user).order_by("entered_at")
    rows = list(pending)
    for expense in rows:
        expense.missing = services.approvals_missing(expense)
    return render(request, "ledger/approvals.html",
                  {"expenses": rows, "threshold": settings.LEDGER_APPROVAL_THRESHOLD})


# --- Income and funds -------------------------------------------------------

@treasurer_required
@money_mfa_required
def income_new(request):
    form = IncomeForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.income_record(kind=data["kind"].code, fund=data["fund"], date=data["date"],
                                   source=data["source"], period=data["period"], amount=data["amount"],
                                   method=data["method"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Income recorded."))
            return redirect("ledger:public")
    return render(request, "ledger/income_form.html", {"form": form})


@treasurer_required
def funds(request):
    today = timezone.localdate()
    return render(request, "ledger/funds.html", {"funds": reports.fund_figures(today), "form": FundForm()})


@require_POST
@treasurer_required
@money_mfa_required
def fund_new(request):
    form = FundForm(request.POST)
    if form.is_valid():
        services.fund_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Fund created."))
    else:
        messages.error(request, _("Give the project a name."))
    return redirect("ledger:funds")


# --- Billing, months, fees, budget -------------------------------------------

@treasurer_required
def billing(request):
    today = timezone.localdate()
    billed = (
        Charge.objects.values("month").annotate(total=exact_sum("amount")).order_by("-month")[:12]
    )
    closed = set(ClosedMonth.objects.values_list("month", flat=True))
    form = MonthForm(initial={"month": today.replace(day=1)})
    return render(request, "ledger/billing.html", {"billed": billed, "closed": closed, "form": form,
                                                   "rate": FeeRate.for_month(today)})


@require_POST
@treasurer_required
@money_mfa_required
def billing_run(request):
    def said(result):
        if not result.households:
            return messages.INFO, _("Every household is already billed for that month; nothing changed.")
        return messages.SUCCESS, _("%(month)s: billed %(count)s households, %(total)s yuan in all.") % {
            "month": f"{result.month:%Y-%m}", "count": result.households, "total": result.total}

    return _form_action(request, MonthForm(request.POST),
                        lambda d: services.month_bill(month=d["month"], by=request.user), said, to="ledger:billing")


@treasurer_required
def months(request):
    closed = ClosedMonth.objects.select_related("closed_by")
    today = timezone.localdate()
    suggestion = add_months(today.replace(day=1), -1)
    return render(request, "ledger/months.html", {"closed": closed,
                                                  "form": MonthForm(initial={"month": suggestion})})


@require_POST
@treasurer_required
@money_mfa_required
def month_close(request):
    return _form_action(
        request, MonthForm(request.POST), lambda d: services.month_close(month=d["month"], by=request.user),
        lambda closed: (messages.SUCCESS, _("%(month)s is closed.") % {"month": f"{closed.month:%Y-%m}"}),
        to="ledger:months")


@treasurer_required
def fees(request):
    return render(request, "ledger/fees.html", {
        "rates": FeeRate.objects.select_related("created_by"),
        "adjustments": FeeAdjustment.objects.select_related("household", "decided_by"),
        "rate_form": FeeRateForm(), "adjustment_form": AdjustmentForm(), "end_form": MonthForm(),
    })


@require_POST
@treasurer_required
@money_mfa_required
def fee_rate_new(request):
    return _form_action(request, FeeRateForm(request.POST),
                        lambda d: services.fee_rate_set(by=request.user, **d), _("New rate saved."))


@require_POST
@treasurer_required
@money_mfa_required
def adjustment_new(request):
    return _form_action(request, AdjustmentForm(request.POST),
                        lambda d: services.adjustment_create(by=request.user, **d), _("Adjustment saved."))


@require_POST
@treasurer_required
@money_mfa_required
def adjustment_end(request, pk):
    adjustment = get_object_or_404(FeeAdjustment, pk=pk)
    return _form_action(request, MonthForm(request.POST),
                        lambda d: services.adjustment_end(adjustment=adjustment, end_month=d["month"],
                                                          by=request.user), _("Adjustment ended."))


@treasurer_required
def chart(request):
    """The chart of accounts; the committee may rename an account (its code and kind never change)."""
    return render(request, "ledger/chart.html", {"accounts": Account.objects.all(), "form": AccountNameForm()})


@require_POST
@treasurer_required
@money_mfa_required
def account_rename(request, pk):
    account = get_object_or_404(Account, pk=pk)
    return _form_action(request, AccountNameForm(request.POST),
                        lambda d: services.account_rename(account=account, name=d["name"], by=request.user),
                        _("Renamed."), to="ledger:chart")


@treasurer_required
@money_mfa_required
def budget(request, year):
    if not 2000 <= year <= 2100:
        raise Http404
    accounts = list(Account.objects.filter(kind=Account.Kind.EXPENSE))
    budgets = dict(Budget.objects.filter(year=year).values_list("account_id", "amount"))
    form = BudgetForm(request.POST or None, accounts=accounts, budgets=budgets)
    if form.is_valid():
        with transaction.atomic():
            for account in accounts:
                amount = form.cleaned_data[account.code]
                if amount is not None and amount != budgets.get(account.pk):
                    services.budget_set(year=year, account=account, amount=amount, by=request.user)
        messages.success(request, _("Budget saved."))
        return redirect(reverse("ledger:budget", kwargs={"year": year}))
    return render(request, "ledger/budget.html", {
        "year": year, "form": form, "rows": reports.budget_against_actual(year),
    })
