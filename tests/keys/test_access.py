from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from keys.models import InventoryCheck, KeyHandover, KeyHandoverEvent, KeyKeeper
from tests.access import COMMITTEE, Access, AccessTestCase
from tests.keys.base import Cabinet

KEEPERS = (*COMMITTEE, "volunteer")  # the committee and the appointed key keeper on duty
NOT_KEEPERS = ("head1", "resident", "resident_b", "outsider")
HOUSEHOLD_A = (*KEEPERS, "resident")  # ... and the household of 1-1-301
NO_KEY_ROLE = ("head1", "outsider")
PHOTO = "keys/access-test.jpg"


def deposit(t):
    return {"pk": t.deposit.pk}


def handover(t):
    return {"pk": t.handover.pk}


class KeysAccessTest(Cabinet, AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_cabinet()
        cls.handover = KeyHandover.objects.create(
            deposit=cls.deposit, purpose="plants", consent=cls.deposit.consents.get(), within_consent=True,
            keeper=cls.volunteer, witness=cls.member,
        )
        for by in (cls.volunteer, cls.member):
            KeyHandoverEvent.objects.create(handover=cls.handover, kind="out", by=by)
        cls.photo_event = KeyHandoverEvent.objects.create(handover=cls.handover, kind="back", by=cls.volunteer,
                                                          note="浇了花", photo=PHOTO)
        cls.check = InventoryCheck.objects.create(by=cls.volunteer)
        cls.term = KeyKeeper.objects.get(user=cls.volunteer)

    def setUp(self):
        default_storage.save(PHOTO, ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"))

    rules = [
        Access("keys:index", ok=KEEPERS, forbidden=NOT_KEEPERS),
        Access("keys:mine", ok=("resident", "resident_b"), forbidden=(*KEEPERS, *NO_KEY_ROLE)),
        Access("keys:household", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE,
               kwargs=lambda t: {"pk": t.household_a.pk}),
        Access("keys:register", ok=KEEPERS, forbidden=NOT_KEEPERS),
        Access("keys:register-pdf", ok=KEEPERS, forbidden=NOT_KEEPERS),
        Access("keys:deposit-new", ok=KEEPERS, forbidden=NOT_KEEPERS),
        Access("keys:deposit", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE, kwargs=deposit),
        Access("keys:agreement-pdf", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE, kwargs=deposit),
        Access("keys:consent-change", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE, kwargs=deposit),
        Access("keys:handover-new", ok=KEEPERS, forbidden=NOT_KEEPERS, kwargs=deposit),
        Access("keys:deposit-hand-back", ok=KEEPERS, forbidden=NOT_KEEPERS, kwargs=deposit),
        Access("keys:deposit-return-confirm", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE,
               kwargs=deposit, method="post"),
        Access("keys:deposit-lost", ok=KEEPERS, forbidden=NOT_KEEPERS, kwargs=deposit),
        Access("keys:handover", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE, kwargs=handover),
        Access("keys:handover-confirm", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE,
               kwargs=handover, method="post"),
        Access("keys:handover-back", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE,
               kwargs=handover, method="post", data=lambda t: {"note": "好了"}),
        Access("keys:handover-cancel", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE,
               kwargs=handover, method="post"),
        Access("keys:photo", ok=HOUSEHOLD_A, hidden=("resident_b",), forbidden=NO_KEY_ROLE,
               kwargs=lambda t: {"pk": t.photo_event.pk}),
        Access("keys:inventory-new", ok=KEEPERS, forbidden=NOT_KEEPERS),
        Access("keys:inventory", ok=KEEPERS, forbidden=NOT_KEEPERS, kwargs=lambda t: {"pk": t.check.pk}),
        Access("keys:keepers", ok=COMMITTEE, forbidden=(*NOT_KEEPERS, "volunteer")),
        Access("keys:keeper-appoint", ok=COMMITTEE, forbidden=(*NOT_KEEPERS, "volunteer"), method="post",
               data=lambda t: {"user": t.volunteer2.pk}),
        Access("keys:keeper-end", ok=COMMITTEE, forbidden=(*NOT_KEEPERS, "volunteer"), method="post",
               kwargs=lambda t: {"pk": t.term.pk}),
    ]
