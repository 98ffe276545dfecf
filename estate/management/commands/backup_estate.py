from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from estate.backup import VENDOR_NAMES, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write the whole database and every uploaded file (MEDIA_ROOT or the object storage) to one .tar.gz "
        "archive, while the app keeps running. Restore it with restore_estate."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. /var/backups/jiayuan/2026-01-31.tar.gz")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)")

    def handle(self, *args, file, database, **options):
        try:
            manifest = backup_create(path=file, connection=connections[database], media_root=settings.MEDIA_ROOT,
                                     storage=default_storage)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {file}: {describe(manifest)}."))


def describe(manifest):
    counts = manifest["counts"]
    media = manifest["media"]
    size = sum(entry["size"] for entry in media) / 1e6
    return (
        f"{VENDOR_NAMES[manifest['vendor']]} database with {counts['households']} households, "
        f"{counts['users']} users and {counts['activity_records']} activity records; "
        f"{len(media)} uploaded files ({size:.1f} MB); made {manifest['created_at']} by Jiayuan "
        f"{manifest['app_version']}"
    )
