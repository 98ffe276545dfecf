"""The demo estate's repairs: a realistic history, every state, the fire main's three quotes."""

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase

from ledger import services as ledger
from ledger.models import Expense
from repairs import costs
from repairs.models import Photo, Ticket


class DemoTest(TestCase):
    def test_the_demo_has_repairs_in_every_state_and_the_fire_mains_quotes(self):
        call_command("seed_demo", stdout=io.StringIO())
        self.assertGreaterEqual(Ticket.objects.count(), 5)
        self.assertEqual(set(Ticket.objects.values_list("status", flat=True)), set(Ticket.Status.values))
        for words in ("渗水", "楼道灯", "窨井", "铁门", "灌木"):  # roof, lights, drain, gate, garden
            self.assertTrue(Ticket.objects.filter(description__contains=words).exists(), words)
        garden = Ticket.objects.get(category=Ticket.Category.GREENING)
        self.assertIsNotNone(garden.volunteer)

        fire = Ticket.objects.get(category=Ticket.Category.FIRE)
        amounts = sorted(fire.quotes.values_list("amount", flat=True))
        self.assertEqual(amounts, [Decimal("26000.00"), Decimal("38500.00"), Decimal("90000.00")])
        self.assertEqual(fire.chosen_quote.amount, Decimal("26000.00"))
        self.assertTrue(costs.choice_is_approved(fire))
        self.assertEqual(ledger.approvals_missing(fire.chosen_quote.expense), 0)
        self.assertEqual(fire.contractor, fire.chosen_quote.contractor)

        paid = Expense.objects.get(status=Expense.Status.PAID, repair_quote__isnull=False)
        self.assertEqual((paid.amount, paid.source.ticket.status), (Decimal("380.00"), Ticket.Status.CLOSED))
        self.assertTrue(Photo.objects.exists())
