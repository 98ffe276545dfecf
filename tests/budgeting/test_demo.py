from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from budgeting.models import Comment, Plan


class DemoBudgetTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_next_years_draft_is_open_for_comments_with_a_revision_answering_them(self):
        plan = Plan.objects.get()
        self.assertEqual(plan.year, timezone.localdate().year + 1)
        self.assertTrue(plan.comments_open())
        revisions = list(plan.revisions.order_by("number"))
        self.assertEqual([r.number for r in revisions], [1, 2])
        self.assertIn("采纳意见", revisions[1].note)
        self.assertGreaterEqual(Comment.objects.filter(plan=plan, household__isnull=False).count(), 3)
        self.assertTrue(Comment.objects.filter(plan=plan, account__isnull=True).exists())
