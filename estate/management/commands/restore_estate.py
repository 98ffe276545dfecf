import tempfile

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from estate.backup import BackupError, backup_restore, backup_verify
from estate.management.commands.backup_estate import describe


class Command(BaseCommand):
    help = (
        "Restore the database and the uploaded files from an archive written by backup_estate. "
        "Refuses a database that already holds an estate unless --replace is given; checks the whole "
        "archive before it changes anything. Stop the app while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by backup_estate")
        parser.add_argument("--replace", action="store_true",
                            help="replace the database and the uploaded files that are there now")
        parser.add_argument("--check", action="store_true",
                            help="only check the archive (readable, checksums, database dump); change nothing")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)")

    def handle(self, *args, file, replace, check, database, **options):
        try:
            if check:
                with tempfile.TemporaryDirectory(prefix="jiayuan-check-") as workdir:
                    manifest = backup_verify(path=file, workdir=workdir)
                self.stdout.write(self.style.SUCCESS(f"{file} is sound: {describe(manifest)}."))
                return
            manifest = backup_restore(path=file, connection=connections[database],
                                      media_root=settings.MEDIA_ROOT, replace=replace,
                                      storage=default_storage)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored from {file}: {describe(manifest)}."))
        if manifest["unapplied_migrations"]:
            self.stdout.write(
                f"The backup predates {len(manifest['unapplied_migrations'])} migrations of this version: "
                "run `manage.py migrate` now."
            )
