"""The committee's pages: the journal, payments, arrears, expenses and approvals, billing, months, fees, budget.

Every view that acts on money checks the role first, then money_mfa_required
(the chair and the treasurer need two-factor login before touching money).
"""

import functools
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.module_loading import module_has_submodule
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.permissions import money_mfa_required, treasurer_required
from estate import cached, panels
from estate.aggregates import exact_sum
from estate.models import Household, Version
from estate.tables import EXPORT_FORMATS, export_response
from estate.uploads import cleanup_on_error
from estate.wording import labelled
from ledger import closing, reports, services
from ledger import journal as journal_paging
from ledger.forms import (
    AccountNameForm,
    AdjustmentForm,
    ApprovalForm,
    AttachmentForm,
    BudgetForm,
    ExpenseForm,
    ExpensePayForm,
    FeeRateForm,
    FundForm,
    IncomeForm,
    MonthActionForm,
    MonthCloseForm,
    MonthField,
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
    MonthlyNotice,
    Payment,
    Transaction,
    add_months,
    household_balance,
)
from ledger.money import ZERO
from ledger.tables import JournalTable
from ledger.templatetags.money import money
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
@treasurer_required
def journal(request):
    """Every posted transaction, newest first, 50 a page; ?_export=csv or xlsx downloads the whole journal.

    The page is a plain template (django-tables2 took four times the 15 ms
    budget to render 50 rows); the export goes through django-tables2. Pages
    follow a keyset cursor (ledger/journal.py), so the last costs what the first does.
    """
    sort = request.GET.get("sort") if request.GET.get("sort") in journal_paging.ORDERS else "-seq"
    rows = Transaction.objects.select_related("created_by").annotate(reversed_by=F("reversal__seq"))
    export = request.GET.get("_export")
    if export in EXPORT_FORMATS:
        table = JournalTable(rows.order_by(*journal_paging.order_by(sort)))
        RequestConfig(request, paginate=False).configure(table)
        # The register's export: typed text cannot run as a formula, and Excel reads the CSV's Chinese.
        return export_response(table, export, "journal")
    # Plain rows (50 model instances and their lookups were half of the page's time), labelled and
    # rendered by {% journal_rows %}.
    rows = rows.values("pk", "seq", "date", "kind", "memo", "amount", "reversed_by", "created_by__name",
                       "created_by__username")

    def make():
        page = journal_paging.journal_page(rows, sort, after=request.GET.get("after"),
                                           before=request.GET.get("before"), last="last" in request.GET)
        # The journal's length is the chain head's number: postings are numbered from 1 without a gap (check_ledger
        # verifies it). A COUNT over ten years of journal took a third of the page's time. The head is read with
        # the versions' tokens, before the rows.
        current = panels.tokens(request)
        head = current["head"] if current else ChainHead.objects.values_list("seq", "hash").first()
        return render_to_string("ledger/_journal.html", {
            "page": page, "sort": sort, "count": head[0] if head else 0}), ()

    # Kept as HTML per viewer, address and state of the books and the people (estate/panels.py): every posting
    # changes the ledger's token.
    return render(request, "ledger/journal.html", {
        "content": panels.kept(request, f"ledger.journal.{request.get_full_path()}",
                               (Version.LEDGER, Version.PEOPLE), make)})


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
                                                    idempotency_key=form.cleaned_data["idempotency_key"],
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


@dataclass
class _HeldCash:
    """One building head's collections not yet handed over, and their sum."""

    collector: object
    payments: list
    total: Decimal


def _held_by_collector(payments):
    groups = {}
    for payment in payments:
        group = groups.setdefault(payment.received_by_id, _HeldCash(payment.received_by, [], ZERO))
        group.payments.append(payment)
        group.total += payment.amount
    return list(groups.values())


@login_required
def handovers(request):
    """Cash building heads collected and have not handed over: the committee sees every head's, with a
    subtotal each, to confirm together; a building head sees what they hold themselves."""
    user = request.user
    if not (user.is_committee or user.is_building_head):
        raise PermissionDenied
    waiting = (
        Payment.objects.standing().filter(needs_handover=True, handover__isnull=True)
        .select_related("household", "received_by", "receipt")
        .order_by("received_by_id", "date", "pk")
    )
    if not user.is_committee:
        waiting = waiting.filter(received_by=user)
    groups = _held_by_collector(waiting)
    return render(request, "ledger/handovers.html", {
        "groups": groups, "total": sum((group.total for group in groups), ZERO), "may_confirm": user.is_committee,
    })


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


@require_POST
@treasurer_required
@money_mfa_required
def handovers_confirm(request):
    """Confirm the ticked collections of one building head in one go (all or none)."""
    ids = [value for value in request.POST.getlist("payment") if value.isdigit()]
    payments = list(Payment.objects.filter(pk__in=ids, needs_handover=True))
    if len(payments) != len(set(ids)):
        raise Http404
    try:
        made, already = services.handovers_confirm(payments=payments, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        if made:
            total = sum((handover.payment.amount for handover in made), ZERO)
            messages.success(request, ngettext(
                "Hand-over of %(count)s collection confirmed: %(total)s yuan.",
                "Hand-over of %(count)s collections confirmed: %(total)s yuan.", len(made))
                % {"count": len(made), "total": money(total)})
        if already:
            messages.info(request, ngettext(
                "%(count)s collection was already confirmed; nothing changed for it.",
                "%(count)s collections were already confirmed; nothing changed for them.", len(already))
                % {"count": len(already)})
    return redirect("ledger:handovers")


# --- Arrears ----------------------------------------------------------------

def _require_collector(request):
    if not (request.user.is_committee or request.user.is_building_head):
        raise PermissionDenied


ARREARS_PER_PAGE = 50


@login_required
def arrears(request):
    """Households owing money (a building head sees their building) and the estate's collection figures.

    A page of 50 households at a time, the largest debt first, under the count and sum of all of them; `all=1`
    gives the whole list on one page, for printing. The figures and each page are computed once per state of the
    books (estate.cached), from the running totals: their cost does not grow with the age of the books.
    """
    _require_collector(request)
    today = timezone.localdate()
    key = (cached.reach(request.user), today, settings.LEDGER_BILL_DUE_DAY)
    context = {**cached.figure(request, "ledger.arrears", lambda: _arrears_figures(request.user, today), key=key)}
    whole = request.GET.get("all") == "1"
    # Paging the count the figures hold (no query); the page's rows are read for its households only.
    page = None if whole else Paginator(range(context["count"]), ARREARS_PER_PAGE).get_page(request.GET.get("page"))
    # The page's rows rendered, with the other apps' columns: kept too (a reminder recorded is a change of state).
    context.update(cached.figure(
        request, "ledger.arrears.rows", lambda: _arrears_rows(request.user, today, page),
        key=(*key, page.number if page else "all", get_language()),
        versions=[version for column in arrears_columns() for version in column.VERSIONS]))
    context.update(page=page, whole=whole, columns=arrears_columns())
    return render(request, "ledger/arrears.html", context)


def _arrears_figures(user, today):
    """How many households owe and how much (all of them, not the page), and the collection of the month last
    billed: computed once per state (estate.cached)."""
    last_billed = Charge.objects.order_by("-month").values_list("month", flat=True).first()
    month = last_billed or today.replace(day=1)
    owing = reports.arrears_today(Household.objects.visible_to(user), today=today).aggregate(
        count=Count("pk"), total=exact_sum("owed"))
    return {
        "count": owing["count"],
        "total": owing["total"],
        "month": month,
        "collection": reports.collection(month),
        "year_to_date": reports.collection_year_to_date(month),
        "due_day": settings.LEDGER_BILL_DUE_DAY,
    }


def _arrears_rows(user, today, page):
    """The households of one page (None: every one) in arrears, with their overdue months, and their rows
    rendered with the columns other apps add, such as the chasing record (催缴登记: each household's last
    reminder, messaging)."""
    totals = reports.arrears_today(Household.objects.visible_to(user), today=today)
    if page is not None:
        totals = totals[(page.number - 1) * ARREARS_PER_PAGE:page.number * ARREARS_PER_PAGE]
    rows = reports.arrears_rows(totals)
    columns = arrears_columns()
    cells = [(get_template(column.TEMPLATE), column.cells([row.household_id for row in rows])) for column in columns]
    links = [reverse(name, args=[_UNIT]) for name in ("ledger:household", "ledger:reminder", "ledger:payment-new")]
    return {"rows": rows, "rows_html": mark_safe("\n".join(
        _arrears_row(row, links, [
            template.render({"cell": found.get(row.household_id), "household_id": row.household_id})
            for template, found in cells])
        for row in rows) or format_html('<tr><td colspan="{}" class="muted">{}</td></tr>', len(columns) + 4,
                                        _("No household is in arrears.")))}


# A row of the arrears list is put together here rather than by the template engine: 50 rows of four links and
# their cells cost 40 ms of CPU there, which at 5,000 households was the page's cost (each URL is reversed once).
_UNIT = 987654321


def _arrears_row(row, links, cells):
    household, slip, payment = (link.replace(str(_UNIT), str(row.household_id)) for link in links)
    return format_html(
        '<tr><td class="nowrap card-title"><a href="{}">{}</a>\n'
        '      <span class="row-links no-print"><a href="{}">{}</a>\n      <a href="{}">{}</a></span></td>\n'
        '    <td class="money card-figure">{}</td><td class="card-field" data-label="{}">{}</td>'
        '<td class="nowrap card-field" data-label="{}">{}</td>\n    {}</tr>',
        household, row.code, slip, _("Reminder slip"), payment, _("Record payment"), money(row.owed),
        _("Overdue months"), row.open_months, _("Owed since"), f"{row.oldest:%Y-%m}" if row.oldest else "",
        mark_safe("".join(format_html('<td class="card-line">{}</td>', cell) for cell in cells)))


@functools.cache
def arrears_columns():
    """The columns other apps add to the arrears page, in INSTALLED_APPS order: every app with an `arrears_column`
    module (HEADING, TEMPLATE rendered with `cell` and `household_id`, `cells(household_ids)` returning
    {household_id: cell} in a fixed number of queries, and VERSIONS, the versions of the tables the cells are read
    from, under which the rendered rows are kept). Gathered as the notice's sections are, so that the ledger
    imports none of those apps (docs/ARCHITECTURE.md, "Apps and how they depend on each other")."""
    return tuple(
        import_module(f"{config.name}.arrears_column")
        for config in apps.get_app_configs()
        if config.name != "ledger" and module_has_submodule(config.module, "arrears_column")
    )


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
    if status not in Expense.Status.values:
        status = ""

    def expense_rows():
        rows = _expense_queryset().order_by("-entered_at")
        if status:
            rows = rows.filter(status=status)
        rows = list(rows[:200])
        for expense in rows:
            expense.missing = services.approvals_missing(expense)
            expense.needed = services.approval_required_count(expense.amount)
        return render_to_string("ledger/_expense_rows.html", {"expenses": rows})

    # "Waiting for approval" would be wrong for the approved ones still to pay: the filter says "not paid".
    statuses = [(Expense.Status.PENDING, _("Not paid yet")), (Expense.Status.PAID, Expense.Status.PAID.label),
                (Expense.Status.CANCELLED, Expense.Status.CANCELLED.label)]
    # The rows are the same for every treasurer and member: rendered once per state and kept (estate.cached).
    rows = cached.figure(request, "ledger.expenses", expense_rows, key=(status, get_language()))
    return render(request, "ledger/expenses.html", {"rows": rows, "status": status, "statuses": statuses})


@treasurer_required
@money_mfa_required
def expense_new(request):
    form = ExpenseForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The expense and its attachment are entered together or not at all.
            with cleanup_on_error():
                expense = services.expense_record(
                    date=data["date"], category=data["category"], fund=data["fund"], payee=data["payee"],
                    payee_is_person=data["payee_is_person"], amount=data["amount"],
                    description=data["description"], attachment=data["attachment"],
                    idempotency_key=data["idempotency_key"], by=request.user, decision=data["decision"],
                )
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
        "approve_form": ApprovalForm(),
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
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form has expired; open it again."))
        return redirect("ledger:expense", pk=pk)
    key = form.cleaned_data["idempotency_key"]
    return _expense_action(request, pk, lambda e: services.expense_approve(expense=e, by=request.user,
                                                                            idempotency_key=key), _("Approved."))


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
                                                    idempotency_key=data["idempotency_key"], by=request.user),
        _("Paid and posted."))


@require_POST
@treasurer_required
@money_mfa_required
def expense_cancel(request, pk):
    form = ReasonForm(request.POST)
    valid = form.is_valid()
    reason = form.cleaned_data["reason"] if valid else form.data.get("reason", "")
    key = form.cleaned_data["idempotency_key"] if valid else None
    return _expense_action(request, pk, lambda e: services.expense_cancel(expense=e, reason=reason, by=request.user,
                                                                           idempotency_key=key), _("Cancelled."))


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
    """Expenses waiting for an approval this member may give: kept as HTML per viewer and state of the books and the
    people (estate/panels.py), since members open it far more often than an expense is entered or approved."""

    def make():
        pending = _expense_queryset().filter(status=Expense.Status.PENDING).exclude(entered_by=request.user).exclude(
            approvals__approver=request.user).order_by("entered_at")
        rows = list(pending)
        for expense in rows:
            expense.missing = services.approvals_missing(expense)
            expense.needed = services.approval_required_count(expense.amount)
        return render_to_string("ledger/_expense_rows.html", {"expenses": rows}), ()

    return render(request, "ledger/approvals.html", {
        "rows": panels.kept(request, "ledger.approvals", (Version.LEDGER, Version.PEOPLE), make),
        "threshold": settings.LEDGER_APPROVAL_THRESHOLD})


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
                                   method=data["method"], idempotency_key=data["idempotency_key"],
                                   by=request.user)
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
        try:
            services.fund_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Fund created."))
    else:
        messages.error(request, _("Give the project a name."))
    return redirect("ledger:funds")


# --- Billing, months, fees, budget -------------------------------------------

@treasurer_required
def billing(request):
    today = timezone.localdate()

    def make(form_token):
        # Kept whole per viewer and day under the books' token (estate.panels.kept_page): the page changes with a
        # month billed or closed or a new rate, and its form and layout were most of the request.
        billed = (
            Charge.objects.values("month").annotate(total=exact_sum("amount")).order_by("-month")[:12]
        )
        closed = set(ClosedMonth.objects.values_list("month", flat=True))
        form = MonthActionForm(initial={"month": today.replace(day=1), "idempotency_key": panels.FORM_KEY})
        return render_to_string("ledger/billing.html", {
            "billed": billed, "closed": closed, "form": form, "rate": FeeRate.for_month(today),
            "csrf_token": form_token,
        }, request), ()

    return panels.kept_page(request, "ledger.billing", (Version.LEDGER,), make)


@require_POST
@treasurer_required
@money_mfa_required
def billing_run(request):
    def said(result):
        if not result.households:
            return messages.INFO, _("Every household is already billed for that month; nothing changed.")
        return messages.SUCCESS, _("%(month)s: billed %(count)s households, %(total)s yuan in all.") % {
            "month": f"{result.month:%Y-%m}", "count": result.households, "total": result.total}

    return _form_action(request, MonthActionForm(request.POST),
                        lambda d: services.month_bill(month=d["month"], idempotency_key=d["idempotency_key"],
                                                      by=request.user), said, to="ledger:billing")


def _next_month_to_close():
    """The month after the last closed one, or the month of the first posting; None before any posting."""
    last_closed = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    if last_closed is not None:
        return add_months(last_closed, 1)
    first = Transaction.objects.order_by("date").values_list("date", flat=True).first()
    return first.replace(day=1) if first else None


@treasurer_required
def months(request):
    """Closed months, each with its notice, and the way to the next close."""
    closed = ClosedMonth.objects.select_related("closed_by")
    notices = set(MonthlyNotice.objects.values_list("month", flat=True))
    next_month = _next_month_to_close()
    over = next_month is not None and add_months(next_month, 1) <= timezone.localdate()
    return render(request, "ledger/months.html", {
        "closed": [(month, month.month in notices) for month in closed], "next_month": next_month, "over": over,
    })


def _month_from_url(text):
    try:
        return MonthField().clean(text)
    except ValidationError:
        raise Http404 from None


@treasurer_required
def month_detail(request, month):
    """One month before its close (what is still open, the figures, the confirmation) or after it
    (who closed it, its notice, and the chain head in plain words)."""
    month = _month_from_url(month)
    if month > timezone.localdate():
        raise Http404
    closed = ClosedMonth.objects.select_related("closed_by").filter(month=month).first()
    context = {"month": month, "closed": closed, "figures": closing.close_figures(month)}
    if closed is None:
        items = closing.open_items(month)
        context.update({
            "items": items, "blocked": any(item.blocks for item in items),
            "over": add_months(month, 1) <= timezone.localdate(), "next_month": _next_month_to_close(),
            "form": MonthCloseForm(initial={"month": month}, open_items=bool(items)),
        })
    else:
        context["notice"] = MonthlyNotice.objects.filter(month=month).only("month", "posted_at").first()
    return render(request, "ledger/month.html", context)


@require_POST
@treasurer_required
@money_mfa_required
def month_close(request):
    """Close a month once its page was read and the close confirmed; then show the notice it posted."""
    form = MonthCloseForm(request.POST, open_items=True)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        month = form.cleaned_data.get("month")
        return redirect("ledger:month", month=f"{month:%Y-%m}") if month else redirect("ledger:months")
    month = form.cleaned_data["month"]
    try:
        services.month_close(month=month, idempotency_key=form.cleaned_data["idempotency_key"], by=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("ledger:month", month=f"{month:%Y-%m}")
    messages.success(request, _("%(month)s is closed and its accounts notice is posted.")
                     % {"month": f"{month:%Y-%m}"})
    return redirect("ledger:notice", month=f"{month:%Y-%m}")


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
        try:
            with transaction.atomic():
                for account in accounts:
                    amount = form.cleaned_data[account.code]
                    if amount is not None and amount != budgets.get(account.pk):
                        services.budget_set(year=year, account=account, amount=amount, by=request.user,
                                            decision=form.cleaned_data["decision"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Budget saved."))
            return redirect(reverse("ledger:budget", kwargs={"year": year}))
    return render(request, "ledger/budget.html", {
        "year": year, "form": form, "rows": reports.budget_against_actual(year),
    })
