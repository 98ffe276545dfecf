from django.core import mail

from keys import services
from keys.models import KeyConsent, KeyDeposit, KeyHandover, Purpose
from keys.services import KeyRefused
from tests.background import run_queued_tasks
from tests.keys.base import CONSENT, KeysTestCase


class DepositTest(KeysTestCase):
    def deposit_with(self, **overrides):
        values = {"household": self.household_a2, "depositor": self.resident_record, "tag_number": 30, "hook": 9,
                  "door_keys": 2, "consent": CONSENT, "by": self.volunteer, **overrides}
        return services.deposit_create(**values)

    def test_a_deposit_gets_its_tag_and_hook_and_the_first_consent(self):
        self.assertEqual(self.deposit.tag, "K-017")
        self.assertEqual(str(self.deposit), "K-017")  # what logs, mails and paper show: never the address
        consent = self.deposit.consents.get()
        self.assertEqual(consent.service_labels(), ["紧急入户", "浇花"])
        self.assertEqual(consent.recorded_by, self.volunteer)

    def test_the_depositor_must_live_in_the_household(self):
        with self.assertRaisesMessage(KeyRefused, "寄存人必须是本户的住户"):
            self.deposit_with()  # 周阿姨 lives in 1-1-301, not 1-1-302
        self.assertFalse(KeyDeposit.objects.filter(tag_number=30).exists())

    def test_a_tag_is_never_used_twice_and_a_hook_holds_one_ring(self):
        with self.assertRaisesMessage(KeyRefused, "编号牌 K-017 已经用过"):
            self.deposit_with(household=self.household_a, tag_number=17)
        with self.assertRaisesMessage(KeyRefused, "3 号挂钩上已经挂有钥匙"):
            self.deposit_with(household=self.household_a, hook=3)

    def test_a_consent_must_allow_something(self):
        with self.assertRaisesMessage(KeyRefused, "请至少勾选一项服务"):
            self.deposit_with(household=self.household_a, consent={"emergency": False})
        self.assertEqual(KeyDeposit.objects.count(), 2)

    def test_only_keepers_on_duty_take_deposits(self):
        with self.assertRaisesMessage(KeyRefused, "在岗的钥匙管家"):
            self.deposit_with(household=self.household_a, by=self.volunteer2)


class ConsentTest(KeysTestCase):
    def test_the_resident_changes_the_consent_and_the_old_version_is_kept(self):
        services.consent_change(deposit=self.deposit, by=self.resident, **{**CONSENT, "repair": True})
        versions = list(self.fresh().consents.order_by("recorded_at", "pk"))
        self.assertEqual(len(versions), 2)
        self.assertFalse(versions[0].repair)
        self.assertTrue(versions[1].repair)
        self.assertEqual(self.fresh().current_consent, versions[1])
        self.assertEqual(self.take_out(purpose=Purpose.REPAIR).consent, versions[1])

    def test_withdrawn_consent_allows_nothing_but_an_emergency(self):
        services.consent_withdraw(deposit=self.deposit, by=self.resident)
        consent = self.fresh().current_consent
        self.assertTrue(consent.withdrawn)
        self.assertEqual(consent.services(), [])
        with self.assertRaisesMessage(KeyRefused, "今天的授权不包括"):
            self.start(purpose=Purpose.PLANTS)

    def test_another_household_cannot_change_the_consent(self):
        with self.assertRaisesMessage(KeyRefused, "只有本住户或钥匙管家"):
            services.consent_change(deposit=self.deposit, by=self.resident_b, **CONSENT)
        self.assertEqual(KeyConsent.objects.filter(deposit=self.deposit).count(), 1)

    def test_the_resident_changes_consent_on_their_key_page(self):
        self.login(self.resident)
        response = self.client.post(f"/keys/deposits/{self.deposit.pk}/consent/", {
            "airing": "on", "weekdays": ["5", "6"], "period_start": "2026-07-01", "period_end": "2026-07-20",
            "notify": "儿子",
        })
        self.assertRedirects(response, f"/keys/household/{self.household_a.pk}/")
        consent = self.fresh().current_consent
        self.assertEqual((consent.emergency, consent.plants, consent.airing), (False, False, True))
        self.assertEqual(consent.weekdays, [5, 6])
        self.assertEqual(str(consent.period_end), "2026-07-20")

    def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_written(self):
        self.login(self.resident)
        response = self.client.post(f"/keys/deposits/{self.deposit.pk}/consent/", {
            "plants": "on", "period_start": "2026-07-20", "period_end": "2026-07-01",
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "结束日期早于开始日期")
        self.assertEqual(KeyConsent.objects.filter(deposit=self.deposit).count(), 1)

    def test_the_resident_withdraws_consent_with_one_button(self):
        self.login(self.resident)
        self.client.post(f"/keys/deposits/{self.deposit.pk}/consent/", {"withdraw": "1"})
        self.assertTrue(self.fresh().current_consent.withdrawn)


class EndOfDepositTest(KeysTestCase):
    def test_the_keys_go_back_and_the_deposit_ends_when_the_resident_confirms(self):
        services.deposit_hand_back(deposit=self.deposit, resident=self.resident_record, by=self.volunteer)
        self.assertEqual(self.fresh().status, KeyDeposit.Status.RETURNING)
        with self.assertRaisesMessage(KeyRefused, "只有本住户可以确认"):
            services.deposit_return_confirm(deposit=self.deposit, by=self.volunteer)
        self.login(self.resident)
        self.client.post(f"/keys/deposits/{self.deposit.pk}/confirm-return/")
        deposit = self.fresh()
        self.assertEqual(deposit.status, KeyDeposit.Status.RETURNED)
        self.assertEqual(deposit.ended_by, self.resident)
        self.assertFalse(deposit.confirmed_on_paper)

    def test_a_committee_member_other_than_the_one_who_gave_it_back_records_a_paper_signature(self):
        services.deposit_hand_back(deposit=self.deposit, resident=self.resident_record, by=self.member)
        with self.assertRaisesMessage(KeyRefused, "交还钥匙的人不能同时登记确认"):
            services.deposit_return_confirm(deposit=self.deposit, by=self.member, on_paper=True)
        with self.assertRaisesMessage(KeyRefused, "只有业委会委员可以登记纸面签字"):
            services.deposit_return_confirm(deposit=self.deposit, by=self.volunteer, on_paper=True)
        services.deposit_return_confirm(deposit=self.deposit, by=self.chair, on_paper=True)
        self.assertTrue(self.fresh().confirmed_on_paper)

    def test_a_key_out_cannot_be_given_back_and_a_freed_hook_takes_a_new_ring(self):
        self.take_out()
        with self.assertRaisesMessage(KeyRefused, "正在交接中，放回后"):
            services.deposit_hand_back(deposit=self.deposit, resident=self.resident_record, by=self.volunteer)
        self.bring_back(KeyHandover.objects.get())
        services.deposit_hand_back(deposit=self.deposit, resident=self.resident_record, by=self.volunteer)
        self.make_deposit(self.household_a, self.resident_record, tag_number=40, hook=3)

    def test_a_key_lost_while_out_is_recorded_ends_its_hand_over_and_the_household_is_told(self):
        self.resident.email = "zhou@example.com"
        self.resident.save()
        handover = self.take_out()
        run_queued_tasks()
        mail.outbox.clear()  # the notice that the key went out
        services.deposit_report_lost(deposit=self.deposit, by=self.volunteer, circumstances="在14楼楼道丢失")
        run_queued_tasks()
        deposit = self.fresh()
        self.assertEqual(deposit.status, KeyDeposit.Status.LOST)
        self.assertEqual(deposit.end_note, "在14楼楼道丢失")
        self.assertEqual(self.reload(handover).state, KeyHandover.State.LOST)
        self.assertFalse(self.reload(handover).is_overdue)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("在14楼楼道丢失", mail.outbox[0].body)
        with self.assertRaisesMessage(KeyRefused, "这把钥匙已不在钥匙柜托管"):
            self.start()

    def test_a_loss_needs_a_description(self):
        with self.assertRaisesMessage(KeyRefused, "请说明钥匙在何时"):
            services.deposit_report_lost(deposit=self.deposit, by=self.volunteer, circumstances=" ")
        self.assertEqual(self.fresh().status, KeyDeposit.Status.ACTIVE)


class KeeperAppointmentTest(KeysTestCase):
    def test_the_committee_appoints_and_ends_key_keepers(self):
        self.login(self.chair)
        self.client.post("/keys/keepers/appoint/", {"user": self.volunteer2.pk})
        term = self.volunteer2.key_keeper_terms.get()
        self.assertIsNone(term.ended_at)
        self.client.post(f"/keys/keepers/{term.pk}/end/")
        term.refresh_from_db()
        self.assertEqual(term.ended_by, self.chair)

    def test_only_volunteers_can_be_appointed(self):
        with self.assertRaisesMessage(KeyRefused, "只有登记的志愿者"):
            services.keeper_appoint(user=self.resident, by=self.chair)
        with self.assertRaisesMessage(KeyRefused, "已经是钥匙管家"):
            services.keeper_appoint(user=self.volunteer, by=self.chair)
