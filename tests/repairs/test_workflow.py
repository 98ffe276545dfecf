"""The workflow: every move from every state, by every part a person can play; timestamps, reasons, timeline."""

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from accounts.models import ActivityRecord, Role
from repairs import services, workflow
from repairs.models import Ticket, TicketEvent, Volunteer
from tests.base import make_user
from tests.repairs.base import RepairsTestCase

S = Ticket.Status

# The repair workflow as the estate runs it, written out independently of repairs.workflow: (state, move) → who may.
ALLOWED = {
    (S.NEW, "accept"): {"member"},
    (S.NEW, "reject"): {"member"},
    (S.ACCEPTED, "assign"): {"member"},
    (S.ACCEPTED, "reject"): {"member"},
    (S.ASSIGNED, "assign"): {"member"},
    (S.ASSIGNED, "start"): {"member", "volunteer"},
    (S.IN_PROGRESS, "assign"): {"member"},
    (S.IN_PROGRESS, "finish"): {"member", "volunteer"},
    (S.DONE, "confirm"): {"resident"},
    (S.DONE, "reopen"): {"resident"},
    (S.DONE, "close"): {"member"},
    (S.CLOSED, "reopen"): {"resident"},
}
TARGET = {"accept": S.ACCEPTED, "reject": S.REJECTED, "assign": S.ASSIGNED, "start": S.IN_PROGRESS,
          "finish": S.DONE, "confirm": S.CONFIRMED, "reopen": S.ASSIGNED, "close": S.CLOSED}
# member: the committee; resident: the reporter; volunteer: the one assigned; head1 and resident_b see the
# ticket (a common area in building 1) but play no part in it.
PEOPLE = ("member", "resident", "volunteer", "head1", "resident_b")


class WorkflowTableTest(RepairsTestCase):
    def ticket_in(self, status):
        ticket = self.common_ticket()
        if status == S.REJECTED:
            return services.ticket_move(ticket=ticket, move="reject", by=self.member, comment="不是维修")
        if status in (S.CONFIRMED, S.CLOSED):
            ticket = self.advance(ticket, S.IN_PROGRESS)
            ticket = services.ticket_move(ticket=ticket, move="finish", by=self.member, at=self.days_ago(8))
            if status == S.CONFIRMED:
                return services.ticket_confirm(ticket=ticket, by=self.resident)
            return services.ticket_move(ticket=ticket, move="close", by=self.member)
        if status == S.DONE:
            ticket = self.advance(ticket, S.IN_PROGRESS)
            return services.ticket_move(ticket=ticket, move="finish", by=self.member, at=self.days_ago(8))
        return self.advance(ticket, status)

    def attempt(self, ticket, move, person):
        if move == "assign":
            return services.ticket_assign(ticket=ticket, by=person, volunteer=self.zhao)
        if move == "confirm":
            return services.ticket_confirm(ticket=ticket, by=person, rating=5)
        return services.ticket_move(ticket=ticket, move=move, by=person, comment="理由")

    def test_every_move_from_every_state_is_allowed_or_refused_as_the_issue_says(self):
        for status in S:
            ticket = self.ticket_in(status)
            self.assertEqual(ticket.status, status)
            for move in workflow.MOVES:
                for name in PEOPLE:
                    allowed = name in ALLOWED.get((status, move), set())
                    with self.subTest(status=status, move=move, person=name), transaction.atomic():
                        if allowed:
                            moved = self.attempt(ticket, move, getattr(self, name))
                            self.assertEqual(moved.status, TARGET[move])
                        else:
                            with self.assertRaises(ValidationError):
                                self.attempt(ticket, move, getattr(self, name))
                            self.assertEqual(Ticket.objects.get(pk=ticket.pk).status, status)
                        transaction.set_rollback(True)

    def test_the_table_offers_exactly_these_buttons(self):
        ticket = self.ticket_in(S.DONE)
        self.assertEqual([m.name for m in workflow.moves_for(ticket, self.resident)], ["reopen"])
        self.assertEqual([m.name for m in workflow.moves_for(ticket, self.member)], ["close"])
        self.assertEqual(workflow.moves_for(ticket, self.head1), [])


class WorkflowRulesTest(RepairsTestCase):
    def test_the_committee_may_close_an_unconfirmed_ticket_only_after_seven_days(self):
        ticket = self.advance(self.common_ticket(), S.IN_PROGRESS)
        ticket = services.ticket_move(ticket=ticket, move="finish", by=self.member, at=self.days_ago(6))
        with self.assertRaisesMessage(ValidationError, "has until"):
            services.ticket_move(ticket=ticket, move="close", by=self.member)
        closed = services.ticket_move(ticket=ticket, move="close", by=self.member, at=self.days_ago(-1))
        self.assertEqual(closed.status, S.CLOSED)

    def test_rejecting_and_reopening_need_a_reason(self):
        ticket = self.common_ticket()
        with self.assertRaisesMessage(ValidationError, "Please say why"):
            services.ticket_move(ticket=ticket, move="reject", by=self.member, comment="  ")
        ticket = services.ticket_move(ticket=ticket, move="reject", by=self.member, comment="属于个人装修")
        self.assertEqual(ticket.events.last().comment, "属于个人装修")
        self.assertIsNotNone(ticket.closed_at)

    def test_reopening_sends_the_work_back_to_the_person_assigned(self):
        ticket = self.advance(self.common_ticket(), S.DONE)
        ticket = services.ticket_move(ticket=ticket, move="reopen", by=self.resident, comment="又不亮了")
        self.assertEqual((ticket.status, ticket.volunteer, ticket.done_at), (S.ASSIGNED, self.zhao, None))
        self.assertIn(ticket, Ticket.objects.filter(volunteer__user=self.volunteer).open())

    def test_every_member_of_a_flat_may_confirm_its_repair(self):
        ticket = self.advance(self.flat_ticket(by=self.member), S.DONE)
        confirmed = services.ticket_confirm(ticket=ticket, by=self.resident, rating=4, comment="修好了")
        self.assertEqual((confirmed.status, confirmed.rating), (S.CONFIRMED, 4))

    def test_the_reporter_rates_once_from_one_to_five(self):
        ticket = self.advance(self.common_ticket(), S.DONE)
        with self.assertRaisesMessage(ValidationError, "one to five"):
            services.ticket_confirm(ticket=ticket, by=self.resident, rating=6)
        ticket = services.ticket_confirm(ticket=ticket, by=self.resident)
        self.assertIsNone(ticket.rating)
        with self.assertRaises(ValidationError):
            services.ticket_rate(ticket=ticket, by=self.resident_b, rating=1)
        ticket = services.ticket_rate(ticket=ticket, by=self.resident, rating=5, comment="谢谢赵师傅")
        self.assertEqual((ticket.rating, ticket.rating_comment), (5, "谢谢赵师傅"))
        with self.assertRaisesMessage(ValidationError, "once"):
            services.ticket_rate(ticket=ticket, by=self.resident, rating=1)

    def test_a_volunteer_works_only_the_tickets_assigned_to_them(self):
        other = Volunteer.objects.create(user=make_user("volunteer2", (Role.Kind.VOLUNTEER, None)))
        ticket = self.advance(self.common_ticket(), S.ASSIGNED, assignee={"volunteer": other})
        with self.assertRaisesMessage(ValidationError, "person assigned"):
            services.ticket_move(ticket=ticket, move="start", by=self.volunteer)
        self.assertEqual(services.ticket_move(ticket=ticket, move="start", by=other.user).status, S.IN_PROGRESS)

    def test_a_ticket_goes_to_one_volunteer_or_one_contractor(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        with self.assertRaisesMessage(ValidationError, "one volunteer or one contractor"):
            services.ticket_assign(ticket=ticket, by=self.member, volunteer=self.zhao, contractor=self.pipes)
        with self.assertRaisesMessage(ValidationError, "one volunteer or one contractor"):
            services.ticket_assign(ticket=ticket, by=self.member)
        Volunteer.objects.filter(pk=self.zhao.pk).update(is_active=False)
        self.zhao.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "not taking jobs"):
            services.ticket_assign(ticket=ticket, by=self.member, volunteer=self.zhao)
        ticket = services.ticket_assign(ticket=ticket, by=self.member, contractor=self.pipes)
        self.assertEqual((ticket.contractor, ticket.volunteer), (self.pipes, None))

    def test_every_change_goes_into_the_timeline_and_the_activity_log(self):
        ticket = self.advance(self.common_ticket(), S.DONE)
        services.ticket_confirm(ticket=ticket, by=self.resident, rating=5, comment="很好")
        kinds = list(ticket.events.values_list("kind", "move", "to_status"))
        self.assertEqual(kinds, [
            ("reported", "", "new"), ("moved", "accept", "accepted"), ("assigned", "assign", "assigned"),
            ("moved", "start", "in_progress"), ("moved", "finish", "done"), ("moved", "confirm", "confirmed"),
            ("rated", "", ""),
        ])
        verbs = list(ActivityRecord.objects.filter(target_id=str(ticket.pk)).order_by("at", "id")
                     .values_list("verb", flat=True))
        self.assertEqual(verbs, ["repairs.ticket.reported", "repairs.ticket.accept", "repairs.ticket.assign",
                                 "repairs.ticket.start", "repairs.ticket.finish", "repairs.ticket.confirm",
                                 "repairs.ticket.rated"])

    def test_the_timeline_cannot_be_rewritten(self):
        event = self.common_ticket().events.get()
        with self.assertRaises(DatabaseError), transaction.atomic():
            TicketEvent.objects.filter(pk=event.pk).update(comment="改写历史")
        with self.assertRaises(DatabaseError), transaction.atomic():
            TicketEvent.objects.filter(pk=event.pk).delete()

    def test_the_people_involved_comment_and_others_cannot(self):
        ticket = self.advance(self.common_ticket(), S.ASSIGNED)
        for person in (self.resident, self.member, self.volunteer, self.head1):
            services.ticket_comment(ticket=ticket, by=person, comment=f"{person} 留言")
        with self.assertRaisesMessage(ValidationError, "people involved"):
            services.ticket_comment(ticket=ticket, by=self.resident_b, comment="路过")
        self.assertEqual(ticket.events.filter(kind=TicketEvent.Kind.COMMENTED).count(), 4)

    def test_overdue_in_the_list_and_on_the_page_agree(self):
        late_new = self.common_ticket()
        Ticket.objects.filter(pk=late_new.pk).update(reported_at=self.days_ago(3))
        emergency = self.common_ticket(urgency=Ticket.Urgency.EMERGENCY)
        Ticket.objects.filter(pk=emergency.pk).update(reported_at=self.days_ago(0.25))
        fresh = self.common_ticket()
        accepted_late = self.advance(self.common_ticket(), S.ACCEPTED)
        Ticket.objects.filter(pk=accepted_late.pk).update(reported_at=self.days_ago(15))
        overdue = set(Ticket.objects.overdue())
        self.assertEqual(overdue, {late_new, emergency, accepted_late})
        for ticket in Ticket.objects.all():
            self.assertEqual(ticket.is_overdue(), ticket in overdue, ticket)
        self.assertNotIn(fresh, overdue)
