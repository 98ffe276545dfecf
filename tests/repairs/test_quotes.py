"""Quotes and their cost: the ledger's approval rule on the choice, one expense linked both ways, paid once."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from estate import uploads
from ledger import services as ledger
from ledger.models import Expense, Method
from repairs import costs, reports, services, workflow
from repairs.models import Ticket
from tests.repairs.base import RepairsTestCase

S = Ticket.Status


@override_settings(LEDGER_APPROVAL_THRESHOLD=Decimal("500.00"))
class QuoteApprovalTest(RepairsTestCase):
    def accepted_with_quotes(self, *amounts):
        ticket = self.advance(self.common_ticket(category=Ticket.Category.FIRE), S.ACCEPTED)
        quotes = [services.quote_add(ticket=ticket, by=self.member, contractor=contractor, amount=Decimal(amount))
                  for contractor, amount in zip((self.firm, self.pipes, self.firm), amounts, strict=False)]
        return Ticket.objects.get(pk=ticket.pk), quotes

    def choose(self, ticket, quote, by=None):
        return services.quote_choose(ticket=ticket, quote=quote, reason="便宜一半，保修两年", by=by or self.chair)

    def test_choosing_a_quote_enters_one_expense_linked_both_ways(self):
        ticket, (dear, cheap) = self.accepted_with_quotes("90000.00", "26000.00")
        self.choose(ticket, cheap)
        cheap.refresh_from_db()
        expense = cheap.expense
        self.assertEqual((expense.amount, expense.payee, expense.category.code, expense.status),
                         (Decimal("26000.00"), "通达管道疏通", "repairs", Expense.Status.PENDING))
        self.assertEqual(expense.source, cheap)
        self.assertEqual(list(ledger.expenses_for(cheap)), [expense])
        self.assertEqual(expense.entered_by, self.chair)
        self.assertIn(f"#{ticket.pk}", expense.description)

    def test_the_expense_is_entered_once_however_often_the_choice_is_sent(self):
        ticket, (quote,) = self.accepted_with_quotes("26000.00")
        self.choose(ticket, quote)
        with self.assertRaisesMessage(ValidationError, "already the chosen one"):
            self.choose(ticket, quote)
        self.assertEqual(Expense.objects.count(), 1)

    def test_at_the_threshold_the_work_waits_for_two_approvals_by_others(self):
        ticket, (quote,) = self.accepted_with_quotes("500.00")
        ticket = self.choose(ticket, quote)
        self.assertFalse(costs.choice_is_approved(ticket))
        with self.assertRaisesMessage(ValidationError, "waiting for the committee's approvals"):
            services.ticket_assign(ticket=ticket, by=self.member, contractor=self.firm)
        quote.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "cannot approve"):
            ledger.expense_approve(expense=quote.expense, by=self.chair)  # who chose it
        ledger.expense_approve(expense=quote.expense, by=self.member)
        with self.assertRaisesMessage(ValidationError, "already approved"):
            ledger.expense_approve(expense=quote.expense, by=self.member)
        self.assertFalse(costs.choice_is_approved(Ticket.objects.get(pk=ticket.pk)))
        ledger.expense_approve(expense=quote.expense, by=self.treasurer)
        ticket = Ticket.objects.get(pk=ticket.pk)
        self.assertTrue(costs.choice_is_approved(ticket))
        ticket = services.ticket_assign(ticket=ticket, by=self.member, contractor=self.firm)
        self.assertEqual(services.ticket_move(ticket=ticket, move="start", by=self.member).status, S.IN_PROGRESS)

    def test_below_the_threshold_the_choice_takes_effect_at_once(self):
        ticket, (quote,) = self.accepted_with_quotes("499.99")
        ticket = self.choose(ticket, quote)
        self.assertTrue(costs.choice_is_approved(ticket))
        state = costs.approval_state(ticket)
        self.assertEqual((state.needs_two, state.missing, state.settled), (False, 0, True))
        self.assertEqual(services.ticket_assign(ticket=ticket, by=self.member, contractor=self.firm).status,
                         S.ASSIGNED)

    def test_a_ticket_assigned_before_the_choice_cannot_start_until_it_is_approved(self):
        ticket, (quote,) = self.accepted_with_quotes("3000.00")
        ticket = services.ticket_assign(ticket=ticket, by=self.member, contractor=self.firm)
        ticket = self.choose(ticket, quote)
        self.assertIn("approvals", workflow.refusal(ticket, "start", self.member))

    def test_the_work_goes_to_the_contractor_whose_quote_was_chosen(self):
        ticket, (quote,) = self.accepted_with_quotes("300.00")
        ticket = self.choose(ticket, quote)
        with self.assertRaisesMessage(ValidationError, "give the work to them"):
            services.ticket_assign(ticket=ticket, by=self.member, contractor=self.pipes)
        with self.assertRaisesMessage(ValidationError, "give the work to them"):
            services.ticket_assign(ticket=ticket, by=self.member, volunteer=self.zhao)

    def test_choosing_another_quote_withdraws_the_first_expense(self):
        ticket, (dear, cheap) = self.accepted_with_quotes("90000.00", "26000.00")
        ticket = self.choose(ticket, dear)
        ticket = self.choose(ticket, cheap)
        dear.refresh_from_db()
        cheap.refresh_from_db()
        self.assertEqual(dear.expense.status, Expense.Status.CANCELLED)
        self.assertEqual(cheap.expense.status, Expense.Status.PENDING)
        self.assertEqual(ticket.chosen_quote, cheap)
        self.assertEqual(Expense.objects.filter(status=Expense.Status.PENDING).count(), 1)

    def test_a_choice_cancelled_in_the_accounts_must_be_made_again(self):
        ticket, (quote,) = self.accepted_with_quotes("800.00")
        ticket = self.choose(ticket, quote)
        quote.refresh_from_db()
        ledger.expense_cancel(expense=quote.expense, reason="价格要重谈", by=self.treasurer)
        ticket = Ticket.objects.get(pk=ticket.pk)
        self.assertFalse(costs.choice_is_approved(ticket))
        self.assertTrue(costs.approval_state(ticket).cancelled)
        self.choose(ticket, quote)
        quote.refresh_from_db()
        self.assertEqual(quote.expense.status, Expense.Status.PENDING)
        self.assertEqual(Expense.objects.count(), 2)

    def test_only_the_committee_gathers_and_chooses_quotes_and_only_before_the_work(self):
        ticket, (quote,) = self.accepted_with_quotes("800.00")
        with self.assertRaisesMessage(ValidationError, "Only the committee"):
            services.quote_add(ticket=ticket, by=self.resident, contractor=self.firm, amount=Decimal("1.00"))
        with self.assertRaisesMessage(ValidationError, "Only the committee"):
            services.quote_choose(ticket=ticket, quote=quote, reason="x", by=self.head1)
        with self.assertRaisesMessage(ValidationError, "Say why"):
            services.quote_choose(ticket=ticket, quote=quote, reason=" ", by=self.chair)
        new = self.common_ticket()
        with self.assertRaisesMessage(ValidationError, "after a ticket is accepted"):
            services.quote_add(ticket=new, by=self.member, contractor=self.firm, amount=Decimal("1.00"))
        self.assertEqual(Expense.objects.count(), 0)


@override_settings(LEDGER_APPROVAL_THRESHOLD=Decimal("500.00"))
class RepairCostTest(RepairsTestCase):
    def paid_repair(self, amount="26000.00"):
        ticket = self.advance(self.common_ticket(category=Ticket.Category.FIRE), S.ACCEPTED)
        quote = services.quote_add(ticket=ticket, by=self.member, contractor=self.firm, amount=Decimal(amount))
        ticket = services.quote_choose(ticket=ticket, quote=quote, reason="最便宜", by=self.chair)
        quote.refresh_from_db()
        for approver in (self.member, self.treasurer):
            ledger.expense_approve(expense=quote.expense, by=approver)
        ticket = self.advance(ticket, S.DONE, assignee={"contractor": self.firm})
        ledger.expense_pay(expense=quote.expense, method=Method.BANK, by=self.treasurer)
        quote.refresh_from_db()
        return ticket, quote

    def test_the_paid_cost_appears_in_the_figures_and_on_the_monthly_list(self):
        ticket, quote = self.paid_repair()
        paid_on = quote.expense.transaction.date
        period = reports.Period(paid_on.year, paid_on.month)
        self.assertEqual(reports.figures(period)["spent"], Decimal("26000.00"))
        self.assertEqual(costs.cost_of(ticket), Decimal("26000.00"))
        done = ticket.done_at.astimezone()
        rows = reports.finished_in_month(done.year, done.month)
        self.assertEqual([(r.number, r.cost) for r in rows], [(ticket.number, Decimal("26000.00"))])

    def test_a_paid_choice_cannot_change(self):
        ticket, quote = self.paid_repair()
        self.assertTrue(costs.approval_state(ticket).paid)
        Ticket.objects.filter(pk=ticket.pk).update(status=S.ACCEPTED)  # as if someone tried again
        other = services.quote_add(ticket=ticket, by=self.member, contractor=self.pipes, amount=Decimal("1.00"))
        with self.assertRaisesMessage(ValidationError, "already paid"):
            services.quote_choose(ticket=ticket, quote=other, reason="换一家", by=self.chair)

    def test_a_reversed_payment_is_no_longer_counted(self):
        ticket, quote = self.paid_repair("1200.00")
        ledger.transaction_reverse(original=quote.expense.transaction, reason="付错了", by=self.treasurer)
        self.assertIsNone(costs.cost_of(ticket))


class QuotePagesTest(RepairsTestCase):
    def test_a_quote_with_its_document_is_added_and_served_to_those_who_see_the_ticket(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        self.login(self.member)
        document = SimpleUploadedFile("报价单.pdf", b"%PDF-1.7\n1 0 obj\n", content_type="application/pdf")
        self.client.post(reverse("repairs:quote-add", args=[ticket.pk]),
                         {"contractor": self.firm.pk, "amount": "26000", "notes": "含阀门", "attachment": document})
        quote = ticket.quotes.get()
        self.assertEqual(quote.amount, Decimal("26000.00"))
        self.assertTrue(default_storage.exists(quote.attachment))
        self.login(self.resident_b)
        response = self.client.get(reverse("repairs:quote-document", args=[ticket.pk, quote.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("sandbox", response["Content-Security-Policy"])

    def test_a_quote_document_that_is_not_a_pdf_or_photo_is_refused(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        self.login(self.member)
        page = SimpleUploadedFile("quote.pdf", b"<html><script>alert(1)</script></html>", content_type="text/html")
        response = self.client.post(reverse("repairs:quote-add", args=[ticket.pk]),
                                    {"contractor": self.firm.pk, "amount": "100", "attachment": page}, follow=True)
        self.assertEqual(ticket.quotes.count(), 0)
        self.assertEqual(len(response.context["messages"]), 1)

    @override_settings(LEDGER_MAX_AMOUNT=Decimal("100000.00"))
    def test_a_quote_amount_is_checked_like_every_amount_the_books_take(self):
        # Its amount becomes a ledger expense when chosen: one fen is a price, a third decimal or a sum the
        # books refuse is a typo to catch when the quote is added, not when it is chosen.
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        self.login(self.member)
        url = reverse("repairs:quote-add", args=[ticket.pk])
        self.client.post(url, {"contractor": self.firm.pk, "amount": "0.01"})
        self.assertEqual([q.amount for q in ticket.quotes.all()], [Decimal("0.01")])
        for amount in ("0.005", "100000.01", "0", "-5"):
            with self.subTest(amount=amount):
                self.client.post(url, {"contractor": self.firm.pk, "amount": amount})
                with self.assertRaises(ValidationError):
                    services.quote_add(ticket=ticket, by=self.member, contractor=self.firm, amount=Decimal(amount))
        self.assertEqual(ticket.quotes.count(), 1)

    def test_the_comparison_shows_each_quote_against_the_lowest(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        for contractor, amount in ((self.firm, "90000.00"), (self.pipes, "26000.00")):
            services.quote_add(ticket=ticket, by=self.member, contractor=contractor, amount=Decimal(amount))
        self.login(self.resident)
        response = self.client.get(reverse("repairs:quotes", args=[ticket.pk]))
        self.assertEqual([(q.amount, diff) for q, diff in response.context["rows"]],
                         [(Decimal("26000.00"), Decimal("0.00")), (Decimal("90000.00"), Decimal("64000.00"))])
        self.assertContains(response, "64,000.00")
        self.assertNotIn("choose_form", response.context)

    def test_the_chair_chooses_only_with_two_factor_login(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        quote = services.quote_add(ticket=ticket, by=self.member, contractor=self.firm, amount=Decimal("100.00"))
        self.chair.authenticator_set.all().delete()
        self.login(self.chair)
        response = self.client.post(reverse("repairs:quote-choose", args=[ticket.pk]),
                                    {"quote": quote.pk, "reason": "便宜"})
        self.assertRedirects(response, reverse("accounts:two-step") + "?next=%2F", fetch_redirect_response=False)
        self.assertIsNone(Ticket.objects.get(pk=ticket.pk).chosen_quote)
        self.login(self.member)
        self.client.post(reverse("repairs:quote-choose", args=[ticket.pk]), {"quote": quote.pk, "reason": "便宜"})
        self.assertEqual(Ticket.objects.get(pk=ticket.pk).chosen_quote, quote)


def test_uploads_module_is_the_one_used():
    # Quotes' documents and tickets' photos are both cleaned by estate.uploads, not by a copy of it.
    from repairs import forms
    assert forms.uploads is uploads
