"""Uploads in S3-compatible object storage: with S3_BUCKET set, every uploaded file lives in the bucket.

Code reaches uploads only through Django's storage API, so the bucket is a setting, not a code path.
The tests start a local S3 server (moto's server mode) on 127.0.0.1 and talk to it as they would to
Aliyun OSS, Tencent COS or MinIO; nothing leaves the machine.
"""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import boto3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from estate import backup
from estate.backup import MANIFEST
from repairs.models import Photo
from tests.background import run_queued_tasks
from tests.base import BaseTestCase
from tests.estate.test_backup import BackupTestCase
from tests.repairs.base import jpeg_bytes, jpeg_upload

BUCKET = "jiayuan-test"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}


class LocalS3:
    """A moto S3 server on a free port of 127.0.0.1 for the test class, with an empty bucket for each test."""

    @classmethod
    def setUpClass(cls):
        cls.s3_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        cls.s3_server.start()
        host, port = cls.s3_server.get_host_and_port()
        cls.endpoint = f"http://{host}:{port}"
        cls.s3 = boto3.client("s3", endpoint_url=cls.endpoint, **CREDENTIALS)
        options = {"bucket_name": BUCKET, "endpoint_url": cls.endpoint, "access_key": CREDENTIALS["aws_access_key_id"],
                   "secret_key": CREDENTIALS["aws_secret_access_key"], "region_name": "us-east-1",
                   "signature_version": "s3v4", "default_acl": None, "file_overwrite": False}
        cls.enterClassContext(override_settings(STORAGES={
            **settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.s3_server.stop()

    def setUp(self):
        super().setUp()
        self.s3.create_bucket(Bucket=BUCKET)
        self.addCleanup(self._empty_bucket)

    def _empty_bucket(self):
        for name in self.bucket_files():
            self.s3.delete_object(Bucket=BUCKET, Key=name)
        self.s3.delete_bucket(Bucket=BUCKET)

    def bucket_files(self):
        listing = self.s3.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def bucket_bytes(self, name):
        return self.s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()


class EnvironmentTest(BaseTestCase):
    def test_setting_s3_bucket_moves_uploads_to_object_storage(self):
        env = {**os.environ, "S3_BUCKET": "estate-uploads", "S3_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com",
               "S3_REGION": "cn-hangzhou", "S3_ACCESS_KEY_ID": "id", "S3_SECRET_ACCESS_KEY": "secret",
               "S3_ADDRESSING_STYLE": "virtual", "S3_PREFIX": "jiayuan", "DJANGO_SETTINGS_MODULE": "estate.settings"}
        script = ("import django; django.setup(); from django.core.files.storage import storages; "
                  "s = storages['default']; "
                  "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, s.addressing_style, "
                  "s.location, s.default_acl)")
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                cwd=settings.BASE_DIR, check=True)
        self.assertEqual(result.stdout.split(), ["S3Storage", "estate-uploads", "https://oss-cn-hangzhou.aliyuncs.com",
                                                 "cn-hangzhou", "virtual", "jiayuan", "None"])


class PhotosInObjectStorageTest(LocalS3, BaseTestCase):
    def test_a_reported_photo_is_cleaned_stored_and_served_from_the_bucket(self):
        self.login(self.resident)
        response = self.client.post(reverse("repairs:new"), {
            "place": "stairwell", "building": self.building1.pk, "category": "electrical", "urgency": "normal",
            "description": "楼道灯不亮。", "photos": [jpeg_upload("IMG_1.jpg", gps=True, size=(800, 600))]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(self.bucket_files()), 1)  # as it arrived, waiting for the worker
        with self.captureOnCommitCallbacks(execute=True):
            run_queued_tasks()
        photo = Photo.objects.get()
        self.assertEqual(self.bucket_files(), sorted([photo.file, photo.thumbnail]))
        served = self.client.get(reverse("repairs:photo", args=[photo.ticket_id, photo.pk]))
        self.assertEqual(b"".join(served.streaming_content), self.bucket_bytes(photo.file))
        self.assertFalse(Path(settings.MEDIA_ROOT).exists() and any(Path(settings.MEDIA_ROOT).rglob("*.jpg")))


class BackupOfObjectStorageTest(LocalS3, BackupTestCase):
    def test_the_backup_holds_the_buckets_files_and_a_restore_puts_back_exactly_them(self):
        photo, notice = jpeg_bytes(), b"%PDF-1.7 notice"
        default_storage.save("repairs/photos/1/a.jpg", ContentFile(photo))
        default_storage.save("notices/2026-01.pdf", ContentFile(notice))
        self.back_up()
        with tarfile.open(self.archive) as tar:
            manifest = json.loads(tar.extractfile(MANIFEST).read())
            self.assertEqual(tar.extractfile("media/repairs/photos/1/a.jpg").read(), photo)
        self.assertEqual([(e["path"], e["sha256"]) for e in manifest["media"]], [
            ("media/notices/2026-01.pdf", hashlib.sha256(notice).hexdigest()),
            ("media/repairs/photos/1/a.jpg", hashlib.sha256(photo).hexdigest())])

        default_storage.delete("notices/2026-01.pdf")
        default_storage.save("repairs/photos/1/later.jpg", ContentFile(b"after the backup"))
        self.restore("--replace")
        self.assertEqual(self.bucket_files(), ["notices/2026-01.pdf", "repairs/photos/1/a.jpg"])
        self.assertEqual(self.bucket_bytes("notices/2026-01.pdf"), notice)

    def test_a_restore_refuses_a_bucket_in_use_without_replace(self):
        self.back_up()
        target = self.fresh_database()
        default_storage.save("old.jpg", ContentFile(b"old"))
        with self.assertRaisesMessage(backup.BackupError, "The object storage already holds uploaded files"):
            backup.backup_restore(path=self.archive, connection=target, media_root=self.tmp / "m",
                                  storage=default_storage)
        self.assertEqual(self.bucket_files(), ["old.jpg"])

