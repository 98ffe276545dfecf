"""Who sees which ticket: common areas for everyone with a role; a flat's ticket for its household,
the committee, its building's head and the person assigned; 404 for anyone else."""

from django.urls import reverse

from repairs.models import Ticket
from tests.repairs.base import RepairsTestCase, prepared_photo


class VisibilityTest(RepairsTestCase):
    def setUp(self):
        # Photos are stored here, not in setUpTestData: each test has its own MEDIA_ROOT (tests/conftest.py).
        self.stairwell = self.common_ticket()
        self.flat_a = self.flat_ticket(photos=[prepared_photo()])
        self.flat_b = self.flat_ticket(by=self.resident_b, household=self.household_b)

    def visible(self, user):
        return set(Ticket.objects.visible_to(user))

    def test_the_committee_sees_every_ticket(self):
        for person in (self.chair, self.member, self.treasurer):
            self.assertEqual(self.visible(person), {self.stairwell, self.flat_a, self.flat_b})

    def test_a_resident_sees_common_areas_and_their_own_flat(self):
        self.assertEqual(self.visible(self.resident), {self.stairwell, self.flat_a})
        self.assertEqual(self.visible(self.resident_b), {self.stairwell, self.flat_b})

    def test_a_building_head_sees_the_flats_of_their_building(self):
        self.assertEqual(self.visible(self.head1), {self.stairwell, self.flat_a})

    def test_a_volunteer_sees_common_areas_and_the_flats_they_are_sent_to(self):
        self.assertEqual(self.visible(self.volunteer), {self.stairwell})
        self.advance(self.flat_b, Ticket.Status.ASSIGNED)
        self.assertEqual(self.visible(self.volunteer), {self.stairwell, self.flat_b})

    def test_someone_without_a_role_sees_nothing(self):
        self.assertEqual(self.visible(self.outsider), set())

    def test_another_households_ticket_and_its_photos_answer_404(self):
        photo = self.flat_a.photos.get()
        urls = [reverse("repairs:detail", args=[self.flat_a.pk]),
                reverse("repairs:quotes", args=[self.flat_a.pk]),
                reverse("repairs:photo", args=[self.flat_a.pk, photo.pk]),
                reverse("repairs:photo-small", args=[self.flat_a.pk, photo.pk])]
        for person in (self.resident_b, self.volunteer):
            self.login(person)
            for url in urls:
                with self.subTest(person=person, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.resident)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_photo_is_served_only_with_its_own_ticket(self):
        photo = self.flat_a.photos.get()
        self.login(self.resident)
        response = self.client.get(reverse("repairs:photo", args=[self.stairwell.pk, photo.pk]))
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("repairs:photo", args=[self.flat_a.pk, photo.pk]))
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))

    def test_the_list_shows_what_the_person_may_see(self):
        self.login(self.resident_b)
        page = self.client.get(reverse("repairs:list"), {"state": "all"}).content.decode()
        self.assertIn(f'href="/repairs/{self.stairwell.pk}/"', page)
        self.assertIn(f'href="/repairs/{self.flat_b.pk}/"', page)
        self.assertNotIn(f'href="/repairs/{self.flat_a.pk}/"', page)
        self.assertNotIn("1-1-301", page)

    def test_residents_not_involved_do_not_read_the_reporters_name(self):
        self.login(self.resident_b)
        page = self.client.get(self.stairwell.get_absolute_url()).content.decode()
        self.assertNotIn(self.resident.name, page)
        self.login(self.head1)
        self.assertIn(self.resident.name, self.client.get(self.stairwell.get_absolute_url()).content.decode())

    def test_contractor_and_volunteer_phones_are_for_the_committee(self):
        ticket = self.advance(self.common_ticket(), Ticket.Status.ASSIGNED, assignee={"contractor": self.firm})
        self.login(self.resident)
        self.assertNotIn(self.firm.phone, self.client.get(ticket.get_absolute_url()).content.decode())
        self.login(self.member)
        self.assertIn(self.firm.phone, self.client.get(ticket.get_absolute_url()).content.decode())
