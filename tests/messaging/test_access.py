from django.db import transaction

from messaging.models import Topic
from messaging.services import message_send
from tests.access import COMMITTEE, Access, AccessTestCase

NOT_COMMITTEE = ("head1", "volunteer", "resident", "resident_b", "outsider")
EVERYONE = (*COMMITTEE, *NOT_COMMITTEE)


class MessagingAccessTest(AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with transaction.atomic():
            cls.message = message_send(to=[cls.resident], topic=Topic.NOTICE, subject="停水通知", body="周三停水")[0]

    rules = [
        Access("messaging:inbox", ok=EVERYONE),
        Access("messaging:message", ok=("resident",), hidden=(*COMMITTEE, "head1", "volunteer", "resident_b",
                                                                "outsider"), kwargs=lambda t: {"pk": t.message.pk}),
        Access("messaging:read-all", method="post", ok=EVERYONE),
        Access("messaging:reach", method="post", ok=EVERYONE, data=lambda t: {"email": "on"}),
        Access("messaging:log", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("messaging:phone-tree", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
    ]
