from datetime import date

import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ActivityRecord, Role
from committee import services
from committee.models import Appointment, Mandate
from decisions.models import Motion
from estate.models import Notice
from tests.base import BaseTestCase, version_triggers
from tests.committee.motions import motion_draft

TODAY = date(2026, 12, 2)


@time_machine.travel("2026-12-02 10:00 +0800", tick=False)
class AppointmentTest(BaseTestCase):
    def propose(self, **overrides):
        data = {"user": self.outsider, "kind": Role.Kind.COMMITTEE, "term_ends": date(2027, 6, 30),
                "reason": "小区尚未召开首次业主大会", "by": self.chair, **overrides}
        return services.appointment_propose(**data)

    def test_a_proposal_grants_nothing_until_a_second_member_confirms(self):
        appointment = self.propose()
        self.assertFalse(self.outsider.roles.exists())
        self.login(self.member)
        self.client.post(reverse("committee:appointment-confirm", kwargs={"pk": appointment.pk}))
        role = self.outsider.roles.get()
        self.assertEqual((role.kind, role.granted_by, role.ended_at), ("committee", self.member, None))
        mandate = Mandate.objects.get()
        self.assertEqual((mandate.role, mandate.starts_on, mandate.ends_on, mandate.appointment),
                         (role, TODAY, date(2027, 6, 30), appointment))
        notice = Notice.objects.get()
        self.assertEqual(notice.status, Notice.Status.POSTED)
        self.assertEqual(notice.title, "业委会成员确认公告：路人，业委会委员")
        self.assertIn("由业委会主任王主任提名、委员李委员确认", notice.body)
        self.assertIn("2027-06-30", notice.body)
        self.assertEqual(
            list(ActivityRecord.objects.order_by("pk").values_list("verb", flat=True)),
            ["appointment.proposed", "role.grant", "notice.created", "notice.posted", "appointment.confirmed"],
        )

    def test_the_chair_cannot_confirm_their_own_proposal_nor_the_person_their_own(self):
        appointment = self.propose(user=self.member, kind=Role.Kind.TREASURER)
        for person in (self.chair, self.member):
            with self.assertRaisesMessage(ValidationError, "需由另一位业委会委员确认"):
                services.appointment_confirm(appointment=appointment, by=person)
        self.assertFalse(self.member.roles.filter(kind="treasurer").exists())
        self.assertFalse(Notice.objects.exists())

    def test_only_the_chair_proposes_and_only_the_committee_confirms(self):
        with self.assertRaises(PermissionDenied):
            self.propose(by=self.member)
        appointment = self.propose()
        with self.assertRaises(PermissionDenied):
            services.appointment_confirm(appointment=appointment, by=self.head1)
        self.login(self.member)
        response = self.client.post(reverse("committee:appointment-propose"),
                                    {"user": self.volunteer.pk, "kind": "committee", "term_ends": "2027-01-01",
                                     "reason": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Appointment.objects.count(), 1)

    def test_a_term_must_end_after_today_and_within_five_years(self):
        for term_ends in (TODAY, date(2032, 12, 31)):
            with self.assertRaises(ValidationError):
                self.propose(term_ends=term_ends)
        self.assertFalse(Appointment.objects.exists())

    def test_bad_input_on_the_form_is_refused_with_a_message_and_writes_nothing(self):
        self.login(self.chair)
        response = self.client.post(reverse("committee:appointment-propose"),
                                    {"user": self.outsider.pk, "kind": "committee", "term_ends": "2026-11-30",
                                     "reason": "首次选举前"}, follow=True)
        self.assertContains(response, "任期须在今天之后结束。")
        response = self.client.post(reverse("committee:appointment-propose"),
                                    {"user": self.outsider.pk, "kind": "volunteer", "term_ends": "2027-11-30",
                                     "reason": "首次选举前"}, follow=True)
        self.assertContains(response, "角色：")
        self.assertFalse(Appointment.objects.exists())
        self.assertFalse(ActivityRecord.objects.exists())

    def test_a_confirmed_or_cancelled_proposal_is_closed(self):
        appointment = self.propose()
        services.appointment_cancel(appointment=appointment, by=self.member)
        with self.assertRaisesMessage(ValidationError, "不再等待确认"):
            services.appointment_confirm(appointment=appointment, by=self.treasurer)
        self.assertFalse(self.outsider.roles.exists())

    def test_the_page_lists_open_proposals_and_offers_confirmation_to_others_only(self):
        appointment = self.propose()
        url = reverse("committee:appointment-confirm", kwargs={"pk": appointment.pk})
        self.login(self.chair)
        page = self.client.get(reverse("committee:appointments"))
        self.assertContains(page, "路人")
        self.assertNotContains(page, url)
        self.assertContains(page, "需由另一位业委会委员确认，不是你。")
        self.login(self.member)
        self.assertContains(self.client.get(reverse("committee:appointments")), url)


class ChairAloneTest(BaseTestCase):
    def test_the_chair_alone_cannot_grant_a_committee_role(self):
        for kind in ("chair", "committee", "treasurer"):
            with self.assertRaisesMessage(ValidationError, "业委会角色"):
                account_services.role_grant(user=self.outsider, kind=kind, by=self.chair)
        self.login(self.chair)
        response = self.client.post(reverse("accounts:role-grant", kwargs={"pk": self.outsider.pk}),
                                    {"kind": "treasurer"}, follow=True)
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(self.outsider.roles.exists())
        self.assertFalse(ActivityRecord.objects.exists())

    def test_the_chair_still_grants_the_other_roles(self):
        account_services.role_grant(user=self.outsider, kind="volunteer", by=self.chair)
        self.assertTrue(self.outsider.roles.filter(kind="volunteer").exists())

    def test_no_invitation_creates_a_committee_login(self):
        with self.assertRaises(PermissionDenied):
            account_services.invitation_create(by=self.chair, name="新委员", role_kind="treasurer")
        self.login(self.chair)
        page = self.client.get(reverse("accounts:invitation-new"))
        self.assertNotContains(page, 'value="treasurer"')
        self.assertContains(page, 'value="volunteer"')


@time_machine.travel("2026-12-02 10:00 +0800", tick=False)
class CommitteePageTest(BaseTestCase):
    def test_anyone_sees_the_committee_with_terms_and_authority(self):
        appointment = services.appointment_propose(user=self.outsider, kind="committee",
                                                   term_ends=date(2027, 6, 30), reason="首次选举前", by=self.chair)
        services.appointment_confirm(appointment=appointment, by=self.member)
        self.client.logout()
        with self.assertNumQueries(2):  # the active committee roles with their people; their mandates
            page = self.client.get(reverse("committee:page"))
        self.assertContains(page, "王主任")
        self.assertContains(page, "张会计")
        self.assertContains(page, "任期 2026-12-02 至 2027-06-30")
        self.assertContains(page, "首次业主大会选举前任命：王主任提名，李委员确认。")
        self.assertNotContains(page, "周阿姨")


    def test_the_page_is_kept_per_viewer_until_the_people_the_mandates_or_the_decisions_change_however_written(self):
        appointment = services.appointment_propose(user=self.outsider, kind="committee",
                                                   term_ends=date(2027, 6, 30), reason="首次选举前", by=self.chair)
        services.appointment_confirm(appointment=appointment, by=self.member)
        election = motion_draft(kind=Motion.Kind.ELECTION, by=self.chair, title="选举第二届业委会")
        self.login(self.chair)
        self.assertContains(self.client.get(reverse("committee:page")), "选举第二届业委会")
        self.login(self.resident)  # elections are listed for the committee only, never from the chair's page
        # made: session, user, the state, the committee's roles with their people, their mandates
        with self.assertNumQueries(5):
            self.assertNotContains(self.client.get(reverse("committee:page")), "选举第二届业委会")
        with self.assertNumQueries(3):  # kept: session, user with its roles and unread count, the state
            self.assertContains(self.client.get(reverse("committee:page")), "李委员确认")
        Appointment.objects.filter(pk=appointment.pk).update(decided_by=self.treasurer)  # behind the app's back
        self.assertContains(self.client.get(reverse("committee:page")), "张会计确认")
        Role.objects.filter(user=self.outsider).update(ended_at=timezone.now())
        self.assertNotContains(self.client.get(reverse("committee:page")), "任期 2026-12-02 至 2027-06-30")
        self.login(self.chair)
        Motion.objects.filter(pk=election.pk).update(title="选举第三届业委会")
        self.assertContains(self.client.get(reverse("committee:page")), "选举第三届业委会")

    def test_every_table_of_the_decisions_and_the_committee_changes_the_decisions_token(self):
        tables = {model._meta.db_table for name in ("decisions", "committee")
                  for model in apps.get_app_config(name).get_models()}
        watched = {table for table, version in version_triggers() if version == "decisions"}
        self.assertEqual(tables - watched, set())


class MandateRecordTest(BaseTestCase):
    def test_a_mandate_is_never_changed_or_deleted_in_the_database(self):
        today = timezone.localdate()
        appointment = services.appointment_propose(user=self.outsider, kind="committee",
                                                   term_ends=today.replace(year=today.year + 1),
                                                   reason="首次选举前", by=self.chair)
        services.appointment_confirm(appointment=appointment, by=self.member)
        for sql in ("UPDATE committee_mandate SET ends_on = '2100-01-01'", "DELETE FROM committee_mandate"):
            with self.subTest(sql=sql), self.assertRaisesMessage(DatabaseError, "append-only"), \
                    transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(sql)
        self.assertEqual(Mandate.objects.count(), 1)
