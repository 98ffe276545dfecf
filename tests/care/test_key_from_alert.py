import time_machine

from care import services
from care.models import Alert
from keys import services as key_services
from keys.models import KeyHandover, Purpose
from tests.care.base import CareTestCase, local
from tests.care.test_escalation import run


class EmergencyHandoverFromAlertTest(CareTestCase):
    def setUp(self):
        run(local(2036, 6, 3, 9, 40))
        self.alert = Alert.objects.get()

    def test_the_form_fills_in_the_reason_and_the_hand_over_stays_two_person(self):
        self.login(self.volunteer)  # the buddy, also a key keeper on duty
        page = self.client.get(f"/care/alerts/{self.alert.pk}/key/")
        reason = page.context["form"]["reason"].value()
        self.assertIn(f"{self.alert.pk}", reason)
        self.assertContains(page, "K-017")
        response = self.client.post(f"/care/alerts/{self.alert.pk}/key/",
                                    {"witness": self.volunteer2.pk, "reason": reason})
        handover = KeyHandover.objects.get()
        self.assertRedirects(response, f"/keys/handovers/{handover.pk}/")
        self.assertEqual((handover.purpose, handover.emergency_reason, handover.keeper, handover.witness),
                         (Purpose.EMERGENCY, reason, self.volunteer, self.volunteer2))
        self.assertEqual(handover.state, KeyHandover.State.AWAITING_WITNESS)  # nothing bypassed: not out yet
        self.assertEqual(Alert.objects.get().handover, handover)
        key_services.handover_confirm_out(handover=handover, by=self.volunteer2)
        self.assertEqual(KeyHandover.objects.get().state, KeyHandover.State.OUT)
        self.login(self.head1)
        self.assertContains(self.client.get(f"/care/alerts/{self.alert.pk}/"), f"/keys/handovers/{handover.pk}/")

    def test_the_keeper_cannot_be_their_own_witness(self):
        with self.assertRaises(services.CareRefused):
            services.alert_key_handover(alert=self.alert, witness=self.volunteer, reason="x", by=self.volunteer)
        self.assertFalse(KeyHandover.objects.exists())
        self.assertIsNone(Alert.objects.get().handover)

    def test_no_key_opening_without_the_agreement_s_permission(self):
        self.agreement.key_opening = False
        self.agreement.save()
        with self.assertRaisesMessage(services.CareRefused, "110"):
            services.alert_key_handover(alert=self.alert, witness=self.volunteer2, reason="x", by=self.volunteer)
        self.assertFalse(KeyHandover.objects.exists())

    def test_a_keeper_who_may_not_see_the_alert_gets_404_and_a_building_head_who_keeps_no_keys_403(self):
        self.login(self.volunteer2)
        self.assertEqual(self.client.get(f"/care/alerts/{self.alert.pk}/key/").status_code, 404)
        self.login(self.head1)
        self.assertEqual(self.client.get(f"/care/alerts/{self.alert.pk}/key/").status_code, 403)

    def test_a_resolved_alert_starts_no_hand_over(self):
        with time_machine.travel(local(2036, 6, 3, 9, 50), tick=False):
            services.alert_resolve(alert=self.alert, by=self.volunteer, outcome=Alert.Outcome.WELL)
        with self.assertRaises(services.CareRefused):
            services.alert_key_handover(alert=self.alert, witness=self.volunteer2, reason="x", by=self.volunteer)

    def test_an_opening_is_allowed_only_while_the_key_s_consent_allows_emergencies(self):
        key_services.consent_withdraw(deposit=self.deposit, by=self.resident)
        with self.assertRaisesMessage(services.CareRefused, "钥匙"):
            services.agreement_update(agreement=self.agreement, by=self.chair, key_opening=True)
        with self.assertRaisesMessage(services.CareRefused, "钥匙"):
            services.alert_key_handover(alert=self.alert, witness=self.volunteer2, reason="x", by=self.volunteer)
        self.assertFalse(KeyHandover.objects.exists())
