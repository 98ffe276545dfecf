from django.db import transaction
from django.utils import timezone

from estate.notices import notice_post, notice_save
from messaging.models import Message
from messaging.services import reach_set
from tests.keys.base import KeysTestCase


class NewNoticeTest(KeysTestCase):
    def test_those_who_asked_hear_of_a_posted_notice(self):
        with transaction.atomic():
            reach_set(user=self.resident, email=True, sms=True, notices=True)
            notice = notice_save(notice=None, title="停水通知", body="周六停水", notice_date=timezone.localdate(),
                                 signature="业委会", by=self.chair)
            notice_post(notice=notice, by=self.chair)
        (message,) = Message.objects.filter(topic="notice")
        self.assertEqual((message.recipient, message.subject), (self.resident, "新通知：停水通知"))
