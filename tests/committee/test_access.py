
from committee import services
from tests.access import COMMITTEE, EVERYONE, NOT_COMMITTEE, Access, AccessTestCase


class CommitteeAccessTest(AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.appointment = services.appointment_propose(
            user=cls.outsider, kind="committee", term_ends=_in_a_year(),
            reason="首次选举前", by=cls.chair)

    rules = [
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
