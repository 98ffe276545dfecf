from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from decisions import services
from decisions.models import Motion, MotionAttachment
from tests.access import COMMITTEE, EVERYONE, NOT_COMMITTEE, Access, AccessTestCase
from tests.decisions.base import Votes, scan

WITH_A_ROLE = ("chair", "member", "treasurer", "head1", "volunteer", "resident", "resident_b")
NOT_OWNERS = ("chair", "member", "treasurer", "head1", "volunteer", "outsider")


def motion(t):
    return {"pk": t.motion.pk}


def draft(t):
    return {"pk": t.draft_motion.pk}


def committee_only(url_name, **kwargs):
    return Access(url_name, ok=COMMITTEE, forbidden=NOT_COMMITTEE, **kwargs)


class DecisionsAccessTest(Votes, AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_vote()
        services.motion_open(motion=cls.motion, by=cls.chair)
        cls.ballot = services.ballot_cast(motion=cls.motion, household=cls.household_a, choice="yes",
                                          by=cls.resident)
        cls.paper_ballot = services.ballot_enter_paper(motion=cls.motion, household=cls.household_a2, choice="no",
                                                       voter_name="纸质业主", scan=scan(), by=cls.member)
        cls.fresh_motion = cls.draft(title="尚未投票的议题", kind=Motion.Kind.BUDGET)
        services.motion_open(motion=cls.fresh_motion, by=cls.chair)
        cls.draft_motion = cls.draft(title="草稿议题", kind=Motion.Kind.RULES)
        cls.attachment = MotionAttachment.objects.create(motion=cls.motion, name="decisions/attachments/quote.pdf",
                                                         content_type="application/pdf", uploaded_by=cls.chair)
        cls.draft_attachment = MotionAttachment.objects.create(
            motion=cls.draft_motion, name="decisions/attachments/draft.pdf", content_type="application/pdf",
            uploaded_by=cls.chair)
        closed = cls.draft(title="已结束的议题", kind=Motion.Kind.OTHER)
        services.motion_open(motion=closed, by=cls.chair)
        services.ballot_cast(motion=closed, household=cls.household_a, choice="yes", by=cls.resident)
        services.ballot_cast(motion=closed, household=cls.household_b, choice="no", by=cls.resident_b)
        Motion.objects.filter(pk=closed.pk).update(voting_ends=cls.now)
        tally = services.motion_close(motion=Motion.objects.get(pk=closed.pk), by=cls.chair)
        cls.closed = tally.motion
        with default_storage.open(tally.pdf, "rb") as stored:
            cls.tally_bytes = stored.read()
        # For another assembly: the building head does not become a voter here.
        other = services.assembly_save(title="另一次大会", form="meeting", by=cls.chair)
        cls.proxy = services.proxy_record(household=cls.household_b, grantor_name="吴先生", holder=cls.head1,
                                          holder_name="刘楼长", assembly=other, scan=scan(), by=cls.chair)
        cls.owner = services.owner_save(name="钱先生", households=[cls.household_a, cls.household_a2], by=cls.chair)

    def setUp(self):
        for name in (self.attachment.name, self.draft_attachment.name, self.paper_ballot.scan, self.proxy.scan):
            default_storage.save(name, ContentFile(b"%PDF-1.4 access test"))
        default_storage.save(self.closed.tally.pdf, ContentFile(self.tally_bytes))

    rules = [
        Access("decisions:index", ok=WITH_A_ROLE, forbidden=("outsider",)),
        Access("decisions:motion", ok=WITH_A_ROLE, forbidden=("outsider",), kwargs=motion),
        Access("decisions:motion", ok=COMMITTEE, hidden=("head1", "volunteer", "resident", "resident_b"),
               forbidden=("outsider",), kwargs=draft),
        Access("decisions:vote", ok=("resident", "resident_b"), forbidden=NOT_OWNERS,
               kwargs=lambda t: {"pk": t.fresh_motion.pk}),
        Access("decisions:tally", ok=WITH_A_ROLE, forbidden=("outsider",), kwargs=lambda t: {"pk": t.closed.pk}),
        Access("decisions:tally-pdf", ok=WITH_A_ROLE, forbidden=("outsider",),
               kwargs=lambda t: {"pk": t.closed.pk}),
        Access("decisions:attachment", ok=WITH_A_ROLE, forbidden=("outsider",),
               kwargs=lambda t: {"pk": t.attachment.pk}),
        Access("decisions:attachment", ok=COMMITTEE, hidden=("head1", "volunteer", "resident", "resident_b"),
               forbidden=("outsider",), kwargs=lambda t: {"pk": t.draft_attachment.pk}),
        Access("decisions:receipt", ok=("resident",), hidden=(*COMMITTEE, "head1", "volunteer", "resident_b"),
               forbidden=("outsider",), kwargs=lambda t: {"pk": t.ballot.pk}),
        Access("decisions:ballot-change", ok=("resident",), hidden=(*COMMITTEE, "head1", "volunteer", "resident_b"),
               forbidden=("outsider",), kwargs=lambda t: {"pk": t.ballot.pk}),
        Access("decisions:ballot-change", ok=("resident",), hidden=(*COMMITTEE, "head1", "volunteer", "resident_b"),
               forbidden=("outsider",), method="post", kwargs=lambda t: {"pk": t.ballot.pk},
               data=lambda t: {"choice": "no", "reason": "看错了", "confirmed": "yes"}),
        Access("tally-verify", ok=EVERYONE, public=True, kwargs=lambda t: {"code": t.closed.tally.code}),
        committee_only("decisions:assembly-new"),
        committee_only("decisions:assembly", kwargs=lambda t: {"pk": t.assembly.pk}),
        committee_only("decisions:assembly-edit", kwargs=lambda t: {"pk": t.assembly.pk}),
        committee_only("decisions:motion-new", kwargs=lambda t: {"pk": t.assembly.pk}),
        committee_only("decisions:motion-edit", kwargs=draft),
        committee_only("decisions:motion-attach", kwargs=draft, method="post"),
        committee_only("decisions:attachment-remove", kwargs=lambda t: {"pk": t.draft_attachment.pk}, method="post"),
        committee_only("decisions:motion-open", kwargs=draft, method="post"),
        committee_only("decisions:motion-close", kwargs=motion, method="post"),
        committee_only("decisions:motion-discard", kwargs=draft, method="post"),
        committee_only("decisions:ballots", kwargs=motion),
        committee_only("decisions:paper-new", kwargs=motion),
        committee_only("decisions:ballot-confirm", kwargs=lambda t: {"pk": t.paper_ballot.pk}),
        committee_only("decisions:ballot-correct", kwargs=lambda t: {"pk": t.paper_ballot.pk}),
        committee_only("decisions:ballot-scan", kwargs=lambda t: {"pk": t.paper_ballot.pk}),
        committee_only("decisions:owners"),
        committee_only("decisions:owner-new"),
        committee_only("decisions:owner-edit", kwargs=lambda t: {"pk": t.owner.pk}),
        committee_only("decisions:owner-unmark", kwargs=lambda t: {"pk": t.owner.pk}, method="post"),
        committee_only("decisions:proxies"),
        committee_only("decisions:proxy-new"),
        committee_only("decisions:proxy-scan", kwargs=lambda t: {"pk": t.proxy.pk}),
        committee_only("decisions:proxy-revoke", kwargs=lambda t: {"pk": t.proxy.pk}, method="post",
                       data=lambda t: {"reason": "业主收回"}),
    ]
