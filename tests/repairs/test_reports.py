"""Repair figures for a month and a year, and the monthly list for the public notice."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from repairs import reports, services
from repairs.models import Ticket
from tests.repairs.base import C, P, RepairsTestCase

S = Ticket.Status


def at(day, hour=9, month=5, year=2026):
    return timezone.make_aware(datetime(year, month, day, hour))


class HistoryTestCase(RepairsTestCase):
    def history(self, *, reported, accepted=None, done=None, category=C.ELECTRICAL, assignee=None, **fields):
        """A ticket that went through the workflow at the given moments (hours after its report)."""
        ticket = services.ticket_report(by=self.resident, category=category, place=P.STAIRWELL,
                                        building=self.building1, description="坏了", at=reported, **fields)
        if accepted is not None:
            ticket = services.ticket_move(ticket=ticket, move="accept", by=self.member,
                                          at=reported + timedelta(hours=accepted))
        if done is not None:
            moment = reported + timedelta(hours=done)
            ticket = services.ticket_assign(ticket=ticket, by=self.member, at=moment,
                                            **(assignee or {"volunteer": self.zhao}))
            ticket = services.ticket_move(ticket=ticket, move="start", by=self.member, at=moment)
            ticket = services.ticket_move(ticket=ticket, move="finish", by=self.member, at=moment)
        return ticket


class FiguresTest(HistoryTestCase):
    def test_it_counts_opened_and_finished_with_median_and_worst_times(self):
        self.history(reported=at(2), accepted=1, done=10)
        self.history(reported=at(3), accepted=3, done=30)
        self.history(reported=at(4), accepted=8, done=48, category=C.DRAINS, assignee={"contractor": self.pipes})
        self.history(reported=at(30, 20), accepted=50)  # accepted in June: May counts it as opened only
        self.history(reported=at(28, month=4), accepted=2, done=24 * 4)  # reported in April, finished in May
        figures = reports.figures(reports.Period(2026, 5))
        total = figures["total"]
        self.assertEqual((total.opened, total.finished), (4, 4))
        self.assertEqual((total.to_accept.count, total.to_accept.median, total.to_accept.worst),
                         (3, timedelta(hours=3), timedelta(hours=8)))
        self.assertEqual((total.to_finish.median, total.to_finish.worst), (timedelta(hours=39), timedelta(days=4)))
        drains, electrical = figures["by_category"]  # in the order of the categories
        self.assertEqual((electrical.label, electrical.opened, electrical.finished), ("Electricity and lights", 3, 3))
        self.assertEqual((electrical.to_finish.median, electrical.to_finish.worst),
                         (timedelta(hours=30), timedelta(days=4)))
        self.assertEqual((drains.to_accept.median, drains.to_finish.worst), (timedelta(hours=8), timedelta(hours=48)))
        by_assignee = {group.label: group for group in figures["by_assignee"]}
        self.assertEqual(by_assignee["赵师傅"].to_finish.median, timedelta(hours=30))
        self.assertEqual(by_assignee["通达管道疏通"].finished, 1)

    def test_a_year_gathers_its_months(self):
        self.history(reported=at(2), accepted=1, done=10)
        self.history(reported=at(28, month=4), accepted=2, done=24 * 4)
        self.history(reported=at(31, 23, month=12, year=2025), accepted=2)
        year = reports.figures(reports.Period(2026))
        self.assertEqual((year["total"].opened, year["total"].finished, year["total"].to_accept.count), (2, 2, 3))

    def test_a_month_runs_by_the_estates_clock(self):
        # 23:30 on 31 May in Shanghai is still May, although it is already 15:30 UTC.
        self.history(reported=timezone.make_aware(datetime(2026, 5, 31, 23, 30)))
        self.assertEqual(reports.figures(reports.Period(2026, 5))["total"].opened, 1)
        self.assertEqual(reports.figures(reports.Period(2026, 6))["total"].opened, 0)

    def test_the_average_rating_of_the_work_finished(self):
        for rating in (5, 4, 4):
            ticket = self.history(reported=at(2), accepted=1, done=5)
            services.ticket_confirm(ticket=ticket, by=self.resident, rating=rating, at=at(6))
        self.history(reported=at(2), accepted=1, done=5)
        rating = reports.figures(reports.Period(2026, 5))["rating"]
        self.assertEqual((rating["average"], rating["count"]), (Decimal("4.3"), 3))

    def test_open_tickets_by_age(self):
        now = timezone.now()
        for days, urgency in ((1, "normal"), (5, "emergency"), (6, "normal"), (40, "normal")):
            self.history(reported=now - timedelta(days=days), urgency=urgency)
        self.history(reported=now - timedelta(days=3), accepted=1, done=2)  # finished: not open
        self.assertEqual([(str(label), n, e) for label, n, e in reports.open_by_age(now=now)], [
            ("up to 2 days", 1, 0), ("3 to 7 days", 2, 1), ("8 to 30 days", 0, 0), ("over 30 days", 1, 0),
        ])

    def test_money_is_none_for_a_month_without_repairs_paid(self):
        self.assertEqual(reports.figures(reports.Period(2026, 5))["spent"], Decimal("0.00"))


class FinishedInMonthTest(HistoryTestCase):
    def test_it_lists_the_months_finished_repairs_without_names_or_free_text(self):
        flat = services.ticket_report(by=self.resident, category=C.PLUMBING, place=P.FLAT,
                                      household=self.household_a, spot="周阿姨家厨房", description="漏水",
                                      at=at(3))
        flat = services.ticket_move(ticket=flat, move="accept", by=self.member, at=at(3, 10))
        flat = services.ticket_assign(ticket=flat, by=self.member, volunteer=self.zhao, at=at(3, 11))
        flat = services.ticket_move(ticket=flat, move="start", by=self.volunteer, at=at(3, 12))
        services.ticket_move(ticket=flat, move="finish", by=self.volunteer, at=at(4, 12))
        garden = services.ticket_report(by=self.member, category=C.GREENING, place=P.GARDEN, description="修剪",
                                        spot="王大爷家门口", at=at(1))
        garden = self.advance(garden, S.IN_PROGRESS)
        services.ticket_move(ticket=garden, move="finish", by=self.member, at=at(2, 15))
        self.history(reported=at(5), accepted=1)  # not finished
        rejected = services.ticket_report(by=self.resident, category=C.OTHER, place=P.BUILDING, description="噪音",
                                          at=at(6))
        services.ticket_move(ticket=rejected, move="reject", by=self.member, comment="不是维修", at=at(6, 10))

        rows = reports.finished_in_month(2026, 5)
        self.assertEqual([(r.number, r.category, r.location, r.finished_on, r.cost) for r in rows], [
            (garden.number, "Trees and greenery", "Garden and greenery", at(2).date(), None),
            (flat.number, "Water pipes", "1栋 · Inside a flat", at(4).date(), None),
        ])
        text = repr(rows)
        for private in ("周阿姨", "王大爷", "1-1-301", "赵师傅"):
            self.assertNotIn(private, text)
        self.assertEqual(reports.finished_in_month(2026, 6), [])


class FiguresPageTest(RepairsTestCase):
    def test_a_period_out_of_reach_shows_this_month(self):
        self.login(self.resident)
        today = timezone.localdate()
        for value in ("9999-12", "2026-13", "abc", "1900", "2026-05-01"):
            with self.subTest(value):
                response = self.client.get("/repairs/figures/", {"period": value})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["period"], reports.Period(today.year, today.month))
        response = self.client.get("/repairs/figures/", {"period": "2026"})
        self.assertEqual(response.context["period"], reports.Period(2026))
