"""Reporting a problem through the form, with photos: what is kept, and what is refused with nothing kept."""

import io
import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from repairs.models import PendingPhoto, Photo, Ticket
from tests.background import run_queued_tasks
from tests.repairs.base import RepairsTestCase, jpeg_upload


def png_bomb(width=20_000, height=20_000):
    """A few hundred bytes of PNG that claim 400 million pixels."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (width + 1) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


NOT_A_PHOTO = "Only photos in JPEG, PNG or WebP format are accepted."
TOO_MANY_PIXELS = "The picture is too large (more than 40 million pixels)."


def chinese(message):
    """The message as the person reads it: the site speaks Chinese unless asked otherwise."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


HOSTILE = {
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
            "leak.svg", "image/svg+xml", NOT_A_PHOTO),
    "html renamed .jpg": (b"<!doctype html><html><script>document.cookie</script></html>", "leak.jpg",
                          "image/jpeg", NOT_A_PHOTO),
    "executable": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "photo.jpg",
                   "image/jpeg", NOT_A_PHOTO),
    "decompression bomb": (png_bomb(), "bomb.png", "image/png", TOO_MANY_PIXELS),
}


class ReportFormTest(RepairsTestCase):
    url = reverse("repairs:new")

    def form(self, **overrides):
        return {"place": "stairwell", "building": self.building1.pk, "category": "electrical",
                "urgency": "normal", "spot": "1单元5楼", "description": "楼道灯不亮，晚上看不见台阶。", **overrides}

    def finish_photos(self):
        """What the background worker does after the request: clean the photos, drop what arrived."""
        with self.captureOnCommitCallbacks(execute=True):
            run_queued_tasks()

    def stored_files(self):
        root = Path(settings.MEDIA_ROOT)
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    def test_a_resident_reports_a_common_area_with_photos(self):
        self.login(self.resident)
        photos = [jpeg_upload("IMG_0001.jpg", gps=True), jpeg_upload("IMG_0002.jpg", size=(4000, 3000))]
        response = self.client.post(self.url, self.form(photos=photos))
        ticket = Ticket.objects.get()
        self.assertRedirects(response, ticket.get_absolute_url())
        self.assertEqual((ticket.place, ticket.building, ticket.household, ticket.reported_by),
                         ("stairwell", self.building1, None, self.resident))
        self.assertEqual(ticket.pending_photos.count(), 2)
        self.finish_photos()
        self.assertEqual(ticket.photos.count(), 2)
        self.assertEqual(len(self.stored_files()), 4)  # each photo and its thumbnail
        for photo in ticket.photos.all():
            self.assertNotIn("IMG", photo.file)
            with default_storage.open(photo.file) as stored, Image.open(stored) as image:
                self.assertFalse(image.getexif(), "the GPS position must be gone")
            with default_storage.open(photo.thumbnail) as stored, Image.open(stored) as image:
                self.assertLessEqual(max(image.size), 640)

    def test_the_form_preselects_neither_where_nor_what_and_asks_for_both(self):
        self.login(self.resident)
        page = self.client.get(self.url).content.decode()
        self.assertInHTML('<option value="" selected>请选择位置</option>', page)
        self.assertInHTML('<option value="" selected>请选择哪里坏了</option>', page)
        self.assertNotIn('value="flat" selected', page)
        self.assertNotIn('value="plumbing" selected', page)
        response = self.client.post(self.url, self.form(place="", category=""))
        self.assertEqual(len(response.context["form"].errors), 2)
        self.assertFalse(Ticket.objects.exists())

    def test_the_photo_help_is_in_the_language_of_whoever_reads_it(self):
        self.login(self.resident)
        self.assertContains(self.client.get(self.url), "最多 6 张照片")
        self.client.post(reverse("set_language"), {"language": "en"})
        page = self.client.get(self.url)
        self.assertContains(page, "Up to 6 photos: JPEG, PNG or WebP, at most 10 MB each.")
        self.assertNotContains(page, "最多 6 张照片")

    def test_a_resident_of_one_flat_reports_inside_it_without_choosing_it(self):
        self.login(self.resident)
        page = self.client.get(self.url).content.decode()
        self.assertIn('capture="environment"', page)
        self.assertIn('accept="image/*"', page)
        self.assertIn(f'type="hidden" name="household" value="{self.household_a.pk}"', page)
        self.client.post(self.url, self.form(place="flat", household=self.household_a.pk, building=""))
        ticket = Ticket.objects.get()
        self.assertEqual((ticket.household, ticket.building), (self.household_a, self.building1))

    def test_nobody_reports_inside_another_households_flat(self):
        self.login(self.resident)
        response = self.client.post(self.url, self.form(place="flat", household=self.household_b.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Ticket.objects.exists())

    def test_a_building_head_reports_for_a_flat_of_their_building(self):
        self.login(self.head1)
        self.client.post(self.url, self.form(place="flat", household=self.household_a2.pk))
        self.assertEqual(Ticket.objects.get().household, self.household_a2)

    def test_a_volunteer_who_is_not_a_resident_does_not_report(self):
        self.login(self.volunteer)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_hostile_uploads_are_refused_clearly_and_nothing_is_kept(self):
        self.login(self.resident)
        for label, (data, name, content_type, message) in HOSTILE.items():
            with self.subTest(label):
                upload = SimpleUploadedFile(name, data, content_type=content_type)
                response = self.client.post(self.url, self.form(photos=[jpeg_upload(), upload]))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f"{name}：{chinese(message)}")  # the full-width colon of Chinese
                self.assertFalse(Ticket.objects.exists())
                self.assertFalse(Photo.objects.exists())
                self.assertEqual(self.stored_files(), [])

    def test_a_refused_photo_is_named_at_the_top_of_the_form_with_a_link_to_the_field(self):
        self.login(self.resident)
        upload = SimpleUploadedFile("leak.svg", HOSTILE["svg"][0], content_type="image/svg+xml")
        page = self.client.post(self.url, self.form(photos=[upload])).content.decode()
        summary = page.split('<div class="error-summary" role="alert"', 1)[1].split("</div>", 1)[0]
        self.assertIn(f'<a href="#id_photos">照片：leak.svg：{chinese(NOT_A_PHOTO)}</a>', summary)
        # The summary comes before the first field, the error again beside the photo field below.
        self.assertLess(page.index('class="error-summary"'), page.index('name="place"'))
        self.assertEqual(page.count(f"leak.svg：{chinese(NOT_A_PHOTO)}"), 2)

    def test_at_most_six_photos(self):
        self.login(self.resident)
        response = self.client.post(self.url, self.form(photos=[jpeg_upload(f"{n}.jpg") for n in range(7)]))
        self.assertContains(response, chinese("At most %(count)s photos, please.") % {"count": 6})
        self.assertFalse(Ticket.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_a_failure_after_storing_leaves_no_file(self):
        self.login(self.resident)
        original = PendingPhoto.objects.create

        def fail_on_second(**kwargs):
            if PendingPhoto.objects.exists():
                raise RuntimeError("the disk filled up")
            return original(**kwargs)

        PendingPhoto.objects.create = fail_on_second
        try:
            with self.assertRaises(RuntimeError):
                self.client.post(self.url, self.form(photos=[jpeg_upload("1.jpg"), jpeg_upload("2.jpg")]))
        finally:
            PendingPhoto.objects.create = original
        self.assertFalse(Ticket.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_comments_with_photos_go_through_the_same_checks(self):
        ticket = self.common_ticket()
        self.login(self.resident)
        url = reverse("repairs:comment", args=[ticket.pk])
        bad = SimpleUploadedFile("x.jpg", HOSTILE["html renamed .jpg"][0], content_type="image/jpeg")
        response = self.client.post(url, {"comment": "看这里", "photos": [bad]}, follow=True)
        self.assertContains(response, f"x.jpg：{chinese(NOT_A_PHOTO)}")
        self.assertEqual(ticket.events.count(), 1)
        self.client.post(url, {"comment": "补一张照片", "photos": [jpeg_upload()]})
        self.finish_photos()
        self.assertEqual(ticket.events.last().photos.count(), 1)
        self.assertEqual(len(self.stored_files()), 2)

    def test_a_png_keeps_its_format_and_a_photo_its_rotation(self):
        image = Image.new("RGB", (80, 40), (0, 120, 0))
        exif = Image.Exif()
        exif[0x0112] = 6  # the phone was held upright
        out = io.BytesIO()
        image.save(out, "JPEG", exif=exif.tobytes())
        self.login(self.resident)
        self.client.post(self.url, self.form(photos=[SimpleUploadedFile("r.jpg", out.getvalue())]))
        self.finish_photos()
        photo = Photo.objects.get()
        with default_storage.open(photo.file) as stored, Image.open(stored) as stored_image:
            self.assertEqual(stored_image.size, (40, 80))
