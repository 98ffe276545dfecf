from repairs import services as repairs_services
from tests.access import COMMITTEE, NOT_COMMITTEE, Access, AccessTestCase
from tests.repairs.base import prepared_photo
from voice import services

WITH_A_ROLE = (*COMMITTEE, "head1", "volunteer", "resident", "resident_b")
RESIDENTS = ("resident", "resident_b")


class VoiceAccessTest(AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.proposal = services.proposal_create(by=cls.resident, title="加装充电棚", body="内容")
        cls.comment = services.comment_add(by=cls.resident_b, body="赞成", proposal=cls.proposal)
        cls.common = repairs_services.ticket_report(by=cls.resident, category="electrical", place="stairwell",
                                                    building=cls.building1, description="灯不亮")
        cls.flat = repairs_services.ticket_report(by=cls.resident, category="plumbing", place="flat",
                                                  household=cls.household_a, description="漏水")

    def setUp(self):
        super().setUp()
        # Each test has its own media folder (tests/conftest.py): the photo is stored here, not in setUpTestData.
        self.with_photo = services.proposal_create(by=self.resident, title="照片", body="内容",
                                                   photos=[prepared_photo()])
        self.photo = self.with_photo.photos.get()

    rules = [
        Access("voice:proposals", ok=WITH_A_ROLE, forbidden=("outsider",)),
        Access("voice:proposal", ok=WITH_A_ROLE, forbidden=("outsider",), kwargs=lambda t: {"pk": t.proposal.pk}),
        Access("voice:photo", ok=WITH_A_ROLE, forbidden=("outsider",),
               kwargs=lambda t: {"pk": t.with_photo.pk, "photo_pk": t.photo.pk}),
        Access("voice:proposal-new", ok=RESIDENTS, forbidden=(*COMMITTEE, "head1", "volunteer", "outsider")),
        Access("voice:proposal-support", ok=RESIDENTS, forbidden=(*COMMITTEE, "head1", "volunteer", "outsider"),
               method="post", kwargs=lambda t: {"pk": t.proposal.pk}),
        Access("voice:proposal-comment", ok=(*COMMITTEE, *RESIDENTS), forbidden=("head1", "volunteer", "outsider"),
               method="post", kwargs=lambda t: {"pk": t.proposal.pk}, data=lambda t: {"body": "同意"}),
        Access("voice:proposal-answer", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.proposal.pk}, data=lambda t: {"outcome": "decline", "answer": "不行"}),
        Access("voice:ticket-comment", ok=(*COMMITTEE, *RESIDENTS), forbidden=("head1", "volunteer", "outsider"),
               method="post", kwargs=lambda t: {"pk": t.common.pk}, data=lambda t: {"body": "同意"}),
        # Another household's flat: not there (404); its own household: private, no public comments (403).
        Access("voice:ticket-comment", ok=(), hidden=("resident_b", "volunteer"),
               forbidden=(*COMMITTEE, "head1", "resident", "outsider"), method="post",
               kwargs=lambda t: {"pk": t.flat.pk}, data=lambda t: {"body": "同意"}),
        Access("voice:comment-hide", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.comment.pk}, data=lambda t: {"reason": "离题"}),
    ]
