"""The ledger's panels on the dashboard: a list of (template, context) pairs."""

from django.conf import settings
from django.utils import timezone

from ledger import reports
from ledger.models import Charge, Expense, MonthlyNotice, Payment, household_balance, household_overdue


def panels(request):
    user = request.user
    result = []
    # A household sees where its fees went: the latest notice posted on the board, one click away.
    latest_notice = MonthlyNotice.objects.only("month").first() if user.household_ids else None
    for household_id in sorted(user.household_ids):
        result.append(("ledger/_dashboard_household.html", {
            "household_id": household_id, "balance": household_balance(household_id), "latest_notice": latest_notice,
            "overdue": household_overdue(household_id, timezone.localdate()), "due_day": settings.LEDGER_BILL_DUE_DAY,
        }))
    if user.is_committee:
        month = Charge.objects.order_by("-month").values_list("month", flat=True).first()
        result.append(("ledger/_dashboard_committee.html", {
            "month": month,
            "collection": reports.collection(month) if month else None,
            "waiting": Expense.objects.filter(status=Expense.Status.PENDING).exclude(entered_by=user)
            .exclude(approvals__approver=user).count(),
            "handovers": Payment.objects.standing().filter(needs_handover=True, handover__isnull=True).count(),
            "threshold": settings.LEDGER_APPROVAL_THRESHOLD,
        }))
    return result
