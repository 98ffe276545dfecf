
from committee import services
from decisions.models import Motion
from tests.access import COMMITTEE, EVERYONE, NOT_COMMITTEE, Access, AccessTestCase
from tests.committee.motions import decision_passed, motion_draft, motion_open


class CommitteeAccessTest(AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.appointment = services.appointment_propose(
            user=cls.outsider, kind="committee", term_ends=_in_a_year(),
            reason="首次选举前", by=cls.chair)
        cls.election = motion_draft(kind=Motion.Kind.ELECTION, by=cls.chair)
        cls.candidate = services.candidate_add(motion=cls.election, user=cls.outsider, kind="committee",
                                               term_ends=_in_a_year(), by=cls.chair)
        cls.published = motion_draft(kind=Motion.Kind.ELECTION, by=cls.chair)
        motion_open(cls.published)
        cls.elected = motion_draft(kind=Motion.Kind.ELECTION, by=cls.chair)
        services.candidate_add(motion=cls.elected, user=cls.member, kind="chair", term_ends=_in_a_year(),
                               by=cls.chair)
        decision_passed(kind=Motion.Kind.ELECTION, by=cls.chair, motion=cls.elected)

    rules = [
        Access("committee:election", ok=COMMITTEE, hidden=("head1", "volunteer", "resident", "resident_b"),
               forbidden=("outsider",), kwargs=lambda t: {"pk": t.election.pk}),
        Access("committee:election", ok=(*COMMITTEE, "head1", "volunteer", "resident", "resident_b"),
               forbidden=("outsider",), kwargs=lambda t: {"pk": t.published.pk}),
        Access("committee:candidate-add", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.election.pk}, data=lambda t: {"user": t.volunteer.pk}),
        Access("committee:candidate-remove", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.election.pk, "candidate_pk": t.candidate.pk}),
        Access("committee:election-install", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.elected.pk}),
        Access("committee:page", ok=EVERYONE, public=True),
        Access("committee:appointments", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("committee:appointment-propose", ok=("chair",), forbidden=(*NOT_COMMITTEE, "member", "treasurer"),
               method="post", data=lambda t: {"user": t.volunteer.pk, "kind": "committee", "term_ends": "",
                                              "reason": ""}),
        Access("committee:appointment-confirm", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.appointment.pk}),
        Access("committee:appointment-cancel", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.appointment.pk}),
    ]


def _in_a_year():
    from django.utils import timezone

    today = timezone.localdate()
    return today.replace(year=today.year + 1)
