"""The treasurer's reconciliation page: a month's bank statement and cash count beside the books."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import money_mfa_required, treasurer_required
from bank import services
from bank.forms import CashCountForm, ExplanationForm, MappingForm, StatementEnterForm, StatementImportForm
from bank.models import CashCount, ColumnMapping, Statement
from estate.uploads import cleanup_on_error, serve
from ledger.commands import parse_month
from ledger.models import add_months


def _month(text):
    try:
        return parse_month(text)
    except Exception:  # noqa: BLE001 - any bad month is "no such page"
        raise Http404 from None


def _done(request, month, action, success):
    try:
        with cleanup_on_error():
            action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("bank:reconcile", month=f"{month:%Y-%m}")


def _invalid(request, month, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return redirect("bank:reconcile", month=f"{month:%Y-%m}")


@treasurer_required
def latest(request):
    last = add_months(timezone.localdate().replace(day=1), -1)
    return redirect("bank:reconcile", month=f"{last:%Y-%m}")


@treasurer_required
def reconcile(request, month):
    month = _month(month)
    result = services.reconciliation(month)
    mappings = list(ColumnMapping.objects.all())
    bank = result.statement.bank if result.statement else (mappings[0].bank if mappings else "")
    return render(request, "bank/reconcile.html", {
        "month": month, "r": result, "blockers": services.month_close_blockers(month),
        "count": CashCount.objects.filter(month=month).select_related("counted_by", "confirmed_by").first(),
        "cash_books": services.books_balance(month, "cash"), "mappings": mappings,
        "import_form": StatementImportForm(initial={"bank": bank}),
        "enter_form": StatementEnterForm(initial={"bank": bank}), "mapping_form": MappingForm(),
        "explanation_form": ExplanationForm(), "count_form": CashCountForm(),
        "previous": f"{add_months(month, -1):%Y-%m}", "next": f"{add_months(month, 1):%Y-%m}",
    })


@require_POST
@treasurer_required
@money_mfa_required
def mapping_save(request, month):
    month = _month(month)
    form = MappingForm(request.POST)
    if not form.is_valid():
        return _invalid(request, month, form)
    return _done(request, month, lambda: services.mapping_save(by=request.user, **form.cleaned_data),
                 _("Column names saved."))


@require_POST
@treasurer_required
@money_mfa_required
def statement_import(request, month):
    month = _month(month)
    form = StatementImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, month, form)
    upload = form.cleaned_data["file"]
    data = upload.read(6 * 1024 * 1024)
    return _done(request, month, lambda: services.statement_import(
        month=month, bank=form.cleaned_data["bank"], data=data, original_name=upload.name or "statement",
        closing_balance=form.cleaned_data["closing_balance"], by=request.user), _("Statement imported."))


@require_POST
@treasurer_required
@money_mfa_required
def statement_enter(request, month):
    month = _month(month)
    form = StatementEnterForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, month, form)
    data = form.cleaned_data
    return _done(request, month, lambda: services.statement_enter(
        month=month, bank=data["bank"], closing_balance=data["closing_balance"], photo=data["photo"],
        by=request.user), _("Closing balance entered."))


@require_POST
@treasurer_required
@money_mfa_required
def explanation_new(request, month):
    month = _month(month)
    form = ExplanationForm(request.POST)
    if not form.is_valid():
        return _invalid(request, month, form)
    return _done(request, month, lambda: services.explanation_write(month=month, by=request.user,
                                                                    **form.cleaned_data), _("Explanation saved."))


@require_POST
@treasurer_required
@money_mfa_required
def cash_count(request, month):
    month = _month(month)
    form = CashCountForm(request.POST)
    if not form.is_valid():
        return _invalid(request, month, form)
    return _done(request, month, lambda: services.cash_count(month=month, counted=form.cleaned_data["counted"],
                                                             by=request.user),
                 _("Cash count saved; another committee member confirms it."))


@require_POST
@treasurer_required
@money_mfa_required
def cash_confirm(request, month):
    month = _month(month)
    count = get_object_or_404(CashCount, month=month)
    return _done(request, month, lambda: services.cash_count_confirm(count=count, by=request.user),
                 _("Cash count confirmed."))


@treasurer_required
def statement_file(request, pk):
    """The statement's file or photo as the treasurer entered it (the committee only)."""
    statement = get_object_or_404(Statement, pk=pk)
    return serve(statement.file or statement.photo, download_name=statement.original_name or None)
