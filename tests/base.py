"""Named people of a small test estate, shared by every test.

Building 1 has households 1-1-301 (101.50 m², where `resident` lives) and
1-1-302; building 2 has 2-1-101 (where `resident_b` lives). `head1` heads
building 1. `outsider` can log in but holds no role.
"""

from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_save
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from accounts import audit
from accounts.models import Role, User
from estate.models import Building, Household, Resident


def make_user(username, *roles, name="", mfa=False):
    user = User.objects.create_user(username=username, password="correct horse battery", name=name or username)
    for kind, scope in roles:
        Role.objects.create(
            user=user,
            kind=kind,
            building=scope if kind == Role.Kind.BUILDING_HEAD else None,
            household=scope if kind == Role.Kind.RESIDENT else None,
        )
    if mfa:
        # The persona arrives with two-factor login set up long ago: its activity record (accounts.audit)
        # is no part of what the tests count.
        post_save.disconnect(sender=Authenticator, dispatch_uid=audit.ADDED)
        try:
            TOTP.activate(user, generate_totp_secret())
        finally:
            post_save.connect(audit.authenticator_added, sender=Authenticator, dispatch_uid=audit.ADDED)
    return user


class Personas:
    @classmethod
    def create_personas(cls):
        cls.building1 = Building.objects.create(code="1", name="1栋")
        cls.building2 = Building.objects.create(code="2", name="2栋")
        cls.household_a = Household.objects.create(
            building=cls.building1, entrance="1", floor=3, room="301", area=Decimal("101.50")
        )
        cls.household_a2 = Household.objects.create(
            building=cls.building1, entrance="1", floor=3, room="302", area=Decimal("74.00")
        )
        cls.household_b = Household.objects.create(
            building=cls.building2, entrance="1", floor=1, room="101", area=Decimal("86.00")
        )
        K = Role.Kind
        cls.chair = make_user("chair", (K.CHAIR, None), name="王主任", mfa=True)
        cls.member = make_user("member", (K.COMMITTEE, None), name="李委员", mfa=True)
        cls.treasurer = make_user("treasurer", (K.TREASURER, None), name="张会计", mfa=True)
        cls.head1 = make_user("head1", (K.BUILDING_HEAD, cls.building1), name="刘楼长", mfa=True)
        cls.volunteer = make_user("volunteer", (K.VOLUNTEER, None), name="赵师傅")
        cls.resident = make_user("resident", (K.RESIDENT, cls.household_a), name="周阿姨")
        cls.resident_b = make_user("resident_b", (K.RESIDENT, cls.household_b), name="吴先生")
        cls.outsider = make_user("outsider", name="路人")
        cls.resident_record = Resident.objects.create(
            household=cls.household_a, name="周阿姨", phone="13812341234", user=cls.resident
        )
        cls.resident_b_record = Resident.objects.create(
            household=cls.household_b, name="吴先生", phone="13998765432", user=cls.resident_b
        )

    PERSONAS = ("chair", "member", "treasurer", "head1", "volunteer", "resident", "resident_b", "outsider")


class BaseTestCase(Personas, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_personas()

    def setUp(self):
        super().setUp()
        # Every test of a class starts from the same rows, so from the same register token: a list an earlier
        # test kept under it would answer without the context tests read (estate/cached.py).
        caches["lists"].clear()
        caches["panels"].clear()  # the same for the dashboard's panels (estate/panels.py)

    def login(self, user):
        self.client.force_login(user)

    def kept_page_without(self, url, table):
        """A page kept whole (estate.panels.kept_page), asked for again: its text, after checking that it cost the
        session, the person with their unread count and roles, and the state, and read no row of `table`."""
        with CaptureQueriesContext(connection) as queries:
            page = self.client.get(url).content.decode()
        self.assertEqual(len(queries), 3)
        self.assertNotIn(table, " ".join(query["sql"] for query in queries))
        return page

    def assert_kept_per_viewer(self, url, first, second):
        """A page kept as HTML per viewer (estate.panels): once kept for `first`, `second` gets their own (the
        footer names the person signed in)."""
        self.login(first)
        self.client.get(url)
        self.login(second)
        page = self.client.get(url).content.decode()
        self.assertIn(f"<span>{second}</span>", page)
        self.assertNotIn(f"<span>{first}</span>", page)


def version_triggers():
    """{(table, version)} of every trigger that changes a version's token (estate.db.Watched)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE %s",
                           ["%\\_changed"])
            rows = [(table.strip('"'), name.removesuffix("_changed")) for table, name in cursor.fetchall()]
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           ["%_changed_insert"])
            rows = [(table, name.removesuffix("_changed_insert")) for table, name in cursor.fetchall()]
    return {(table, name.removeprefix(f"{table}_")) for table, name in rows}
