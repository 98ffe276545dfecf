from django.utils import translation

from tests.repairs.base import RepairsTestCase
from voice import services
from voice.models import Proposal


class VoiceTestCase(RepairsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.proposal = services.proposal_create(by=cls.resident, title="在2栋旁加装电动车充电棚",
                                                body="晚上在楼道充电太危险。")

    def setUp(self):
        super().setUp()
        # Services' messages read in the Chinese people see, like the pages.
        self.enterContext(translation.override("zh-hans"))

    def refreshed(self):
        return Proposal.objects.get(pk=self.proposal.pk)
