from datetime import date

from estate.models import Notice
from tests.access import COMMITTEE, NOT_COMMITTEE, Access, AccessTestCase

ROLE_HOLDERS = ("chair", "member", "treasurer", "head1", "volunteer", "resident", "resident_b")
READERS_WITHOUT_COMMITTEE = ("head1", "volunteer", "resident", "resident_b")


class NoticeAccessTest(AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        common = {"body": "本周六停水。", "notice_date": date(2026, 11, 20), "signature": "业委会",
                  "created_by": cls.chair}
        cls.posted = Notice.objects.create(title="停水通知", status=Notice.Status.POSTED, **common)
        cls.draft = Notice.objects.create(title="草稿", **common)

    draft_pk = staticmethod(lambda t: {"pk": t.draft.pk})
    rules = [
        Access("estate:notice-list", ok=ROLE_HOLDERS, forbidden=("outsider",)),
        Access("estate:notice-detail", ok=ROLE_HOLDERS, forbidden=("outsider",), kwargs=lambda t: {"pk": t.posted.pk}),
        Access("estate:notice-pdf", ok=ROLE_HOLDERS, forbidden=("outsider",), kwargs=lambda t: {"pk": t.posted.pk}),
        # A draft is the committee's business: to anyone else it does not exist.
        Access("estate:notice-detail", ok=COMMITTEE, hidden=READERS_WITHOUT_COMMITTEE, forbidden=("outsider",),
               kwargs=lambda t: {"pk": t.draft.pk}),
        Access("estate:notice-new", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("estate:notice-edit", ok=COMMITTEE, forbidden=NOT_COMMITTEE, kwargs=lambda t: {"pk": t.draft.pk}),
        Access("estate:notice-post", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.draft.pk}),
        Access("estate:notice-discard", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.draft.pk}),
    ]
