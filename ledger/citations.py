"""Money that only the owners may decide cites their decision (docs/ARCHITECTURE.md, "Money cites decisions").

A change of the fee rate, a new fund raised from owners, an annual budget and any
single expense at or above settings.LEDGER_DECISION_LIMIT name the passed decision
(decisions.Decision) they carry out; the monthly notice prints its number beside
them. An estate carries over from paper what it decided before it recorded its
first owners' decision in Jiayuan: until then there is nothing to cite, and the
notice shows those items without a number (docs/ARCHITECTURE.md).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from decisions.models import Decision, Motion

K = Motion.Kind
FEE_RATE = (K.FEE_RATE,)
FUND = (K.FUND_RAISING, K.REPAIR_FUND)
BUDGET = (K.BUDGET,)
EXPENSE = (K.MAJOR_EXPENSE, K.REPAIR_FUND, K.REBUILD)


def citations_required():
    """From the estate's first recorded owners' decision on, what they reserve must cite one."""
    return Decision.objects.exists()


def decision_check(decision, *, kinds, what):
    """Refuse unless `decision` is a passed decision of one of `kinds`; `what` names the thing for the message."""
    if decision is None:
        if citations_required():
            raise ValidationError(
                _("%(what)s needs the owners' decision: choose the passed decision it carries out.")
                % {"what": what}, code="decision_missing")
        return None
    if decision.kind not in kinds:
        raise ValidationError(
            _("Decision %(number)s is about “%(matter)s”; %(what)s needs a decision about %(needed)s.")
            % {"number": decision.number, "matter": decision.get_kind_display(), "what": what,
               "needed": _(" or ").join(str(K(kind).label) for kind in kinds)},
            code="decision_kind")
    return decision


def expense_needs_decision(amount):
    return amount >= settings.LEDGER_DECISION_LIMIT


# Read in the language of the page that shows it, with the limit of the running configuration.
EXPENSE_HELP = lazy(lambda: _("Needed for a single expense of %(limit)s yuan or more.")
                    % {"limit": settings.LEDGER_DECISION_LIMIT}, str)()


def decision_field(kinds, **kwargs):
    """A choice among the owners' passed decisions of `kinds`, newest first."""
    kwargs.setdefault("label", gettext_lazy("Owners' decision"))
    kwargs.setdefault("required", False)
    kwargs.setdefault("empty_label", gettext_lazy("— none —"))
    return forms.ModelChoiceField(queryset=Decision.objects.passed().filter(kind__in=kinds), **kwargs)


def notice_decisions(month_end):
    """What the month's notice cites, as plain data: the rate in force, the funds, the year's budget and the
    month's expenses at or above the limit, each with its decision's number ("" when carried over)."""
    from ledger.models import Budget, Expense, FeeRate, Fund

    def number(item):
        return item.decision.number if item.decision_id else ""

    rows = []
    rate = (FeeRate.objects.filter(effective_from__lte=month_end).select_related("decision")
            .order_by("-effective_from").first())
    if rate is not None:
        rows.append({"kind": "fee_rate", "rate": f"{rate.rate.normalize()}", "from": f"{rate.effective_from:%Y-%m}",
                     "number": number(rate)})
    # A fund is on the notice once it exists or money of it moved (the books may predate the fund's row).
    funds = (Fund.objects.filter(Q(created_at__date__lte=month_end) | Q(entries__transaction__date__lte=month_end))
             .distinct().select_related("decision").order_by("pk"))
    for fund in funds:
        rows.append({"kind": "fund", "name": fund.name, "number": number(fund)})
    budgets = list(Budget.objects.filter(year=month_end.year).select_related("decision"))
    if budgets:
        rows.append({"kind": "budget", "year": month_end.year,
                     "number": "、".join(sorted({number(b) for b in budgets if b.decision_id}))})
    big = (Expense.objects.filter(date__year=month_end.year, date__month=month_end.month,
                                  amount__gte=settings.LEDGER_DECISION_LIMIT)
           .exclude(status=Expense.Status.CANCELLED).select_related("decision").order_by("date", "pk"))
    for expense in big:
        rows.append({"kind": "expense", "date": expense.date.isoformat(), "payee": expense.public_payee,
                     "amount": f"{expense.amount:.2f}", "number": number(expense)})
    return rows
