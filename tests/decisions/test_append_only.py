"""The record of a vote cannot be altered, not even from a raw SQL console (on the database the suite runs on)."""

import threading
import unittest

from django.db import DatabaseError, connection, connections, transaction
from django.test import TransactionTestCase

from decisions import services
from decisions.models import Ballot, Decision, Motion, RollEntry, Tally
from tests.base import Personas
from tests.decisions.base import Votes, VotesTestCase

POSTGRESQL = connection.vendor == "postgresql"


class AppendOnlyTest(VotesTestCase):
    def setUp(self):
        self.open_motion()
        self.ballot = self.cast(self.resident, self.household_a, "yes")

    def assertRefused(self, sql, params=()):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic(), connection.cursor() as c:
            if sql.startswith("TRUNCATE"):
                # The test's own rows still have deferred foreign-key checks pending, which PostgreSQL would
                # name instead of the trigger; a console session has none.
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute(sql, params)

    def test_a_ballot_cannot_be_updated_or_deleted_with_raw_sql(self):
        self.assertRefused("UPDATE decisions_ballot SET choice = 'no' WHERE id = %s", [self.ballot.pk])
        self.assertRefused("DELETE FROM decisions_ballot WHERE id = %s", [self.ballot.pk])
        self.assertEqual(Ballot.objects.get().choice, "yes")

    @unittest.skipUnless(POSTGRESQL, "TRUNCATE is PostgreSQL's; SQLite's DELETE FROM meets the row triggers")
    def test_ballots_cannot_be_truncated(self):
        self.assertRefused("TRUNCATE decisions_ballot CASCADE")
        self.assertEqual(Ballot.objects.count(), 1)

    def test_the_roll_the_tally_and_the_decision_are_append_only_too(self):
        self.cast(self.resident_b, self.household_b, "yes")
        tally = self.close()
        decision = Decision.objects.get()
        self.assertRefused("UPDATE decisions_rollentry SET area = 1 WHERE motion_id = %s", [self.motion.pk])
        self.assertRefused("UPDATE decisions_tally SET passed = %s WHERE id = %s", [False, tally.pk])
        self.assertRefused("DELETE FROM decisions_tally WHERE id = %s", [tally.pk])
        self.assertRefused("UPDATE decisions_decision SET sequence = 9 WHERE id = %s", [decision.pk])
        self.assertRefused("UPDATE decisions_motion SET title = 'x' WHERE id = %s", [self.motion.pk])
        self.assertTrue(Tally.objects.get().passed)
        self.assertEqual(RollEntry.objects.filter(motion=self.motion).count(), 3)

    @unittest.skipUnless(POSTGRESQL, "TRUNCATE is PostgreSQL's")
    def test_no_record_of_a_vote_can_be_truncated(self):
        for table in ("decisions_rollentry", "decisions_ballotconfirmation", "decisions_tally", "decisions_decision"):
            with self.subTest(table=table):
                self.assertRefused(f"TRUNCATE {table} CASCADE")

    def test_the_orm_is_refused_as_well(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            Ballot.objects.filter(pk=self.ballot.pk).update(choice="abstain")
        with self.assertRaises(DatabaseError), transaction.atomic():
            Ballot.objects.filter(pk=self.ballot.pk).delete()


@unittest.skipUnless(POSTGRESQL, "needs concurrent transactions; SQLite serialises every write")
class ConcurrentBallotTest(Votes, Personas, TransactionTestCase):
    """A double tap, or the same ballot sent from two phones at the same moment, leaves one ballot."""

    def setUp(self):
        self.create_personas()
        self.create_vote()
        services.motion_open(motion=self.motion, by=self.chair)

    def test_two_submissions_at_once_record_one_ballot(self):
        barrier = threading.Barrier(2)
        outcomes = []

        def submit(choice):
            try:
                barrier.wait()
                services.ballot_cast(motion=Motion.objects.get(pk=self.motion.pk), household=self.household_a,
                                     choice=choice, by=self.resident)
                outcomes.append("cast")
            except Exception as error:  # noqa: BLE001 - the refusal is the point
                outcomes.append(getattr(error, "code", repr(error)))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit, args=(choice,)) for choice in ("yes", "no")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(outcomes), ["already_voted", "cast"])
        self.assertEqual(Ballot.objects.filter(motion=self.motion, household=self.household_a).count(), 1)
