"""One check-in agreement on top of the key cabinet.

周阿姨 (`resident`, 1-1-301) has agreed that her curtains are open by 09:00 every day. Her buddy is
`volunteer` (赵师傅, also a key keeper), her backup `neighbour` (钱阿姨); `head1` heads her building;
her daughter 周小梅 is the family contact. Emergency key opening is allowed: K-017 is in the cabinet
with consent to emergency entry.
"""

from datetime import datetime, time

from django.utils import timezone

from accounts.models import Role
from care import services
from care.models import Agreement
from tests.base import make_user
from tests.keys.base import KeysTestCase


def local(*args):
    return timezone.make_aware(datetime(*args))  # Asia/Shanghai


class CareTestCase(KeysTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.neighbour = make_user("neighbour", (Role.Kind.VOLUNTEER, None), name="钱阿姨")
        cls.agreement = cls.make_agreement()

    @classmethod
    def make_agreement(cls, **fields):
        from django.db import transaction

        values = {
            "household": cls.household_a, "person": cls.resident_record, "sign": Agreement.Sign.CURTAINS,
            "deadline": time(9, 0), "weekdays": [], "buddy": cls.volunteer, "backup": cls.neighbour,
            "family_name": "周小梅", "family_phone": "13900001111", "key_opening": True,
            "consent_by": Agreement.ConsentBy.PERSON, "consent_name": "周阿姨", **fields,
        }
        with transaction.atomic():
            return services.agreement_create(by=cls.chair, **values)

    def fresh_agreement(self):
        return Agreement.objects.get(pk=self.agreement.pk)
