"""A ticket's timeline and its photos are its record: not even a raw SQL console changes them.

The suite runs on PostgreSQL and on SQLite, so each run proves the triggers of the database it is on.
"""

from django.db import DatabaseError, connection, transaction

from repairs.models import Photo, TicketEvent
from tests.repairs.base import RepairsTestCase, prepared_photo


class AppendOnlyTest(RepairsTestCase):
    def assertRefused(self, sql, params):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, params)

    def test_the_timeline_cannot_be_updated_or_deleted_with_raw_sql(self):
        event = self.common_ticket().events.get()
        self.assertRefused("UPDATE repairs_ticketevent SET comment = %s WHERE id = %s", ["改过", event.pk])
        self.assertRefused("DELETE FROM repairs_ticketevent WHERE id = %s", [event.pk])
        self.assertEqual(TicketEvent.objects.get(pk=event.pk).comment, "")

    def test_a_photo_cannot_be_swapped_or_removed_with_raw_sql(self):
        # The photos of the problem and of the finished work are what the reporter and the committee
        # judged the repair by; a photo row pointing at another file would change that record.
        first = self.common_ticket(photos=[prepared_photo()]).photos.get()
        other = self.common_ticket(photos=[prepared_photo(color=(0, 0, 200))]).photos.get()
        self.assertRefused("UPDATE repairs_photo SET file = %s WHERE id = %s", [other.file, first.pk])
        self.assertRefused("DELETE FROM repairs_photo WHERE id = %s", [first.pk])
        self.assertNotEqual(Photo.objects.get(pk=first.pk).file, other.file)
