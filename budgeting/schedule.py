"""The budget the owners passed comes into the books at the first run of the schedule after its vote closes.

The committee may adopt it at once from the budget's page; this job makes sure a passed budget never waits for
someone to remember (docs/ARCHITECTURE.md, "Residents' voice"). A budget the job cannot adopt (a revision slipped
in after it was put to the vote) stays for the committee, whose page says why.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from budgeting import services
from budgeting.models import Plan
from decisions.models import Motion


def budgets_adopt(*, now):
    adopted = 0
    waiting = Plan.objects.filter(status=Plan.Status.PUBLISHED, puttings__motion__status=Motion.Status.CLOSED)
    for plan in waiting.distinct():
        if services.vote_state(services.latest_putting(plan)) != "passed":
            continue
        try:
            with transaction.atomic():
                services.plan_adopt(plan=plan, by=None)
        except ValidationError:
            continue
        adopted += 1
    return adopted


JOBS = [budgets_adopt]
