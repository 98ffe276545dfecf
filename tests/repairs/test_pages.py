"""Pages: a fixed number of queries whatever the number of rows, and what they show."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from repairs import dashboard, services
from repairs.models import Contractor, Photo, Skill, Ticket, TicketEvent, Volunteer
from tests.base import make_user
from tests.repairs.base import RepairsTestCase

S = Ticket.Status


class QueryCountTest(RepairsTestCase):
    def tickets(self, count):
        for n in range(count - Ticket.objects.count()):
            ticket = self.common_ticket(description=f"第{n}个问题")
            # A photo row (its file is never fetched by these tests).
            Photo.objects.create(ticket=ticket, event=ticket.events.get(), file="x.jpg", thumbnail="y.jpg",
                                 uploaded_by=self.resident)
            if n % 3 == 0:
                self.advance(ticket, S.ASSIGNED)

    def assert_constant(self, url, grow, expected, user=None):
        """`expected` queries at 10 rows and at 50, the session and the user with their roles included."""
        self.login(user or self.member)
        self.client.get(url)  # warm the content-type cache, as a running server has
        for size in (10, 50):
            grow(size)
            caches["panels"].clear()  # the page made, not as kept (estate/panels.py)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            self.assertEqual(len(queries), expected, f"{size} rows: " + "\n".join(
                q["sql"][:150] for q in queries))

    def test_the_ticket_list(self):
        # session, user with its unread count and roles, the versions' tokens (the list is kept under them,
        # estate/panels.py), count, one page of tickets with place and assignee, their photos
        self.assert_constant(reverse("repairs:list"), self.tickets, 6)
        self.assert_constant(reverse("repairs:list") + "?state=all&mine=reported", self.tickets, 6,
                             user=self.resident)
        # Kept: session, user with its unread count and roles, the tokens.
        with self.assertNumQueries(3):
            self.client.get(reverse("repairs:list") + "?state=all&mine=reported")

    def test_the_kept_ticket_list_changes_with_a_bulk_update_and_with_the_clock(self):
        ticket = self.common_ticket(urgency=Ticket.Urgency.EMERGENCY)
        self.login(self.resident)
        overdue = '<span class="badge warn">已超时</span>'
        self.assertNotIn(overdue, self.client.get(reverse("repairs:list")).content.decode())
        with time_machine.travel(ticket.reported_at + Ticket.ACCEPT_WITHIN[ticket.urgency] + timedelta(minutes=1)):
            self.login(self.resident)
            self.assertIn(overdue, self.client.get(reverse("repairs:list")).content.decode())
        Ticket.objects.filter(pk=ticket.pk).update(spot="三楼楼道口")  # in bulk, by hand
        self.assertIn("三楼楼道口", self.client.get(reverse("repairs:list")).content.decode())

    def test_the_ticket_page(self):
        ticket = self.advance(self.common_ticket(), S.ASSIGNED)

        def comments(count):
            for n in range(count - ticket.events.count()):
                event = services.ticket_comment(ticket=ticket, by=self.resident, comment=f"第{n}条")
                Photo.objects.create(ticket=ticket, event=event, file="x.jpg", thumbnail="y.jpg",
                                     uploaded_by=self.resident)
        # session, user with its unread count and roles, ticket, events with authors, their photos, their photos
        # still processing, quotes, volunteers and contractors for the assign form, residents' comments (voice)
        self.assert_constant(ticket.get_absolute_url(), comments, 10)
        # for a resident not involved: the committee's names instead of the assign form
        self.assert_constant(ticket.get_absolute_url(), comments, 9, user=self.resident_b)

    def test_the_quote_comparison(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)

        def quotes(count):
            for n in range(count - ticket.quotes.count()):
                contractor = Contractor.objects.create(name=f"施工队{n}", trade=Skill.PLUMBING)
                services.quote_add(ticket=ticket, by=self.member, contractor=contractor, amount=Decimal(1000 + n))
        # session, user with roles, ticket, quotes with contractors and who added them,
        # contractors for the add form, quotes and the owners' decisions for the choose form,
        # residents' comments (voice)
        self.assert_constant(reverse("repairs:quotes", args=[ticket.pk]), quotes, 8)

    def test_the_talent_pool(self):
        def people(count):
            for n in range(Volunteer.objects.count(), count):
                user = make_user(f"v{n}")
                Volunteer.objects.create(user=user, skills=[Skill.GREENING])
                Contractor.objects.create(name=f"施工队{n}", trade=Skill.PLUMBING)
        # session, user with its unread count and roles, the state, volunteers with their open jobs, contractors
        # with theirs
        self.assert_constant(reverse("repairs:talent"), people, 5)

    def test_the_talent_pool_is_kept_per_viewer_until_the_repairs_or_the_people_change_however_written(self):
        contractor = Contractor.objects.create(name="老李水电", trade=Skill.PLUMBING)
        self.login(self.member)
        self.assertContains(self.client.get(reverse("repairs:talent")), "老李水电")
        with self.assertNumQueries(3):  # kept: session, user with its unread count and roles, the state
            self.assertContains(self.client.get(reverse("repairs:talent")), "老李水电")
        Contractor.objects.filter(pk=contractor.pk).update(name="老王水电")  # behind the app's back
        self.assertContains(self.client.get(reverse("repairs:talent")), "老王水电")
        volunteer = Volunteer.objects.create(user=make_user("helper", name="热心的邻居"), skills=[Skill.GREENING])
        self.assertContains(self.client.get(reverse("repairs:talent")), "热心的邻居")
        type(volunteer.user).objects.filter(pk=volunteer.user_id).update(name="改名的邻居")
        self.assertContains(self.client.get(reverse("repairs:talent")), "改名的邻居")
        self.login(self.resident)  # the committee's page, never shown from a member's kept copy
        self.assertEqual(self.client.get(reverse("repairs:talent")).status_code, 403)

    def test_the_figures(self):
        # session, user with its unread count and roles, the period's tickets, rating, open by age, money spent
        self.assert_constant(reverse("repairs:figures"), self.tickets, 6, user=self.resident)

    def test_the_dashboard_panels(self):
        # committee: the state (estate.cached: tokens and chain head, one query), then the kept open tickets with when
        # the finished ones were done and the quote choices awaiting approval, or, the first time after a change,
        # those read (3 queries) and kept (the cache's size, a savepoint, look for the row, write it, release);
        # volunteer: their jobs; resident: their household's tickets
        for user, expected in ((self.member, (10, 2)), (self.volunteer, (1, 1)), (self.resident, (1, 1))):
            self.assertTrue(user.active_roles)  # read once per request, before the panels
            for size in (10, 30):
                self.tickets(size)
                for number in expected:
                    request = RequestFactory().get("/")
                    request.user = user
                    with self.subTest(user=user.username, rows=size), CaptureQueriesContext(connection) as queries:
                        dashboard.panels(request)
                    self.assertEqual(len(queries), number, [q["sql"] for q in queries])


class PagesShowTest(RepairsTestCase):
    def test_the_committee_dashboard_shows_what_is_urgent_and_overdue(self):
        urgent = self.common_ticket(urgency=Ticket.Urgency.EMERGENCY, description="水管爆了")
        late = self.common_ticket(description="路灯坏了很久")
        Ticket.objects.filter(pk=late.pk).update(reported_at=self.days_ago(5))
        self.common_ticket(description="刚报的")
        self.login(self.member)
        response = self.client.get(reverse("estate:dashboard"))
        panel = next(context for template, context in response.context["panels"]
                     if template == "repairs/_dashboard_committee.html")
        self.assertEqual((panel["urgent"], panel["overdue"]), ([urgent], [late]))
        self.assertEqual(panel["counts"], {"new": 3, "urgent": 1, "overdue": 1, "unconfirmed": 0})
        self.assertContains(response, urgent.get_absolute_url())

    def test_a_ticket_past_its_promised_time_is_overdue_in_the_words_of_repairs_not_of_keys(self):
        late = self.common_ticket(description="路灯坏了很久")
        Ticket.objects.filter(pk=late.pk).update(reported_at=self.days_ago(5))
        self.login(self.member)
        dashboard = self.client.get(reverse("estate:dashboard")).content.decode()
        repairs_panel = dashboard.split('<section class="card repairs-panel">')[1].split("</section>")[0]
        self.assertIn("<strong>1</strong> 件超时", repairs_panel)
        self.assertNotIn("超时未还", repairs_panel)
        for url in (late.get_absolute_url(), reverse("repairs:list")):
            with self.subTest(url):
                page = self.client.get(url).content.decode()
                self.assertIn("超时", page)
                self.assertNotIn("超时未还", page)  # the key register's "overdue, not returned"
        self.assertContains(self.client.get(late.get_absolute_url()), '<span class="badge warn">已超时</span>')
        self.assertContains(self.client.get(reverse("repairs:list") + "?state=open"), "未办结")

    def test_a_volunteer_sees_their_jobs_on_the_dashboard(self):
        mine = self.advance(self.common_ticket(), S.ASSIGNED)
        self.login(self.volunteer)
        response = self.client.get(reverse("estate:dashboard"))
        self.assertContains(response, mine.get_absolute_url())
        self.assertContains(response, reverse("repairs:my-profile"))

    def test_the_ticket_page_offers_each_person_their_moves(self):
        ticket = self.advance(self.common_ticket(), S.DONE)
        self.login(self.resident)
        response = self.client.get(ticket.get_absolute_url())
        self.assertContains(response, reverse("repairs:confirm", args=[ticket.pk]))
        self.assertContains(response, reverse("repairs:move", args=[ticket.pk, "reopen"]))
        self.assertNotContains(response, reverse("repairs:move", args=[ticket.pk, "close"]))
        self.login(self.resident_b)
        response = self.client.get(ticket.get_absolute_url())
        self.assertNotContains(response, reverse("repairs:confirm", args=[ticket.pk]))
        self.assertNotIn("comment_form", response.context)

    def test_accepting_a_ticket_says_so(self):
        ticket = self.common_ticket()
        self.login(self.member)
        response = self.client.post(reverse("repairs:move", args=[ticket.pk, "accept"]), follow=True)
        self.assertEqual([str(m) for m in response.context["messages"]],
                         [f"报修 #{ticket.pk} 已受理。下一步：询价，或安排人来修。"])

    def test_the_volunteer_assigned_to_a_flat_sees_the_residents_phone_whole_and_a_building_head_masked(self):
        ticket = self.advance(self.flat_ticket(), S.ASSIGNED)
        self.login(self.volunteer)
        self.assertContains(self.client.get(ticket.get_absolute_url()),
                            '<dd>周阿姨 · <a class="phone" href="tel:13812341234">13812341234</a></dd>', html=True)
        self.login(self.head1)
        page = self.client.get(ticket.get_absolute_url())
        self.assertContains(page, '<dd>周阿姨 · <span class="phone">138****1234</span></dd>', html=True)
        self.assertNotContains(page, "13812341234")
        self.login(self.resident)  # the household is not shown its own number
        self.assertNotContains(self.client.get(ticket.get_absolute_url()), "联系住户")

    def test_a_move_refused_by_the_state_says_why(self):
        ticket = self.common_ticket()
        self.login(self.member)
        response = self.client.post(reverse("repairs:move", args=[ticket.pk, "finish"]), follow=True)
        self.assertEqual(len(response.context["messages"]), 1)
        self.assertEqual(Ticket.objects.get(pk=ticket.pk).status, S.NEW)

    def test_the_committee_assigns_from_the_ticket_page(self):
        ticket = self.advance(self.common_ticket(), S.ACCEPTED)
        self.login(self.member)
        response = self.client.get(ticket.get_absolute_url())
        options = dict(response.context["assign_form"].fields["assignee"].choices[1][1])
        self.assertIn("★", options[f"v{self.zhao.pk}"])  # an electrician for a light
        self.client.post(reverse("repairs:assign", args=[ticket.pk]), {"assignee": f"v{self.zhao.pk}",
                                                                       "comment": "麻烦赵师傅"})
        ticket.refresh_from_db()
        self.assertEqual((ticket.status, ticket.volunteer), (S.ASSIGNED, self.zhao))
        self.assertEqual(ticket.events.last().comment, "麻烦赵师傅")

    def test_the_reporter_confirms_and_rates_in_one_step(self):
        ticket = self.advance(self.common_ticket(), S.DONE)
        self.login(self.resident)
        self.client.post(reverse("repairs:confirm", args=[ticket.pk]), {"rating": "4", "comment": "挺好"})
        ticket.refresh_from_db()
        self.assertEqual((ticket.status, ticket.rating, ticket.rating_comment), (S.CONFIRMED, 4, "挺好"))
        self.assertEqual(ticket.events.filter(kind=TicketEvent.Kind.RATED).count(), 1)

    def test_a_volunteer_keeps_their_own_profile(self):
        self.login(self.volunteer)
        self.client.post(reverse("repairs:my-profile"), {"skills": ["locks", "electrical"], "availability": "周末",
                                                         "phone": "139 0000 2222", "notes": ""})
        self.zhao.refresh_from_db()
        self.assertEqual((self.zhao.skills, self.zhao.availability, self.zhao.phone),
                         (["electrical", "locks"], "周末", "13900002222"))

    def test_the_committee_adds_a_contractor_and_a_volunteer(self):
        newcomer = make_user("volunteer3", (Role.Kind.VOLUNTEER, None), name="孙阿姨")
        self.login(self.member)
        self.client.post(reverse("repairs:contractor-new"), {"name": " 永固 五金 ", "trade": "locks", "phone": "",
                                                             "notes": "", "is_active": "on"})
        self.assertTrue(Contractor.objects.filter(name="永固 五金").exists())
        page = self.client.get(reverse("repairs:volunteer-new"))
        self.assertEqual(list(page.context["form"].fields["user"].queryset), [newcomer])
        self.client.post(reverse("repairs:volunteer-new"), {"user": newcomer.pk, "skills": ["greening"],
                                                            "availability": "每天早上", "is_active": "on"})
        self.assertEqual(Volunteer.objects.get(user=newcomer).skills, ["greening"])

