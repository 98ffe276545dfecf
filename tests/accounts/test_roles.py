from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ActivityRecord, Role
from tests.base import BaseTestCase, make_user


class RoleGrantTest(BaseTestCase):
    def grant(self, person, **data):
        return self.client.post(reverse("accounts:role-grant", kwargs={"pk": person.pk}), data)

    def test_the_chair_makes_someone_a_building_head_of_a_building(self):
        self.login(self.chair)
        response = self.grant(self.outsider, kind="building_head", building=self.building2.pk)
        self.assertRedirects(response, reverse("accounts:user-detail", kwargs={"pk": self.outsider.pk}))
        role = self.outsider.roles.get()
        self.assertEqual((role.kind, role.building, role.granted_by), ("building_head", self.building2, self.chair))
        record = ActivityRecord.objects.get(verb="role.grant")
        self.assertEqual((record.actor, record.target_id), (self.chair, str(self.outsider.pk)))
        self.assertEqual(record.details, {"role": "building_head", "scope": "2栋"})

    def test_a_building_head_needs_a_building_and_a_resident_a_household(self):
        self.login(self.chair)
        response = self.grant(self.outsider, kind="building_head", follow=True)
        self.grant(self.outsider, kind="resident")
        response = self.client.get(reverse("accounts:user-detail", kwargs={"pk": self.outsider.pk}))
        self.assertContains(response, "楼栋长必须选一个楼栋。")
        self.assertContains(response, "住户必须选一个房号。")
        self.assertFalse(self.outsider.roles.exists())
        self.assertFalse(ActivityRecord.objects.exists())

    def test_a_role_held_already_is_not_granted_twice(self):
        self.login(self.chair)
        self.grant(self.resident, kind="resident", household=self.household_a.pk)
        response = self.client.get(reverse("accounts:user-detail", kwargs={"pk": self.resident.pk}))
        self.assertContains(response, "已经有这个角色了")
        self.assertEqual(self.resident.roles.count(), 1)

    def test_only_the_chair_grants_roles(self):
        for persona in (self.member, self.treasurer, self.head1, self.resident):
            self.login(persona)
            self.assertEqual(self.grant(self.outsider, kind="chair").status_code, 403)
        self.assertFalse(self.outsider.roles.exists())
        with self.assertRaises(PermissionDenied):
            services.role_grant(user=self.outsider, kind="chair", by=self.member)

    def test_the_grant_form_is_shown_to_the_chair_only(self):
        url = reverse("accounts:user-detail", kwargs={"pk": self.outsider.pk})
        self.login(self.member)
        self.assertNotContains(self.client.get(url), reverse("accounts:role-grant", kwargs={"pk": self.outsider.pk}))
        self.login(self.chair)
        self.assertContains(self.client.get(url), reverse("accounts:role-grant", kwargs={"pk": self.outsider.pk}))


class RoleWithdrawTest(BaseTestCase):
    def withdraw(self, role):
        return self.client.post(reverse("accounts:role-withdraw", kwargs={"pk": role.pk}))

    def test_withdrawing_keeps_the_role_as_history(self):
        role = self.head1.roles.get()
        self.login(self.chair)
        self.withdraw(role)
        role.refresh_from_db()
        self.assertEqual(role.ended_by, self.chair)
        self.assertIsNotNone(role.ended_at)
        self.assertFalse(type(self.head1).objects.get(pk=self.head1.pk).is_building_head)
        self.assertEqual(ActivityRecord.objects.get(verb="role.withdraw").details,
                         {"role": "building_head", "scope": "1栋"})
        page = self.client.get(reverse("accounts:user-detail", kwargs={"pk": self.head1.pk}))
        self.assertContains(page, "角色历史")
        self.assertContains(page, "楼栋长 1栋")
        self.assertContains(page, "没有角色")

    def test_a_withdrawn_role_can_be_granted_again_and_both_stay_in_the_history(self):
        role = self.volunteer.roles.get()
        services.role_withdraw(role=role, by=self.chair)
        services.role_grant(user=self.volunteer, kind="volunteer", by=self.chair)
        self.assertEqual(self.volunteer.roles.count(), 2)
        self.assertEqual(self.volunteer.roles.filter(ended_at__isnull=True).count(), 1)

    def test_only_the_chair_withdraws_roles(self):
        role = self.volunteer.roles.get()
        for persona in (self.member, self.treasurer, self.volunteer, self.outsider):
            self.login(persona)
            self.assertEqual(self.withdraw(role).status_code, 403)
        role.refresh_from_db()
        self.assertIsNone(role.ended_at)

    def test_the_last_chair_cannot_withdraw_their_own_chair_role(self):
        role = self.chair.roles.get()
        self.login(self.chair)
        response = self.withdraw(role)
        role.refresh_from_db()
        self.assertIsNone(role.ended_at)
        page = self.client.get(response["Location"])
        self.assertContains(page, "这是小区唯一的业委会主任，不能撤销")
        self.assertFalse(ActivityRecord.objects.filter(verb="role.withdraw").exists())

    def test_with_a_second_chair_the_first_may_step_down(self):
        successor = make_user("successor", (Role.Kind.CHAIR, None))
        role = self.chair.roles.get()
        services.role_withdraw(role=role, by=self.chair)
        role.refresh_from_db()
        self.assertIsNotNone(role.ended_at)
        # ...and now the successor is the last one.
        with self.assertRaises(ValidationError):
            services.role_withdraw(role=successor.roles.get(), by=successor)

    def test_a_role_is_withdrawn_once(self):
        role = self.volunteer.roles.get()
        services.role_withdraw(role=role, by=self.chair)
        with self.assertRaises(ValidationError):
            services.role_withdraw(role=role, by=self.chair)


class UserListTest(BaseTestCase):
    def test_it_lists_everyone_with_their_active_roles(self):
        services.role_withdraw(role=self.volunteer.roles.get(), by=self.chair)
        self.login(self.member)
        response = self.client.get(reverse("accounts:user-list"))
        self.assertContains(response, "刘楼长")
        self.assertContains(response, "楼栋长 1栋")
        self.assertContains(response, "住户 1-1-301")
        self.assertContains(response, '<span class="badge">住户 1-1-301</span>', html=True)
        self.assertNotContains(response, '<span class="badge">志愿者</span>', html=True)

    def test_it_filters_by_role_and_by_name(self):
        self.login(self.chair)
        response = self.client.get(reverse("accounts:user-list"), {"role": "resident"})
        self.assertContains(response, "周阿姨")
        self.assertNotContains(response, "刘楼长")
        response = self.client.get(reverse("accounts:user-list"), {"q": "楼长"})
        self.assertContains(response, "刘楼长")
        self.assertNotContains(response, "周阿姨")

    def test_it_runs_the_same_queries_for_many_users(self):
        self.login(self.chair)
        url = reverse("accounts:user-list")
        self.client.get(url)
        for n in range(30):
            make_user(f"extra{n}", (Role.Kind.RESIDENT, self.household_a2))
        # session, user with its unread count and the viewer's roles, the tokens (estate/cached.py), then
        # (not kept for them) count, page of users with their TOTP flag, their active roles
        with self.assertNumQueries(6):
            self.client.get(url)
        with self.assertNumQueries(3):  # kept: session, user with roles, the tokens
            self.client.get(url)
        self.assertContains(self.client.get(url, {"q": "extra0"}), "1-1-302")
        Role.objects.filter(user__username="extra0").update(ended_at=timezone.now())  # by hand: no activity record
        self.assertNotContains(self.client.get(url, {"q": "extra0"}), "1-1-302")
