import time
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.urls import reverse

from accounts import services
from accounts.activity import log_action, verb_label
from accounts.models import ActivityRecord, Role
from tests.base import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ActivityLogTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)):
            services.role_grant(user=cls.outsider, kind=Role.Kind.VOLUNTEER, by=cls.chair)
        with time_machine.travel(datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI)):
            services.invitation_create(by=cls.member, name="钱大爷", role_kind=Role.Kind.RESIDENT,
                                       household=cls.household_a2)
        with time_machine.travel(datetime(2026, 5, 3, 9, 0, tzinfo=SHANGHAI)), transaction.atomic():
            log_action("household.import", cls.household_a, by=cls.member, details={"rows": 56})

    def get(self, **params):
        self.login(self.member)
        return self.client.get(reverse("accounts:activity"), params)

    def test_it_shows_who_did_what_to_which_object_when_and_from_where(self):
        response = self.get()
        self.assertContains(response, "共 3 条记录")
        self.assertContains(response, "2026-03-01 09:00:00")
        self.assertContains(response, "王主任")
        self.assertContains(response, "授予角色：")
        self.assertContains(response, "路人")
        self.assertContains(response, "角色：志愿者")
        self.assertContains(response, "开出邀请单")
        self.assertContains(response, "household.import")  # a verb without a label shows as it is
        self.assertContains(response, "命令行")  # made outside a request

    def test_it_filters_by_actor_verb_object_type_and_dates(self):
        self.assertContains(self.get(actor=self.chair.pk), "共 1 条记录")
        response = self.get(verb="invitation.create")
        self.assertContains(response, "共 1 条记录")
        self.assertContains(response, "钱大爷")
        user_type = ActivityRecord.objects.get(verb="role.grant").target_type_id
        self.assertContains(self.get(target_type=user_type), "共 1 条记录")
        response = self.get(since="2026-04-01", until="2026-04-30")
        self.assertContains(response, "共 1 条记录")
        self.assertContains(response, "钱大爷")
        self.assertContains(self.get(since="2026-05-03"), "共 1 条记录")

    def test_hostile_filter_values_are_ignored_not_crashed_on(self):
        response = self.get(actor="x'; DROP TABLE", since="yesterday", verb="<script>")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<script>")

    def test_it_runs_the_same_queries_for_many_records(self):
        self.get()
        with transaction.atomic():
            for n in range(120):
                log_action("test.bulk", self.household_a, by=self.chair, details={"n": n})
        # session, user with the viewer's roles, the tokens (estate/cached.py), then (not kept for them) the
        # filter's choices (people, verbs, object types), count, one page of records with actor and object type
        with self.assertNumQueries(8):
            response = self.client.get(reverse("accounts:activity"), {"verb": "test.bulk", "page": 2})
        self.assertContains(response, "共 120 条记录")
        with self.assertNumQueries(3):  # kept: session, user with roles, the tokens
            self.assertContains(self.client.get(reverse("accounts:activity"), {"verb": "test.bulk", "page": 2}),
                                "共 120 条记录")
        log_action("test.bulk", self.household_a, by=self.chair, details={"n": 120})
        self.assertContains(self.client.get(reverse("accounts:activity"), {"verb": "test.bulk", "page": 2}),
                            "共 121 条记录")

    def test_every_verb_of_the_accounts_app_reads_as_words(self):
        for verb in ("role.grant", "role.withdraw", "invitation.create", "invitation.revoke", "user.join",
                     "user.password_reset"):
            self.assertNotEqual(verb_label(verb), verb)

    def test_every_verb_written_anywhere_in_the_code_reads_as_words(self):
        # The log is read by committee members: "ledger.payment.recorded" is not words to them.
        import re
        from pathlib import Path

        from django.conf import settings

        from repairs.workflow import MOVES

        written = {f"repairs.ticket.{move}" for move in MOVES}
        written |= {f"repairs.{noun}.{done}" for noun in ("volunteer", "contractor") for done in ("added", "changed")}
        literal = re.compile(r'(?:log_action\(|verb=|verb = |if not first else )\s*"([a-z_]+\.[a-z_.]+)"')
        for app in ("accounts", "estate", "ledger", "bank", "repairs", "keys", "care", "messaging"):
            for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
                written |= set(literal.findall(path.read_text()))
        self.assertGreater(len(written), 60)
        self.assertEqual(sorted(verb for verb in written if verb_label(verb) == verb), [])

class AccountSecurityLogTest(BaseTestCase):
    """What allauth changes on a login (its password, its two-factor login) is in the activity log too."""

    def test_changing_ones_password_is_logged(self):
        self.resident.set_password("old password 2026")
        self.resident.save()
        self.login(self.resident)
        response = self.client.post(reverse("account_change_password"), {
            "oldpassword": "old password 2026", "password1": "zhou-new-2026-xq", "password2": "zhou-new-2026-xq"})
        self.assertEqual(response.status_code, 302)
        record = ActivityRecord.objects.get(verb="user.password_set")
        self.assertEqual((record.actor, record.target_id), (self.resident, str(self.resident.pk)))
        self.assertNotEqual(verb_label(record.verb), record.verb)

    def test_turning_two_factor_login_on_or_off_is_logged(self):
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(self.volunteer, generate_totp_secret())
        # Turned off on allauth's page, which does not wrap it in a transaction (after a fresh password).
        self.login(self.chair)
        session = self.client.session
        session["account_authentication_methods"] = [{"method": "password", "at": time.time(),
                                                      "reauthenticated": True}]
        session["account_authentication_methods_user"] = str(self.chair.pk)
        session.save()
        response = self.client.post(reverse("mfa_deactivate_totp"))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Authenticator.objects.filter(user=self.chair).exists())
        Authenticator.objects.filter(user=self.volunteer).get().record_usage()  # a login: no change to log
        self.assertEqual(
            [(r.verb, r.actor, r.details) for r in ActivityRecord.objects.order_by("pk")],
            [("user.mfa.added", self.volunteer, {"kind": "totp"}),
             ("user.mfa.removed", self.chair, {"kind": "totp"})],
        )
        for verb in ("user.mfa.added", "user.mfa.removed"):
            self.assertNotEqual(verb_label(verb), verb)
        self.login(self.member)
        page = self.client.get(reverse("accounts:activity"))
        self.assertContains(page, "关闭了两步验证")
        self.assertContains(page, "TOTP 认证器")
