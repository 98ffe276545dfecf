import re

import time_machine

from accounts.models import ActivityRecord
from care.models import Agreement, Alert, Check
from tests.care.base import CareTestCase, local
from tests.care.test_escalation import run


class DailyCheckPageTest(CareTestCase):
    def test_the_buddy_records_the_sign_in_one_tap_from_today_s_worklist(self):
        with time_machine.travel(local(2036, 6, 3, 8, 30), tick=False):
            self.login(self.volunteer)
            page = self.client.get("/care/")
            self.assertContains(page, "1-1-301")
            self.assertContains(page, f'action="/care/agreements/{self.agreement.pk}/check/"')
            response = self.client.post(f"/care/agreements/{self.agreement.pk}/check/")
        self.assertRedirects(response, "/care/")
        check = Check.objects.get()
        self.assertEqual((check.day.isoformat(), check.by), ("2036-06-03", self.volunteer))

    def test_the_person_taps_i_am_fine_today(self):
        with time_machine.travel(local(2036, 6, 3, 8, 30), tick=False):
            self.login(self.resident)
            self.assertContains(self.client.get("/care/"), "我今天很好")
            self.client.post(f"/care/agreements/{self.agreement.pk}/check/")
        self.assertEqual(Check.objects.get().by, self.resident)

    def test_a_buddy_who_is_not_this_person_s_buddy_gets_403(self):
        other = self.make_agreement(person=self.resident_b_record, household=self.household_b,
                                    buddy=self.volunteer2, backup=None, key_opening=False)
        for intruder in (self.volunteer2, self.head1, self.chair, self.resident_b):
            self.login(intruder)
            self.assertEqual(self.client.post(f"/care/agreements/{self.agreement.pk}/check/").status_code, 403)
        self.assertFalse(Check.objects.exists())
        self.login(self.volunteer)
        self.assertEqual(self.client.post(f"/care/agreements/{other.pk}/check/").status_code, 403)

    def test_a_second_tap_the_same_day_records_nothing_more(self):
        self.login(self.volunteer)
        self.client.post(f"/care/agreements/{self.agreement.pk}/check/")
        self.client.post(f"/care/agreements/{self.agreement.pk}/check/")
        self.assertEqual(Check.objects.count(), 1)
        self.assertEqual(ActivityRecord.objects.filter(verb="care.check_recorded").count(), 1)


class AgreementPageTest(CareTestCase):
    def test_every_look_at_an_agreement_is_in_the_activity_log(self):
        for viewer in (self.head1, self.neighbour, self.resident):
            self.login(viewer)
            page = self.client.get(f"/care/agreements/{self.agreement.pk}/")
            self.assertContains(page, "周阿姨")
        views = ActivityRecord.objects.filter(verb="care.agreement_viewed", target_id=str(self.agreement.pk))
        self.assertEqual(sorted(r.actor.username for r in views), ["head1", "neighbour", "resident"])

    def test_phones_are_masked_for_the_building_head_and_whole_for_the_committee(self):
        self.login(self.head1)
        page = self.client.get(f"/care/agreements/{self.agreement.pk}/")
        self.assertContains(page, "138****1234")
        self.assertContains(page, "139****1111")
        self.assertNotContains(page, "13900001111")
        self.login(self.chair)
        self.assertContains(self.client.get(f"/care/agreements/{self.agreement.pk}/"), "13900001111")

    def test_outsiders_do_not_see_the_agreement_at_all(self):
        for outsider in (self.volunteer2, self.resident_b, self.outsider):
            self.login(outsider)
            self.assertEqual(self.client.get(f"/care/agreements/{self.agreement.pk}/").status_code, 404)
            self.assertNotContains(self.client.get("/care/agreements/"), "1-1-301")

    def test_the_committee_records_an_agreement_with_the_family_s_consent(self):
        self.login(self.chair)
        response = self.client.post("/care/agreements/new/", {
            "person": self.resident_b_record.pk, "sign": "light", "deadline": "20:00", "weekdays": ["0", "3"],
            "buddy": self.volunteer2.pk, "family_name": "", "family_phone": "", "family2_name": "",
            "family2_phone": "", "consent_by": "family", "consent_name": "吴小明", "consent_relation": "",
        })
        self.assertContains(response, "请说明")  # the relation of the family member who consented
        response = self.client.post("/care/agreements/new/", {
            "person": self.resident_b_record.pk, "sign": "light", "deadline": "20:00", "weekdays": ["0", "3"],
            "buddy": self.volunteer2.pk, "family_name": "", "family_phone": "", "family2_name": "",
            "family2_phone": "", "consent_by": "family", "consent_name": "吴小明", "consent_relation": "儿子",
        })
        agreement = Agreement.objects.get(person=self.resident_b_record)
        self.assertRedirects(response, f"/care/agreements/{agreement.pk}/")
        self.assertEqual((agreement.household, agreement.weekdays, agreement.consent_name, agreement.consent_by,
                          agreement.consent_recorded_by), (self.household_b, [0, 3], "吴小明", "family", self.chair))
        self.assertTrue(ActivityRecord.objects.filter(verb="care.agreement_created", target_id=str(agreement.pk)))

    def test_the_person_pauses_and_resumes_from_their_phone(self):
        self.login(self.resident)
        self.client.post(f"/care/agreements/{self.agreement.pk}/pause/", {"reason": "去女儿家住一周"})
        self.assertEqual((self.fresh_agreement().status, self.fresh_agreement().pause_reason), ("paused",
                                                                                             "去女儿家住一周"))
        self.client.post(f"/care/agreements/{self.agreement.pk}/resume/")
        self.assertEqual(self.fresh_agreement().status, "active")

    def test_the_alert_page_resolves_with_what_was_found(self):
        run(local(2036, 6, 3, 9, 10))
        alert = Alert.objects.get()
        self.login(self.neighbour)
        page = self.client.get(f"/care/alerts/{alert.pk}/")
        self.assertContains(page, "1-1-301")
        self.client.post(f"/care/alerts/{alert.pk}/resolve/", {"outcome": "visited", "note": "敲门，她刚起床"})
        alert = Alert.objects.get()
        self.assertEqual((alert.outcome, alert.note, alert.resolved_by), ("visited", "敲门，她刚起床", self.neighbour))


class KeptAgreementsPageTest(CareTestCase):
    """The agreements list is kept whole per viewer and state of the care, the register and the people."""

    def test_a_kept_list_follows_an_agreement_changed_behind_the_app_s_back(self):
        self.login(self.chair)
        self.assertContains(self.client.get("/care/agreements/"), "1-1-301")
        self.assertIn("1-1-301", self.kept_page_without("/care/agreements/", "care_agreement"))
        Agreement.objects.filter(pk=self.agreement.pk).update(status=Agreement.Status.ENDED)  # no activity record
        self.assertNotContains(self.client.get("/care/agreements/"), "1-1-301")

    def test_one_person_s_kept_list_is_never_shown_to_another(self):
        self.login(self.chair)
        self.assertContains(self.client.get("/care/agreements/"), "1-1-301")
        self.login(self.volunteer2)
        self.assertNotContains(self.client.get("/care/agreements/"), "1-1-301")


class KeptTodayPageTest(CareTestCase):
    """Today's checks are kept as HTML per viewer, day and state of the care, the register and the people."""

    def test_the_second_visit_reads_no_agreement_and_a_check_written_behind_the_app_s_back_shows_at_once(self):
        with time_machine.travel(local(2036, 6, 3, 8, 30), tick=False):
            self.login(self.volunteer)
            # made: session, user, the state, the agreements with today's checks, the open alerts
            with self.assertNumQueries(6):
                self.assertContains(self.client.get("/care/"), "看到了：平安")
            # session, user with its unread count and roles, the state: no agreement, check or alert
            with self.assertNumQueries(3):
                self.assertContains(self.client.get("/care/"), "看到了：平安")
            Check.objects.create(agreement=self.agreement, day=local(2036, 6, 3, 8, 0).date(),
                                 at=local(2036, 6, 3, 8, 0), by=self.volunteer)
            self.assertContains(self.client.get("/care/"), "08:00 已记录")
            Agreement.objects.filter(pk=self.agreement.pk).update(status=Agreement.Status.PAUSED)
            self.assertContains(self.client.get("/care/"), "今天没有要查看的。")
            Agreement.objects.filter(pk=self.agreement.pk).update(status=Agreement.Status.ACTIVE)
            self.assertContains(self.client.get("/care/"), "08:00 已记录")
        with time_machine.travel(local(2036, 6, 4, 8, 30), tick=False):
            self.login(self.volunteer)
            page = self.client.get("/care/")
        self.assertContains(page, "看到了：平安")  # a new day, nothing written: not yet seen

    def test_one_person_s_kept_worklist_is_never_shown_to_another(self):
        with time_machine.travel(local(2036, 6, 3, 8, 30), tick=False):
            self.login(self.volunteer)
            self.assertContains(self.client.get("/care/"), "1-1-301")
            self.login(self.volunteer2)
            self.assertNotContains(self.client.get("/care/"), "1-1-301")
            self.login(self.resident)
            self.assertContains(self.client.get("/care/"), "我今天很好")

    def test_the_kept_page_s_form_carries_this_session_s_token(self):
        other = self.client_class(enforce_csrf_checks=True)
        self.login(self.volunteer)
        other.force_login(self.volunteer)
        self.assertContains(self.client.get("/care/"), "1-1-301")
        with self.assertNumQueries(3):  # kept: session, user with its unread count and roles, the state
            page = other.get("/care/").content.decode()
        self.assertNotIn("formtoken", page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = other.post(f"/care/agreements/{self.agreement.pk}/check/", {"csrfmiddlewaretoken": token})
        self.assertRedirects(response, "/care/", fetch_redirect_response=False)
        self.assertEqual(Check.objects.get().by, self.volunteer)
