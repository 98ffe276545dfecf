"""What residents and owners relied on cannot be altered, not even from a raw SQL console (on the suite's database)."""

import unittest
from datetime import date
from decimal import Decimal

from django.db import DatabaseError, connection, transaction

from budgeting import services
from budgeting.models import Comment, CommentHiding, Plan, Putting, Revision, RevisionLine
from tests.budgeting.base import BudgetTestCase, travel

POSTGRESQL = connection.vendor == "postgresql"


class AppendOnlyTest(BudgetTestCase):
    def setUp(self):
        self.publish()
        self.comment_row = self.comment(self.resident, "维修不够", account=self.repairs)
        with travel(date(2027, 3, 3)):
            services.comment_hide(comment=self.comment_row, reason="离题", by=self.chair)
        self.revise([(self.repairs, Decimal("4000.00"), "")])

    def assertRefused(self, sql, params=()):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic(), connection.cursor() as c:
            if sql.startswith("TRUNCATE"):
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute(sql, params)

    def test_comments_and_their_hidings_cannot_be_changed_or_deleted(self):
        self.assertRefused("UPDATE budgeting_comment SET body = 'x' WHERE id = %s", [self.comment_row.pk])
        self.assertRefused("DELETE FROM budgeting_comment WHERE id = %s", [self.comment_row.pk])
        self.assertRefused("UPDATE budgeting_commenthiding SET reason = 'x'")
        self.assertRefused("DELETE FROM budgeting_commenthiding")
        self.assertEqual(Comment.objects.get().body, "维修不够")
        self.assertEqual(CommentHiding.objects.get().reason, "离题")

    def test_revisions_and_their_lines_cannot_be_changed_or_deleted(self):
        self.assertRefused("UPDATE budgeting_revision SET note = 'x' WHERE plan_id = %s", [self.plan.pk])
        self.assertRefused("DELETE FROM budgeting_revision WHERE number = 1")
        self.assertRefused("UPDATE budgeting_revisionline SET amount = 1")
        self.assertRefused("DELETE FROM budgeting_revisionline")
        self.assertEqual(Revision.objects.count(), 2)
        self.assertEqual(RevisionLine.objects.get(revision__number=2).amount, Decimal("4000.00"))

    def test_the_putting_to_the_vote_and_an_adopted_plan_stay_as_they_are(self):
        putting = self.put_to_vote()
        self.vote(putting, "yes")
        services.plan_adopt(plan=self.plan, by=self.chair)
        self.assertRefused("UPDATE budgeting_putting SET text_sha256 = 'x'")
        self.assertRefused("DELETE FROM budgeting_putting")
        self.assertRefused("UPDATE budgeting_plan SET status = 'published' WHERE id = %s", [self.plan.pk])
        self.assertEqual(Putting.objects.count(), 1)
        self.assertEqual(Plan.objects.get().status, Plan.Status.ADOPTED)

    @unittest.skipUnless(POSTGRESQL, "TRUNCATE is PostgreSQL's; SQLite's DELETE FROM meets the row triggers")
    def test_comments_cannot_be_truncated(self):
        self.assertRefused("TRUNCATE budgeting_comment CASCADE")
        self.assertEqual(Comment.objects.count(), 1)
