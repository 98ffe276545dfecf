from datetime import date

from care.models import Alert
from tests.access import COMMITTEE, Access, AccessTestCase
from tests.care.base import CareTestCase

EVERYONE = ("chair", "member", "treasurer", "head1", "volunteer", "resident", "resident_b", "outsider")
# Who sees 周阿姨's agreement: the committee, her building head, her buddy (volunteer) and herself.
SEES = (*COMMITTEE, "head1", "volunteer", "resident")
HIDDEN = ("resident_b", "outsider")


def agreement(t):
    return {"pk": t.agreement.pk}


def alert(t):
    return {"pk": t.alert.pk}


class CareAccessTest(CareTestCase, AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.alert = Alert.objects.create(agreement=cls.agreement, day=date(2036, 6, 3))

    rules = [
        Access("care:today", ok=EVERYONE),
        Access("care:agreements", ok=EVERYONE),
        Access("care:agreement-new", ok=COMMITTEE, forbidden=("head1", "volunteer", "resident", *HIDDEN)),
        Access("care:agreement", ok=SEES, hidden=HIDDEN, kwargs=agreement),
        Access("care:agreement-edit", ok=COMMITTEE, forbidden=("head1", "volunteer", "resident", *HIDDEN),
               kwargs=agreement),
        Access("care:agreement-pause", method="post", ok=(*COMMITTEE, "resident"), forbidden=("head1", "volunteer"),
               hidden=HIDDEN, kwargs=agreement, data=lambda t: {"reason": "出门旅行"}),
        Access("care:agreement-resume", method="post", ok=(*COMMITTEE, "resident"), forbidden=("head1", "volunteer"),
               hidden=HIDDEN, kwargs=agreement),
        Access("care:agreement-end", method="post", ok=(*COMMITTEE, "resident"), forbidden=("head1", "volunteer"),
               hidden=HIDDEN, kwargs=agreement, data=lambda t: {"reason": "本人撤回同意"}),
        Access("care:check", method="post", ok=("volunteer", "resident"),
               forbidden=(*COMMITTEE, "head1", *HIDDEN), kwargs=agreement),
        Access("care:alert", ok=SEES, hidden=HIDDEN, kwargs=alert),
        Access("care:alert-resolve", method="post", ok=SEES, hidden=HIDDEN, kwargs=alert,
               data=lambda t: {"outcome": "well"}),
        Access("care:alert-key", ok=(*COMMITTEE, "volunteer"), forbidden=("head1", "resident"), hidden=HIDDEN,
               kwargs=alert),
        Access("care:visits", ok=(*COMMITTEE, "volunteer", "resident", "resident_b"), forbidden=("head1", "outsider")),
    ]
