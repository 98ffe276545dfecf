"""Photos leave the request path: checked cheaply when they arrive, cleaned by the background worker.

A report answers as soon as the photos are checked (size, format, the dimensions their headers declare,
and all of them together within a pixel budget); the ticket shows "processing" (处理中) until the worker
has decoded, re-encoded and thumbnailed them.
"""

import io
from unittest import mock

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, JpegImagePlugin

from accounts.models import ActivityRecord
from estate import uploads
from repairs import services, tasks
from repairs.models import PendingPhoto, Photo, Ticket
from tests.background import run_queued_tasks
from tests.repairs.base import RepairsTestCase, jpeg_bytes, jpeg_upload
from tests.repairs.test_report import chinese


def big_png():
    """6000×6000 pixels, each picture under the 40-million limit, about 35 KB of file."""
    out = io.BytesIO()
    Image.new("L", (6000, 6000), 200).save(out, "PNG", compress_level=9)
    return out.getvalue()


class PhotoProcessingTest(RepairsTestCase):
    url = reverse("repairs:new")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.big_png = big_png()

    def form(self, photos):
        return {"place": "stairwell", "building": self.building1.pk, "category": "electrical",
                "urgency": "normal", "spot": "1单元5楼", "description": "楼道灯不亮。", "photos": photos}

    def finish_photos(self):
        with self.captureOnCommitCallbacks(execute=True):
            return run_queued_tasks()

    def test_six_6000_pixel_pngs_in_one_report_are_refused_without_being_decoded(self):
        self.login(self.resident)
        photos = [SimpleUploadedFile(f"{n}.png", self.big_png, content_type="image/png") for n in range(6)]
        with mock.patch.object(Image.Image, "load", side_effect=AssertionError("a photo was decoded")):
            response = self.client.post(self.url, self.form(photos))
        self.assertContains(response, chinese(
            "These photos are too large together (more than %(megapixels)s million pixels): send fewer at a "
            "time, or smaller ones.") % {"megapixels": 100})
        self.assertFalse(Ticket.objects.exists())
        self.assertFalse(PendingPhoto.objects.exists())

    def test_the_ticket_shows_processing_until_the_worker_has_cleaned_the_photos(self):
        self.login(self.resident)
        photos = [jpeg_upload("IMG_1.jpg", gps=True), SimpleUploadedFile("big.png", self.big_png)]
        with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded in the request")):
            response = self.client.post(self.url, self.form(photos))
        ticket = Ticket.objects.get()
        self.assertRedirects(response, ticket.get_absolute_url())
        page = self.client.get(ticket.get_absolute_url())
        self.assertContains(page, ">处理中</span>", count=2)
        self.assertFalse(ticket.photos.exists())

        self.assertEqual(self.finish_photos(), 2)

        page = self.client.get(ticket.get_absolute_url())
        self.assertNotContains(page, "处理中")
        photos = list(ticket.photos.all())
        for photo in photos:
            self.assertContains(page, reverse("repairs:photo-small", args=[ticket.pk, photo.pk]))
        with default_storage.open(photos[0].file) as stored, Image.open(stored) as image:
            self.assertFalse(image.getexif(), "the GPS position must be gone")
        with default_storage.open(photos[1].file) as stored, Image.open(stored) as image:
            self.assertEqual((image.format, image.size), ("PNG", (4096, 4096)))
        with default_storage.open(photos[1].thumbnail) as stored, Image.open(stored) as image:
            self.assertEqual(image.size, (640, 640))
        # What arrived is gone once cleaned: only each photo and its thumbnail remain.
        self.assertEqual(sorted(default_storage.listdir(f"repairs/photos/{ticket.pk}")[1]),
                         sorted([p.file.rsplit("/", 1)[1] for p in photos]
                                + [p.thumbnail.rsplit("/", 1)[1] for p in photos]))
        self.assertEqual(default_storage.listdir(f"repairs/photos/{ticket.pk}/incoming")[1], [])

    def test_a_photo_that_turns_out_damaged_is_dropped_with_a_record(self):
        import weasyprint  # noqa: F401  it tells Pillow to accept truncated images; photos must not be
        whole = jpeg_bytes(size=(800, 600))
        damaged = whole[: len(whole) // 3]  # a header that reads, a body cut off
        received = uploads.receive_image(SimpleUploadedFile("cut.jpg", damaged))
        ticket = services.ticket_report(by=self.resident, category="electrical", place="stairwell",
                                        building=self.building1, description="灯坏了", photos=[received])
        self.finish_photos()
        self.assertFalse(ticket.photos.exists())
        self.assertFalse(ticket.pending_photos.exists())
        record = ActivityRecord.objects.get(verb="repairs.photo.unreadable")
        self.assertEqual(record.details["uploaded_by"], self.resident.pk)
        self.assertIn("damaged", record.details["reason"])

    def test_finishing_a_photo_twice_changes_nothing(self):
        received = uploads.receive_image(jpeg_upload())
        ticket = services.ticket_report(by=self.resident, category="electrical", place="stairwell",
                                        building=self.building1, description="灯坏了", photos=[received])
        pending = ticket.pending_photos.get()
        self.finish_photos()
        self.assertIsNone(tasks.photo_process.call(pending.pk))
        self.assertEqual(Photo.objects.filter(ticket=ticket).count(), 1)

    def test_a_large_jpeg_is_decoded_at_reduced_size(self):
        out = io.BytesIO()
        Image.new("RGB", (6000, 2000), (90, 90, 200)).save(out, "JPEG")
        received = uploads.receive_image(SimpleUploadedFile("wide.jpg", out.getvalue()))
        draft = JpegImagePlugin.JpegImageFile.draft
        with mock.patch.object(JpegImagePlugin.JpegImageFile, "draft", autospec=True, side_effect=draft) as spy:
            uploads.thumbnail(uploads.clean_image(received), side=640)
        # Pillow's own thumbnail() asks for a draft too, after ours.
        self.assertEqual([call.args[1:] for call in spy.call_args_list][:2],
                         [("RGB", (4096, 1365)), ("RGB", (640, 213))])
