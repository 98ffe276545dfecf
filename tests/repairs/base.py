"""The test estate's repairs: a volunteer in the talent pool, two contractors, helpers to report and move tickets."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from estate import uploads
from repairs import services
from repairs.models import Contractor, Skill, Ticket, Volunteer
from tests.base import BaseTestCase

C, P = Ticket.Category, Ticket.Place


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), gps=False):
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def jpeg_upload(name="photo.jpg", **kwargs):
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def prepared_photo(**kwargs):
    return uploads.prepare_image(jpeg_upload(**kwargs))


class RepairsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhao = Volunteer.objects.create(user=cls.volunteer, skills=[Skill.ELECTRICAL, Skill.PLUMBING],
                                            availability="工作日白天", phone="13900001111")
        cls.firm = Contractor.objects.create(name="安泰消防维修", trade=Skill.FIRE_SAFETY, phone="13812250033")
        cls.pipes = Contractor.objects.create(name="通达管道疏通", trade=Skill.PLUMBING)

    def setUp(self):
        super().setUp()
        # Services' messages are read in English here; pages are checked in the Chinese people see.
        self.enterContext(translation.override("en"))

    def common_ticket(self, by=None, **fields):
        """A stairwell light in building 1, reported by `resident` (visible to every resident)."""
        values = {"category": C.ELECTRICAL, "place": P.STAIRWELL, "building": self.building1,
                  "description": "楼道灯不亮", **fields}
        return services.ticket_report(by=by or self.resident, **values)

    def flat_ticket(self, by=None, household=None, **fields):
        """A leak inside flat 1-1-301, reported by its resident (visible to that household only)."""
        values = {"category": C.PLUMBING, "place": P.FLAT, "household": household or self.household_a,
                  "description": "厨房水管滴水", **fields}
        return services.ticket_report(by=by or self.resident, **values)

    def advance(self, ticket, to, *, assignee=None):
        """Move a ticket along the happy path up to status `to`, the committee and volunteer acting."""
        order = [Ticket.Status.NEW, Ticket.Status.ACCEPTED, Ticket.Status.ASSIGNED, Ticket.Status.IN_PROGRESS,
                 Ticket.Status.DONE]
        steps = {
            Ticket.Status.ACCEPTED: lambda t: services.ticket_move(ticket=t, move="accept", by=self.member),
            Ticket.Status.ASSIGNED: lambda t: services.ticket_assign(
                ticket=t, by=self.member, **(assignee or {"volunteer": self.zhao})),
            Ticket.Status.IN_PROGRESS: lambda t: services.ticket_move(ticket=t, move="start", by=self.member),
            Ticket.Status.DONE: lambda t: services.ticket_move(ticket=t, move="finish", by=self.member),
        }
        for status in order[order.index(ticket.status) + 1: order.index(to) + 1]:
            ticket = steps[status](ticket)
        return Ticket.objects.get(pk=ticket.pk)

    @staticmethod
    def days_ago(days):
        return timezone.now() - timedelta(days=days)


def money(text):
    return Decimal(text)
