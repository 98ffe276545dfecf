"""The ledger's panels on the dashboard: a list of (template, context) pairs.

Their figures are computed once per state of the books and kept (estate.cached): a household's own balance per
household and day, the committee's collection and counts per member (the expenses waiting are theirs to approve).
"""

from django.conf import settings
from django.utils import timezone

from estate import cached
from estate.models import Version
from ledger import reports
from ledger.models import Charge, Expense, MonthlyNotice, Payment, household_balance, household_overdue

# The tables these panels read (estate/panels.py); the figures themselves are kept under the chain head.
VERSIONS = (Version.LEDGER,)


def panels(request):
    user = request.user
    result = []
    today = timezone.localdate()
    for household_id in sorted(user.household_ids):
        result.append(("ledger/_dashboard_household.html", cached.figure(
            request, "ledger.dashboard.household", lambda household_id=household_id: _household(household_id, today),
            key=(household_id, today, settings.LEDGER_BILL_DUE_DAY))))
    if user.is_committee:
        result.append(("ledger/_dashboard_committee.html", cached.figure(
            request, "ledger.dashboard.committee", lambda: _committee(user),
            key=(user.pk, settings.LEDGER_APPROVAL_THRESHOLD))))
    return result


def _household(household_id, today):
    # A household sees where its fees went: the latest notice posted on the board, one click away.
    return {"household_id": household_id, "balance": household_balance(household_id),
            "latest_notice": MonthlyNotice.objects.only("month").first(),
            "overdue": household_overdue(household_id, today), "due_day": settings.LEDGER_BILL_DUE_DAY}


def _committee(user):
    month = Charge.objects.order_by("-month").values_list("month", flat=True).first()
    return {
        "month": month,
        "collection": reports.collection(month) if month else None,
        "waiting": Expense.objects.filter(status=Expense.Status.PENDING).exclude(entered_by=user)
        .exclude(approvals__approver=user).count(),
        "handovers": Payment.objects.standing().filter(needs_handover=True, handover__isnull=True).count(),
        "threshold": settings.LEDGER_APPROVAL_THRESHOLD,
    }
