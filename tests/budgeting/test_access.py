from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from budgeting import services
from tests.access import COMMITTEE, NOT_COMMITTEE, Access, AccessTestCase
from tests.budgeting.base import Budgets

WITH_A_ROLE = (*COMMITTEE, "head1", "volunteer", "resident", "resident_b")
COMMENTERS = (*COMMITTEE, "resident", "resident_b")


class BudgetingAccessTest(Budgets, AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_draft()
        cls.draft = cls.plan
        # Another year's, published today for a week: comments are open while the rules run.
        cls.published = services.plan_create(year=2029, by=cls.chair)
        services.draft_save(plan=cls.published, intro="", lines=[(cls.cleaning, Decimal("100.00"), "")], by=cls.chair)
        cls.published = services.plan_publish(
            plan=cls.published, comments_end=timezone.localdate() + timedelta(days=7), by=cls.chair
        )
        cls.comment = services.comment_add(plan=cls.published, by=cls.resident, body="意见")

    rules = [
        Access("budgeting:plans", ok=WITH_A_ROLE, forbidden=("outsider",)),
        Access("budgeting:plan", ok=WITH_A_ROLE, forbidden=("outsider",), kwargs=lambda t: {"pk": t.published.pk}),
        # A draft is the committee's: for everyone else it is not there.
        Access(
            "budgeting:plan",
            ok=COMMITTEE,
            hidden=("head1", "volunteer", "resident", "resident_b"),
            forbidden=("outsider",),
            kwargs=lambda t: {"pk": t.draft.pk},
        ),
        Access("budgeting:plan-new", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("budgeting:edit", ok=COMMITTEE, forbidden=NOT_COMMITTEE, kwargs=lambda t: {"pk": t.draft.pk}),
        Access(
            "budgeting:publish",
            ok=COMMITTEE,
            forbidden=NOT_COMMITTEE,
            method="post",
            kwargs=lambda t: {"pk": t.draft.pk},
            data=lambda t: {"comments_end": (date.today() + timedelta(days=10)).isoformat()},
        ),
        Access(
            "budgeting:comment",
            ok=COMMENTERS,
            forbidden=("head1", "volunteer", "outsider"),
            method="post",
            kwargs=lambda t: {"pk": t.published.pk},
            data=lambda t: {"body": "同意"},
        ),
        Access(
            "budgeting:comment",
            ok=(),
            hidden=("head1", "volunteer", "resident", "resident_b"),
            forbidden=(*COMMITTEE, "outsider"),
            method="post",
            kwargs=lambda t: {"pk": t.draft.pk},
            data=lambda t: {"body": "同意"},
        ),
        Access("budgeting:revise", ok=COMMITTEE, forbidden=NOT_COMMITTEE, kwargs=lambda t: {"pk": t.published.pk}),
        Access("budgeting:put", ok=COMMITTEE, forbidden=NOT_COMMITTEE, kwargs=lambda t: {"pk": t.published.pk}),
        Access(
            "budgeting:adopt",
            ok=COMMITTEE,
            forbidden=NOT_COMMITTEE,
            method="post",
            kwargs=lambda t: {"pk": t.published.pk},
        ),
        Access(
            "budgeting:comment-hide",
            ok=COMMITTEE,
            forbidden=NOT_COMMITTEE,
            method="post",
            kwargs=lambda t: {"pk": t.comment.pk},
            data=lambda t: {"reason": "离题"},
        ),
    ]
