from datetime import timedelta

import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ActivityRecord, Invitation, Role, User
from estate.models import Resident
from tests.base import BaseTestCase

GOOD_PASSWORD = "lao-zhou-2026-xq"


class InvitationCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.qian = Resident.objects.create(household=cls.household_a2, name="钱大爷", phone="13700001111")

    def invite(self, **kwargs):
        kwargs = {"by": self.member, "name": "钱大爷", "role_kind": Role.Kind.RESIDENT,
                  "household": self.household_a2, "resident": self.qian, **kwargs}
        return services.invitation_create(**kwargs)

    def accept_url(self, invitation):
        return reverse("accounts:invitation-accept", kwargs={"token": invitation.token})

    def accept(self, invitation, client=None, **data):
        data = {"username": "1-1-302", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, **data}
        return (client or self.client).post(self.accept_url(invitation), data)


class InvitationCreateTest(InvitationCase):
    def test_a_committee_member_invites_a_resident_and_gets_the_slip(self):
        self.login(self.member)
        response = self.client.post(reverse("accounts:invitation-new"), {
            "name": "钱大爷", "role_kind": "resident", "household": self.household_a2.pk,
            "resident": self.qian.pk, "valid_days": "7",
        })
        invitation = Invitation.objects.get()
        self.assertRedirects(response, reverse("accounts:invitation-slip", kwargs={"pk": invitation.pk}))
        self.assertEqual((invitation.household, invitation.resident, invitation.created_by),
                         (self.household_a2, self.qian, self.member))
        self.assertEqual(invitation.expires_at - invitation.created_at, timedelta(days=7))
        self.assertEqual(ActivityRecord.objects.get().verb, "invitation.create")

    def test_a_resident_invitation_needs_a_household_the_person_lives_in(self):
        self.login(self.member)
        url = reverse("accounts:invitation-new")
        response = self.client.post(url, {"name": "钱大爷", "role_kind": "resident", "valid_days": "14"})
        self.assertContains(response, "住户必须选一个房号。")
        response = self.client.post(url, {"name": "钱大爷", "role_kind": "resident", "valid_days": "14",
                                          "household": self.household_b.pk, "resident": self.qian.pk})
        self.assertContains(response, "此人不住在这个房号。")
        self.assertFalse(Invitation.objects.exists())

    def test_the_form_starts_from_a_register_entry(self):
        self.login(self.member)
        response = self.client.get(reverse("accounts:invitation-new"), {"resident": self.qian.pk})
        self.assertContains(response, 'value="钱大爷"')
        self.assertContains(response, f'<option value="{self.qian.pk}" selected>')
        for hostile in ("abc", "1 OR 1=1", str(self.resident_record.pk)):  # the last one has a login already
            response = self.client.get(reverse("accounts:invitation-new"), {"resident": hostile})
            self.assertNotContains(response, "selected>周阿姨")

    def test_only_the_chair_invites_for_roles_other_than_resident(self):
        self.login(self.member)
        response = self.client.post(reverse("accounts:invitation-new"), {
            "name": "新会计", "role_kind": "treasurer", "valid_days": "14"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Invitation.objects.exists())
        with self.assertRaises(PermissionDenied):
            services.invitation_create(by=self.member, name="新主任", role_kind=Role.Kind.CHAIR)
        self.login(self.chair)
        self.client.post(reverse("accounts:invitation-new"), {
            "name": "新楼长", "role_kind": "building_head", "building": self.building2.pk, "valid_days": "14"})
        self.assertEqual(Invitation.objects.get().building, self.building2)

    def test_someone_with_a_login_gets_a_new_password_slip_instead(self):
        self.login(self.member)
        response = self.client.post(reverse("accounts:invitation-new"), {
            "name": "周阿姨", "role_kind": "resident", "household": self.household_a.pk,
            "resident": self.resident_record.pk, "valid_days": "14"})
        self.assertEqual(response.status_code, 200)  # the register entry is not offered: it has a login
        self.assertFalse(Invitation.objects.exists())

    def test_a_new_slip_for_the_same_person_revokes_the_lost_one(self):
        first = self.invite()
        second = self.invite()
        first.refresh_from_db()
        self.assertEqual(first.status, Invitation.Status.REVOKED)
        self.assertEqual(second.status, Invitation.Status.OPEN)
        self.assertEqual(ActivityRecord.objects.filter(verb="invitation.revoke").get().details, {"reason": "replaced"})


class InvitationSlipTest(InvitationCase):
    def test_the_slip_carries_the_qr_code_the_address_the_unit_and_how_long_it_is_valid(self):
        invitation = self.invite()
        self.login(self.member)
        response = self.client.get(reverse("accounts:invitation-slip", kwargs={"pk": invitation.pk}))
        full_url = settings.SITE_URL + self.accept_url(invitation)
        self.assertContains(response, "<svg")  # the QR code, inline: nothing is fetched from elsewhere
        self.assertContains(response, full_url)
        self.assertContains(response, settings.SITE_NAME)
        self.assertContains(response, "1-1-302")
        self.assertContains(response, f"14 天内有效，到 {timezone.localdate(invitation.expires_at):%Y-%m-%d} 为止")
        self.assertContains(response, "扫一扫")
        self.assertNotContains(response, "https://cdn")
        self.assertContains(response, '<script nonce="')  # the print button's only script, allowed by the CSP
        self.assertNotContains(response, "onclick")

    def test_the_qr_code_decodes_to_the_full_address(self):
        import segno

        invitation = self.invite()
        full_url = settings.SITE_URL + self.accept_url(invitation)
        self.login(self.member)
        response = self.client.get(reverse("accounts:invitation-slip", kwargs={"pk": invitation.pk}))
        # The same symbol segno makes for the address: same version and modules, not a fixed picture.
        expected = segno.make(full_url, error="m", boost_error=False)
        self.assertContains(response, expected.svg_inline(scale=4, border=2, omitsize=True, title=full_url))

    def test_a_used_slip_shows_no_code(self):
        invitation = self.invite()
        self.accept(invitation, client=Client())
        self.login(self.member)
        response = self.client.get(reverse("accounts:invitation-slip", kwargs={"pk": invitation.pk}))
        self.assertNotContains(response, "<svg")
        self.assertContains(response, "这张邀请单已失效（已使用）")


class InvitationAcceptTest(InvitationCase):
    def test_the_page_suggests_the_unit_code_as_username(self):
        response = self.client.get(self.accept_url(self.invite()))
        self.assertContains(response, "钱大爷，您好")
        self.assertContains(response, 'value="1-1-302"')

    def test_a_resident_sets_a_password_and_is_logged_in_with_the_household(self):
        invitation = self.invite()
        response = self.accept(invitation)
        self.assertRedirects(response, reverse("estate:dashboard"))
        user = User.objects.get(username="1-1-302")
        self.assertEqual(int(self.client.session[SESSION_KEY]), user.pk)
        self.assertEqual(user.name, "钱大爷")
        self.assertTrue(user.check_password(GOOD_PASSWORD))
        self.assertEqual(user.household_ids, {self.household_a2.pk})
        self.assertEqual(user.roles.get().granted_by, self.member)
        self.qian.refresh_from_db()
        self.assertEqual(self.qian.user, user)
        invitation.refresh_from_db()
        self.assertEqual((invitation.status, invitation.used_by), (Invitation.Status.USED, user))
        record = ActivityRecord.objects.get(verb="user.join")
        self.assertEqual((record.actor, record.details["role"], record.details["scope"]), (user, "resident", "1-1-302"))

    def test_a_second_use_answers_a_clear_page(self):
        invitation = self.invite()
        self.accept(invitation, client=Client())
        for response in (self.client.get(self.accept_url(invitation)),
                         self.accept(invitation, username="another")):
            self.assertContains(response, "它已经用过了", status_code=410)
        self.assertEqual(User.objects.filter(username__in=["1-1-302", "another"]).count(), 1)

    def test_an_expired_invitation_answers_a_clear_page(self):
        invitation = self.invite()
        with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
            response = self.accept(invitation)
        self.assertContains(response, "它已经过期了", status_code=410)
        self.assertFalse(User.objects.filter(username="1-1-302").exists())

    def test_a_revoked_invitation_answers_a_clear_page(self):
        invitation = self.invite()
        self.login(self.member)
        self.client.post(reverse("accounts:invitation-revoke", kwargs={"pk": invitation.pk}))
        self.client.logout()
        response = self.accept(invitation)
        self.assertContains(response, "业委会已把它作废", status_code=410)
        self.assertFalse(User.objects.filter(username="1-1-302").exists())

    def test_an_unknown_token_answers_a_clear_page(self):
        response = self.client.get(reverse("accounts:invitation-accept", kwargs={"token": "x" * 32}))
        self.assertContains(response, "地址不完整或不正确", status_code=404)

    def test_weak_passwords_get_clear_chinese_errors_and_nothing_is_written(self):
        invitation = self.invite()
        response = self.accept(invitation, password1="12345678", password2="12345678")
        self.assertContains(response, "这个密码太常见了")
        self.assertContains(response, "密码只包含数字")
        response = self.accept(invitation, password1="abc", password2="abc")
        self.assertContains(response, "至少要包含 8 个字符")
        response = self.accept(invitation, password2="something-else-2026")
        self.assertContains(response, "两次输入的密码不一样")
        response = self.accept(invitation, password1="1-1-302qian", password2="1-1-302qian")
        self.assertContains(response, "密码跟 用户名 太相似了")
        self.assertFalse(User.objects.filter(username="1-1-302").exists())
        self.assertEqual(Invitation.objects.get().status, Invitation.Status.OPEN)
        self.assertFalse(ActivityRecord.objects.exclude(verb="invitation.create").exists())

    def test_hostile_or_taken_usernames_are_refused(self):
        invitation = self.invite()
        for username, message in [("RESIDENT", "这个用户名已经有人用了"), ("a@b.cn", "用户名里不能有 @"),
                                  ("<script>", "用户名"), ("", "这个字段是必填项")]:
            response = self.accept(invitation, username=username)
            self.assertContains(response, message)
        self.assertEqual(Invitation.objects.get().status, Invitation.Status.OPEN)

    def test_the_suggestion_avoids_a_taken_username(self):
        User.objects.create_user(username="1-1-302", password="x")
        self.assertEqual(self.invite().suggested_username(), "1-1-302_2")

    def test_a_register_entry_linked_meanwhile_stops_the_second_login(self):
        invitation = self.invite()
        other = services.invitation_create(by=self.member, name="钱大爷", role_kind=Role.Kind.RESIDENT,
                                           household=self.household_a2)  # no register entry: not replaced
        Invitation.objects.filter(pk=other.pk).update(resident=self.qian)
        self.accept(invitation, client=Client())
        response = self.accept(other, username="qian2")
        self.assertContains(response, "此人已经有账号了")
        self.assertFalse(User.objects.filter(username="qian2").exists())
        self.assertEqual(Invitation.objects.get(pk=other.pk).status, Invitation.Status.OPEN)

    def test_an_invitation_for_a_building_head_grants_that_role(self):
        invitation = services.invitation_create(by=self.chair, name="陈楼长", role_kind=Role.Kind.BUILDING_HEAD,
                                                building=self.building2)
        self.accept(invitation, username="head2")
        self.assertEqual(User.objects.get(username="head2").headed_building_ids, {self.building2.pk})


class PasswordResetByInvitationTest(InvitationCase):
    def reset_slip(self, user, by=None):
        self.login(by or self.member)
        response = self.client.post(reverse("accounts:invitation-reset", kwargs={"pk": user.pk}))
        self.client.logout()
        invitation = Invitation.objects.get(user=user, used_at__isnull=True, revoked_at__isnull=True)
        self.assertRedirects(response, reverse("accounts:invitation-slip", kwargs={"pk": invitation.pk}),
                             fetch_redirect_response=False)
        return invitation

    def test_a_new_slip_sets_a_new_password_for_the_same_login_and_ends_its_other_sessions(self):
        phone = Client()
        phone.force_login(self.resident)
        self.assertEqual(phone.get(reverse("estate:dashboard")).status_code, 200)
        invitation = self.reset_slip(self.resident)
        response = self.client.get(self.accept_url(invitation))
        self.assertContains(response, "resident")  # the username is shown, not asked
        self.assertNotContains(response, 'name="username"')
        response = self.accept(invitation, username="ignored")
        self.assertRedirects(response, reverse("estate:dashboard"))
        self.resident.refresh_from_db()
        self.assertTrue(self.resident.check_password(GOOD_PASSWORD))
        self.assertEqual(int(self.client.session[SESSION_KEY]), self.resident.pk)
        self.assertFalse(User.objects.filter(username="ignored").exists())
        self.assertEqual(self.resident.roles.count(), 1)
        # The old phone's session no longer works.
        self.assertRedirects(phone.get(reverse("estate:dashboard")),
                             reverse("account_login") + "?next=/", fetch_redirect_response=False)
        self.assertEqual(ActivityRecord.objects.get(verb="user.password_reset").actor, self.resident)
        self.assertContains(self.client.get(self.accept_url(invitation)), "它已经用过了", status_code=410)

    def test_a_login_with_two_factor_must_still_log_in_with_its_code(self):
        invitation = self.reset_slip(self.treasurer, by=self.chair)
        response = self.accept(invitation)
        self.assertRedirects(response, reverse("account_login"))
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.treasurer.refresh_from_db()
        self.assertTrue(self.treasurer.check_password(GOOD_PASSWORD))
        self.assertTrue(Authenticator.objects.filter(user=self.treasurer).exists())

    def test_a_member_cannot_take_over_a_committee_login_with_a_slip(self):
        self.login(self.member)
        response = self.client.post(reverse("accounts:invitation-reset", kwargs={"pk": self.chair.pk}))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Invitation.objects.exists())
        page = self.client.get(reverse("accounts:user-detail", kwargs={"pk": self.chair.pk}))
        self.assertNotContains(page, "打印重设密码单")

    def test_a_member_cannot_print_a_slip_the_chair_issued_for_a_committee_login_or_role(self):
        # The slip's address is the login: whoever may print it may take over the login or the role.
        # (No slip creates a committee login at all: committee roles come from an election.)
        reset = services.invitation_create(by=self.chair, name=str(self.treasurer), user=self.treasurer)
        new_chair = services.invitation_create(by=self.chair, name="新主任", role_kind=Role.Kind.BUILDING_HEAD,
                                               building=self.building1)
        resident = self.invite(by=self.chair)
        self.login(self.member)
        for invitation in (reset, new_chair):
            with self.subTest(invitation=str(invitation)):
                slip = reverse("accounts:invitation-slip", kwargs={"pk": invitation.pk})
                response = self.client.get(slip)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn(invitation.token, response.content.decode())
        listed = self.client.get(reverse("accounts:invitation-list"))
        self.assertContains(listed, "新主任")
        self.assertNotContains(listed, reverse("accounts:invitation-slip", kwargs={"pk": new_chair.pk}))
        self.assertNotContains(listed, reverse("accounts:invitation-slip", kwargs={"pk": reset.pk}))
        self.assertContains(listed, reverse("accounts:invitation-slip", kwargs={"pk": resident.pk}))
        self.assertContains(self.client.get(reverse("accounts:invitation-slip", kwargs={"pk": resident.pk})),
                            resident.token)
        self.login(self.chair)
        self.assertContains(self.client.get(reverse("accounts:invitation-slip", kwargs={"pk": new_chair.pk})),
                            new_chair.token)


class InvitationListTest(InvitationCase):
    def test_it_lists_open_invitations_only(self):
        open_one = self.invite()
        used = services.invitation_create(by=self.member, name="用过的", role_kind=Role.Kind.RESIDENT,
                                          household=self.household_b)
        self.accept(used, client=Client(), username="used1")
        self.login(self.treasurer)
        response = self.client.get(reverse("accounts:invitation-list"))
        self.assertContains(response, open_one.name)
        self.assertNotContains(response, "用过的")

    def test_revoking_needs_an_open_invitation(self):
        invitation = self.invite()
        self.login(self.member)
        self.client.post(reverse("accounts:invitation-revoke", kwargs={"pk": invitation.pk}))
        invitation.refresh_from_db()
        self.assertEqual((invitation.status, invitation.revoked_by), (Invitation.Status.REVOKED, self.member))
        response = self.client.post(reverse("accounts:invitation-revoke", kwargs={"pk": invitation.pk}), follow=True)
        self.assertContains(response, "只有还有效的邀请单才能作废")
        self.assertEqual(ActivityRecord.objects.filter(verb="invitation.revoke").count(), 1)

    def test_it_runs_the_same_queries_for_many_invitations(self):
        self.login(self.member)
        url = reverse("accounts:invitation-list")
        self.invite()
        self.client.get(url)
        for n in range(20):
            services.invitation_create(by=self.chair, name=f"志愿者{n}", role_kind=Role.Kind.VOLUNTEER)
        for person in (self.chair, self.treasurer, self.resident, self.resident_b):
            services.invitation_create(by=self.chair, name=str(person), user=person)
        # session, user with its unread count and the viewer's roles, the state (every version's token), count, page
        # of invitations, the roles of the logins they reset (whether the member may print the slip), the first
        # expiry (which ends the kept page)
        with self.assertNumQueries(7):
            response = self.client.get(url)
        self.assertContains(response, "志愿者19")

    def test_a_kept_list_is_served_at_three_queries_and_follows_a_slip_revoked_behind_the_app_s_back(self):
        invitation = self.invite()
        self.login(self.member)
        url = reverse("accounts:invitation-list")
        self.client.get(url)
        # session, user with its unread count and roles, the state (every version's token)
        with self.assertNumQueries(3):
            self.assertContains(self.client.get(url), "钱大爷")
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())  # no activity record
        self.assertNotContains(self.client.get(url), "钱大爷")

    def test_a_kept_list_drops_a_slip_when_it_expires(self):
        expires_at = timezone.now() + timedelta(hours=1)
        Invitation.objects.filter(pk=self.invite().pk).update(expires_at=expires_at)
        self.login(self.member)
        url = reverse("accounts:invitation-list")
        self.assertContains(self.client.get(url), "钱大爷")
        self.assertContains(self.client.get(url), "钱大爷")
        with time_machine.travel(expires_at + timedelta(seconds=1), tick=False):
            self.assertNotContains(self.client.get(url), "钱大爷")

    def test_one_member_s_kept_list_is_never_shown_to_another(self):
        self.invite()
        self.assert_kept_per_viewer(reverse("accounts:invitation-list"), self.member, self.chair)

