from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from estate.models import Resident
from keys import services
from keys.models import KeyHandover, KeyHandoverEvent, Purpose
from keys.services import KeyRefused
from messaging.models import Message
from tests.background import run_queued_tasks
from tests.base import make_user
from tests.keys.base import KeysTestCase

State = KeyHandover.State


class HandoverRulesTest(KeysTestCase):
    def test_one_confirmation_only_leaves_the_key_in_the_cabinet(self):
        handover = self.reload(self.start())
        self.assertEqual(handover.state, State.AWAITING_WITNESS)
        self.assertFalse(handover.is_out)
        self.assertIsNone(handover.out_at)
        self.assertFalse(KeyHandover.objects.out_now().exists())

    def test_the_key_is_out_when_both_have_confirmed(self):
        handover = self.take_out()
        self.assertEqual(handover.state, State.OUT)
        self.assertTrue(handover.is_out)
        self.assertEqual(list(KeyHandover.objects.out_now()), [handover])
        self.assertEqual([e.by for e in handover.events.all()], [self.volunteer, self.volunteer2])

    def test_the_same_person_cannot_be_keeper_and_witness(self):
        with self.assertRaisesMessage(KeyRefused, "见证人必须是另一个人"):
            self.start(witness=self.volunteer)
        self.assertFalse(KeyHandover.objects.exists())

    def test_the_keeper_cannot_confirm_a_second_time_in_place_of_the_witness(self):
        handover = self.start()
        with self.assertRaisesMessage(KeyRefused, "见证人必须用自己的账号确认"):
            services.handover_confirm_out(handover=handover, by=self.volunteer)
        self.assertEqual(self.reload(handover).state, State.AWAITING_WITNESS)

    def test_nobody_else_can_confirm_for_the_witness_not_even_the_chair(self):
        handover = self.start()
        with self.assertRaisesMessage(KeyRefused, "只有本次交接指定的见证人"):
            services.handover_confirm_out(handover=handover, by=self.chair)
        self.assertEqual(self.reload(handover).state, State.AWAITING_WITNESS)

    def test_a_member_of_the_household_cannot_be_the_witness(self):
        # The witness lives in 1-1-301 through an active resident role.
        neighbour = make_user("neighbour", (Role.Kind.VOLUNTEER, None), (Role.Kind.RESIDENT, self.household_a))
        with self.assertRaisesMessage(KeyRefused, "本户成员不能做见证人"):
            self.start(witness=neighbour)
        self.assertFalse(KeyHandover.objects.exists())

    def test_a_resident_record_linked_to_the_login_also_makes_a_household_member(self):
        Resident.objects.create(household=self.household_a, name="孙阿姨", user=self.volunteer2)
        with self.assertRaisesMessage(KeyRefused, "本户成员不能做见证人"):
            self.start()

    def test_a_member_of_the_household_cannot_take_its_key(self):
        Resident.objects.create(household=self.household_a, name="赵师傅", user=self.volunteer)
        with self.assertRaisesMessage(KeyRefused, "本户成员不能取本户的钥匙"):
            self.start()

    def test_a_purpose_outside_the_consent_without_an_emergency_reason_is_refused(self):
        with self.assertRaisesMessage(KeyRefused, "今天的授权不包括"):
            self.start(purpose=Purpose.REPAIR)
        with self.assertRaisesMessage(KeyRefused, "请说明紧急情况"):
            self.start(purpose=Purpose.EMERGENCY, reason="   ")
        self.assertFalse(KeyHandover.objects.exists())

    def test_an_emergency_with_its_reason_opens_even_outside_the_consent(self):
        services.consent_withdraw(deposit=self.deposit, by=self.resident)
        handover = self.take_out(purpose=Purpose.EMERGENCY, reason="楼下天花板漏水，敲门无人应答")
        self.assertEqual(handover.state, State.OUT)
        self.assertFalse(handover.within_consent)
        self.assertEqual(handover.emergency_reason, "楼下天花板漏水，敲门无人应答")

    def test_scheduled_services_keep_to_the_days_and_period_of_the_consent(self):
        services.consent_change(deposit=self.deposit, by=self.resident, **{
            "emergency": True, "plants": True, "airing": False, "repair": False, "weekdays": [1, 4],
            "period_start": None, "period_end": None, "notify": "",
        })
        with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 1, 10)), tick=False):  # a Monday
            with self.assertRaisesMessage(KeyRefused, "今天的授权不包括"):
                self.start()
        with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 2, 10)), tick=False):  # Tuesday
            self.assertTrue(self.start().within_consent)

    def test_confirmations_more_than_15_minutes_apart_are_refused(self):
        with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 2, 10, 0)), tick=False) as clock:
            handover = self.start()
            clock.shift(timedelta(minutes=15, seconds=1))
            with self.assertRaisesMessage(KeyRefused, "已超过 15 分钟"):
                services.handover_confirm_out(handover=handover, by=self.volunteer2)
            handover = self.reload(handover)
            self.assertEqual(handover.state, State.EXPIRED)
            self.assertEqual(handover.events.count(), 1)
            # The key was never out, so it can go out again with a fresh hand-over.
            self.assertEqual(self.take_out().state, State.OUT)

    def test_the_witness_confirming_within_15_minutes_takes_the_key_out(self):
        with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 2, 10, 0)), tick=False) as clock:
            handover = self.start()
            clock.shift(timedelta(minutes=14, seconds=59))
            services.handover_confirm_out(handover=handover, by=self.volunteer2)
            self.assertEqual(self.reload(handover).out_at, timezone.now())

    def test_a_key_in_a_hand_over_cannot_start_another(self):
        self.start()
        with self.assertRaisesMessage(KeyRefused, "正在交接中，请先完成"):
            self.start(keeper=self.member)

    def test_the_witness_must_be_a_volunteer_or_committee_member(self):
        with self.assertRaisesMessage(KeyRefused, "见证人必须是登记的志愿者或业委会委员"):
            self.start(witness=self.head1)

    def test_only_keepers_on_duty_take_keys_out(self):
        with self.assertRaisesMessage(KeyRefused, "只有在岗的钥匙管家"):
            self.start(keeper=self.volunteer2, witness=self.volunteer)

    def test_a_keeper_whose_appointment_ended_is_no_longer_on_duty(self):
        term = self.volunteer.key_keeper_terms.get()
        services.keeper_end(term=term, by=self.chair)
        keeper = type(self.volunteer).objects.get(pk=self.volunteer.pk)
        with self.assertRaisesMessage(KeyRefused, "只有在岗的钥匙管家"):
            self.start(keeper=keeper)

    def test_the_return_needs_both_confirmations_and_says_what_was_done(self):
        handover = self.take_out()
        with self.assertRaisesMessage(KeyRefused, "请写明在屋里做了什么"):
            services.handover_confirm_back(handover=handover, by=self.volunteer, note="  ")
        services.handover_confirm_back(handover=handover, by=self.volunteer, note="浇了阳台的花")
        handover = self.reload(handover)
        self.assertEqual(handover.state, State.RETURNING)
        self.assertTrue(handover.is_out)
        with self.assertRaisesMessage(KeyRefused, "您已确认归还"):
            services.handover_confirm_back(handover=handover, by=self.volunteer, note="again")
        with self.assertRaisesMessage(KeyRefused, "只有本次交接的钥匙管家和见证人"):
            services.handover_confirm_back(handover=handover, by=self.chair, note="")
        services.handover_confirm_back(handover=handover, by=self.volunteer2)
        handover = self.reload(handover)
        self.assertEqual(handover.state, State.BACK)
        self.assertFalse(handover.is_out)
        self.assertIsNotNone(handover.back_at)

    def test_a_waiting_hand_over_can_be_cancelled_by_either_person(self):
        handover = self.start()
        services.handover_cancel(handover=handover, by=self.volunteer2)
        self.assertEqual(self.reload(handover).state, State.CANCELLED)
        with self.assertRaisesMessage(KeyRefused, "这次交接不在等待确认"):
            services.handover_confirm_out(handover=handover, by=self.volunteer2)

    def test_every_step_is_logged_in_the_activity_record(self):
        from accounts.models import ActivityRecord

        handover = self.bring_back(self.take_out())
        verbs = list(ActivityRecord.objects.order_by("at", "pk").values_list("verb", flat=True))
        self.assertEqual(verbs[-4:], ["keys.handover_started", "keys.handover_out", "keys.handover_back_first",
                                      "keys.handover_back"])
        self.assertEqual(ActivityRecord.objects.filter(target_id=str(handover.pk), verb="keys.handover_out")
                         .get().actor, self.volunteer2)


class HouseholdIsToldTest(KeysTestCase):
    def setUp(self):
        self.resident.email = "zhou@example.com"
        self.resident.save()

    def test_the_household_is_mailed_when_the_key_goes_out_and_comes_back(self):
        handover = self.start()
        run_queued_tasks()
        self.assertEqual(mail.outbox, [])  # one confirmation: nothing happened to the key yet
        services.handover_confirm_out(handover=handover, by=self.volunteer2)
        self.bring_back(handover, note="浇了阳台的花")
        self.assertEqual(mail.outbox, [])  # sent by the background worker, never inside the request
        run_queued_tasks()
        self.assertEqual([m.to for m in mail.outbox], [["zhou@example.com"], ["zhou@example.com"]])
        out, back = mail.outbox
        self.assertIn("K-017", out.subject)
        self.assertIn("赵师傅", out.body)
        self.assertIn("孙阿姨", out.body)
        self.assertIn("浇花", out.body)
        self.assertIn("浇了阳台的花", back.body)
        self.assertNotIn("1-1-301", out.subject + out.body)
        self.assertEqual(Message.objects.filter(recipient=self.resident, topic="key_out").count(), 1)

    def test_a_refused_confirmation_sends_nothing(self):
        handover = self.start()
        with self.assertRaises(KeyRefused):
            services.handover_confirm_out(handover=handover, by=self.chair)
        run_queued_tasks()
        self.assertEqual(mail.outbox, [])

    def test_a_household_without_e_mail_is_told_on_its_dashboard_only(self):
        self.resident.email = ""
        self.resident.save()
        self.take_out()
        run_queued_tasks()
        self.assertEqual(mail.outbox, [])
        self.login(self.resident)
        response = self.client.get("/")
        self.assertContains(response, "K-017")
        self.assertContains(response, "赵师傅")


class PhotoTest(KeysTestCase):
    def test_a_photo_of_the_return_is_stored_cleaned_and_served_only_to_those_who_may_see(self):
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
        handover = self.take_out()
        self.login(self.volunteer)
        upload = SimpleUploadedFile("plants.jpg", buffer.getvalue(), content_type="image/jpeg")
        response = self.client.post(f"/keys/handovers/{handover.pk}/back/", {"note": "浇了花", "photo": upload})
        self.assertRedirects(response, f"/keys/handovers/{handover.pk}/")
        event = KeyHandoverEvent.objects.get(kind="back")
        self.assertTrue(event.photo.startswith("keys/"))
        self.login(self.resident)
        response = self.client.get(f"/keys/photos/{event.pk}/")
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.login(self.resident_b)
        self.assertEqual(self.client.get(f"/keys/photos/{event.pk}/").status_code, 404)

    def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_recorded(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        handover = self.take_out()
        self.login(self.volunteer)
        upload = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
        response = self.client.post(f"/keys/handovers/{handover.pk}/back/", {"note": "浇了花", "photo": upload},
                                    follow=True)
        self.assertContains(response, "JPEG")
        self.assertFalse(KeyHandoverEvent.objects.filter(kind="back").exists())
