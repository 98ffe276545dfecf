
import time_machine
from django.test import override_settings

from accounts.models import ActivityRecord
from care import services
from care.models import Alert
from estate.background import run_scheduled
from messaging.models import Delivery, Message
from tests.care.base import CareTestCase, local

ROBOT = "http://127.0.0.1:9/robot"  # never called: the tests below count deliveries, they run no worker
SMS = {"SMS_PROVIDER": "aliyun", "SMS_ACCESS_KEY_ID": "id", "SMS_ACCESS_KEY_SECRET": "secret",
       "SMS_SIGN_NAME": "幸福家园", "SMS_TEMPLATE": "SMS_1"}


def told(alert, level):
    return sorted(str(m.to_label) for m in Message.objects.filter(dedupe_key=f"alert:{alert.pk}:{level}"))


def run(now):
    with time_machine.travel(now, tick=False):
        outcomes = run_scheduled(now=now)
    failed = [(name, result) for name, ok, result in outcomes if not ok]
    assert not failed, failed


@override_settings(CARE_ESCALATE_MINUTES=30, ROBOT_COMMITTEE_URL=ROBOT, **SMS)
class EscalationTest(CareTestCase):
    def test_a_missed_check_raises_an_alert_at_the_deadline_and_escalates_every_half_hour(self):
        run(local(2036, 6, 3, 8, 59))
        self.assertFalse(Alert.objects.exists())

        run(local(2036, 6, 3, 9, 0))
        alert = Alert.objects.get()
        self.assertEqual((alert.day.isoformat(), alert.level), ("2036-06-03", Alert.Level.BUDDY))
        self.assertEqual(told(alert, 0), ["赵师傅"])
        buddy_message = Message.objects.get(dedupe_key=f"alert:{alert.pk}:0")
        self.assertIn("1-1-301", buddy_message.subject)
        self.assertIn("窗帘", buddy_message.body)

        run(local(2036, 6, 3, 9, 29))
        self.assertEqual(Alert.objects.get().level, Alert.Level.BUDDY)
        run(local(2036, 6, 3, 9, 30))
        self.assertEqual(Alert.objects.get().level, Alert.Level.BACKUP)
        self.assertEqual(told(alert, 1), ["钱阿姨"])
        run(local(2036, 6, 3, 10, 0))
        self.assertEqual(told(alert, 2), ["刘楼长"])
        run(local(2036, 6, 3, 10, 30))
        self.assertEqual(Alert.objects.get().level, Alert.Level.COMMITTEE)
        # The committee, its group robot, and the daughter by SMS (no login: phone only, masked in the log).
        self.assertEqual(told(alert, 3), sorted(["139****1111", "业委会群", "张会计", "李委员", "王主任"]))
        sms = Delivery.objects.get(message__phone="13900001111")
        self.assertEqual((sms.channel, sms.status), ("sms", "queued"))

        run(local(2036, 6, 3, 13, 0))
        self.assertEqual(Message.objects.filter(dedupe_key__startswith=f"alert:{alert.pk}:").count(), 8)
        self.assertTrue(Alert.objects.get().is_open)  # stays open until a person resolves it

    def test_a_late_run_catches_up_on_every_step_at_once(self):
        run(local(2036, 6, 3, 11, 0))
        alert = Alert.objects.get()
        self.assertEqual(alert.raised_at, local(2036, 6, 3, 9, 0))
        self.assertEqual(alert.level, Alert.Level.COMMITTEE)
        self.assertEqual(told(alert, 1), ["钱阿姨"])

    def test_running_the_schedule_twice_at_the_same_moment_changes_nothing_the_second_time(self):
        for moment in (local(2036, 6, 3, 9, 0), local(2036, 6, 3, 10, 30)):
            run(moment)
            counts = (Alert.objects.count(), Message.objects.count(), Delivery.objects.count(),
                      ActivityRecord.objects.exclude(verb="care.agreement_viewed").count(),
                      list(Alert.objects.values_list("level", flat=True)))
            run(moment)
            self.assertEqual((Alert.objects.count(), Message.objects.count(), Delivery.objects.count(),
                              ActivityRecord.objects.exclude(verb="care.agreement_viewed").count(),
                              list(Alert.objects.values_list("level", flat=True))), counts)

    def test_a_check_before_the_deadline_raises_nothing(self):
        with time_machine.travel(local(2036, 6, 3, 8, 15), tick=False):
            services.check_record(agreement=self.agreement, by=self.volunteer)
        run(local(2036, 6, 3, 12, 0))
        self.assertFalse(Alert.objects.exists())

    def test_a_check_recorded_after_the_alert_resolves_it_and_stops_the_escalation(self):
        run(local(2036, 6, 3, 9, 5))
        with time_machine.travel(local(2036, 6, 3, 9, 20), tick=False):
            services.check_record(agreement=self.agreement, by=self.resident)  # "I am fine today"
        alert = Alert.objects.get()
        self.assertEqual((alert.outcome, alert.resolved_by), (Alert.Outcome.CHECKED, self.resident))
        self.assertEqual(told(alert, 0), ["赵师傅"])
        resolved = Message.objects.get(dedupe_key=f"alert:{alert.pk}:resolved")
        self.assertEqual(resolved.recipient, self.volunteer)
        run(local(2036, 6, 3, 11, 0))
        self.assertEqual(Alert.objects.get().level, Alert.Level.BUDDY)
        self.assertEqual(told(alert, 3), [])

    def test_days_not_agreed_and_paused_agreements_raise_nothing(self):
        self.agreement.weekdays = [0, 2, 4]  # Mon, Wed, Fri; 2036-06-03 is a Tuesday
        self.agreement.save()
        run(local(2036, 6, 3, 10, 0))
        self.assertFalse(Alert.objects.exists())
        with time_machine.travel(local(2036, 6, 3, 12, 0), tick=False):
            services.agreement_pause(agreement=self.agreement, by=self.resident, reason="去女儿家", until=None)
        run(local(2036, 6, 4, 10, 0))
        self.assertFalse(Alert.objects.exists())

    def test_a_pause_with_an_end_date_resumes_by_itself(self):
        with time_machine.travel(local(2036, 6, 2, 12, 0), tick=False):
            services.agreement_pause(agreement=self.agreement, by=self.chair, reason="住院",
                                     until=local(2036, 6, 3, 0, 0).date())
        run(local(2036, 6, 3, 10, 0))
        self.assertFalse(Alert.objects.exists())
        run(local(2036, 6, 4, 9, 0))
        self.assertEqual(self.fresh_agreement().status, "active")
        self.assertEqual(Alert.objects.get().day.isoformat(), "2036-06-04")


class ResolveTest(CareTestCase):
    def setUp(self):
        run(local(2036, 6, 3, 9, 40))
        self.alert = Alert.objects.get()

    def test_the_building_head_resolves_it_with_what_was_found(self):
        with time_machine.travel(local(2036, 6, 3, 9, 50), tick=False):
            services.alert_resolve(alert=self.alert, by=self.head1, outcome=Alert.Outcome.PHONED,
                                   note="她在菜市场，手机没带")
        alert = Alert.objects.get()
        self.assertEqual((alert.outcome, alert.note, alert.resolved_at), ("phoned", "她在菜市场，手机没带",
                                                                            local(2036, 6, 3, 9, 50)))
        self.assertEqual(sorted(m.recipient.name for m in Message.objects.filter(
            dedupe_key=f"alert:{alert.pk}:resolved")), ["赵师傅", "钱阿姨"])
        run(local(2036, 6, 3, 12, 0))
        self.assertEqual(Alert.objects.get().level, Alert.Level.BACKUP)

    def test_a_call_to_120_needs_a_note(self):
        with self.assertRaisesMessage(services.CareRefused, "写下"):
            services.alert_resolve(alert=self.alert, by=self.volunteer, outcome=Alert.Outcome.EMERGENCY_CALL)
        self.assertTrue(Alert.objects.get().is_open)

    def test_someone_outside_the_agreement_cannot_resolve_it(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            services.alert_resolve(alert=self.alert, by=self.volunteer2, outcome=Alert.Outcome.WELL)

    def test_consent_withdrawn_mid_alert_ends_the_alert_and_its_escalation(self):
        with time_machine.travel(local(2036, 6, 3, 9, 45), tick=False):
            services.agreement_end(agreement=self.agreement, by=self.chair, reason="女儿来电撤回同意")
        alert = Alert.objects.get()
        self.assertEqual((alert.outcome, alert.note), ("withdrawn", "女儿来电撤回同意"))
        self.assertEqual(self.fresh_agreement().status, "ended")
        run(local(2036, 6, 3, 12, 0))
        run(local(2036, 6, 4, 12, 0))
        self.assertEqual(list(Alert.objects.values_list("level", flat=True)), [Alert.Level.BACKUP])
        self.assertEqual(told(alert, 2), [])
        ended = Message.objects.filter(subject__contains="结束", recipient=self.neighbour)
        self.assertEqual(ended.count(), 1)

    def test_the_person_pausing_from_their_phone_resolves_the_alert(self):
        services.agreement_pause(agreement=self.agreement, by=self.resident, reason="在女儿家", until=None)
        self.assertEqual(Alert.objects.get().outcome, Alert.Outcome.PAUSED)

    def test_a_buddy_cannot_pause_or_end_the_agreement(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            services.agreement_end(agreement=self.agreement, by=self.volunteer, reason="不想做了")
        self.assertTrue(Alert.objects.get().is_open)
