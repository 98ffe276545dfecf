from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from keys.models import KeyDeposit, KeyHandover, KeyKeeper, Purpose


class DemoKeysTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_the_demo_cabinet_holds_more_than_twenty_key_rings_some_for_watering_plants(self):
        deposits = KeyDeposit.objects.filter(status=KeyDeposit.Status.ACTIVE).prefetch_related("consents")
        self.assertGreater(deposits.count(), 20)
        self.assertGreaterEqual(sum(1 for d in deposits if d.current_consent.plants), 3)
        self.assertEqual(sorted(KeyKeeper.objects.values_list("user__username", flat=True)),
                         ["volunteer", "volunteer2"])

    def test_months_of_witnessed_hand_overs_with_one_emergency_and_one_key_overdue_now(self):
        handovers = list(KeyHandover.objects.prefetch_related("events"))
        months = {timezone.localtime(h.out_at).strftime("%Y-%m") for h in handovers}
        self.assertGreaterEqual(len(months), 3)
        self.assertTrue(all(h.keeper_id != h.witness_id for h in handovers))
        self.assertEqual([h.emergency_reason != "" for h in handovers if h.purpose == Purpose.EMERGENCY], [True])
        self.assertEqual(len([h for h in handovers if h.is_overdue]), 1)
        self.assertEqual(len([h for h in handovers if h.is_out]), 1)

    def test_every_demo_hand_over_keeps_the_rules(self):
        for handover in KeyHandover.objects.select_related("consent").prefetch_related("events"):
            day = timezone.localtime(handover.created_at).date()
            self.assertEqual(handover.within_consent, handover.consent.allows(handover.purpose, day))
            if handover.purpose != Purpose.EMERGENCY:
                self.assertTrue(handover.within_consent, handover)
            self.assertLessEqual(handover.out_at - handover.created_at, timedelta(minutes=15))

    def test_the_demo_resident_finds_the_story_on_the_dashboard(self):
        from accounts.models import User

        self.client.force_login(User.objects.get(username="resident"))
        response = self.client.get("/")
        self.assertContains(response, "您家的备用钥匙")
