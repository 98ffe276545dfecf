"""A small key cabinet on top of the shared personas.

`volunteer` (赵师傅) is an appointed key keeper; `volunteer2` (孙阿姨) is a volunteer who may
witness but keeps no keys. Household 1-1-301 (where `resident` lives) has key ring K-017 on
hook 3, with consent to emergency entry and watering plants; 2-1-101 (`resident_b`) has K-018.
"""

from django.utils import timezone

from accounts.models import Role
from keys import services
from keys.models import KeyDeposit, KeyKeeper, Purpose
from tests.base import BaseTestCase, make_user

CONSENT = {"emergency": True, "plants": True, "airing": False, "repair": False, "weekdays": [],
           "period_start": None, "period_end": None, "notify": "女儿 139****5678"}


class Cabinet:
    @classmethod
    def create_cabinet(cls):
        cls.volunteer2 = make_user("volunteer2", (Role.Kind.VOLUNTEER, None), name="孙阿姨")
        KeyKeeper.objects.create(user=cls.volunteer, appointed_by=cls.chair)
        cls.deposit = cls.make_deposit(cls.household_a, cls.resident_record, tag_number=17, hook=3)
        cls.deposit_b = cls.make_deposit(cls.household_b, cls.resident_b_record, tag_number=18, hook=4)

    @classmethod
    def make_deposit(cls, household, depositor, *, tag_number, hook, **consent):
        from django.db import transaction

        with transaction.atomic():
            return services.deposit_create(
                household=household, depositor=depositor, tag_number=tag_number, hook=hook, door_keys=1,
                mailbox_keys=1, consent={**CONSENT, **consent}, by=cls.volunteer,
            )

    def fresh(self, deposit=None):
        return KeyDeposit.objects.get(pk=(deposit or self.deposit).pk)

    def start(self, *, deposit=None, keeper=None, witness=None, purpose=Purpose.PLANTS, reason=""):
        return services.handover_start(deposit=deposit or self.deposit, witness=witness or self.volunteer2,
                                       purpose=purpose, emergency_reason=reason, by=keeper or self.volunteer)

    def take_out(self, **kwargs):
        handover = self.start(**kwargs)
        services.handover_confirm_out(handover=handover, by=handover.witness)
        return self.reload(handover)

    def bring_back(self, handover, note="浇了花"):
        services.handover_confirm_back(handover=handover, by=handover.keeper, note=note)
        services.handover_confirm_back(handover=handover, by=handover.witness)
        return self.reload(handover)

    @staticmethod
    def reload(handover):
        return type(handover).objects.get(pk=handover.pk)

    @staticmethod
    def now():
        return timezone.now()


class KeysTestCase(Cabinet, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_cabinet()
