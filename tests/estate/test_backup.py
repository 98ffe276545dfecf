"""backup_estate and restore_estate: the whole estate out to one archive and back, on either database.

These tests commit for real (TransactionTestCase): pg_dump and the SQLite backup API read the
database from outside the test's connection, as they do from outside the running app.
"""

import io
import json
import stat
import tarfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import TransactionTestCase

from accounts.activity import log_action
from accounts.models import ActivityRecord, User
from estate import backup
from estate.backup import DUMP_NAMES, MANIFEST, backup_restore
from estate.models import Building, Household
from tests.base import Personas

PHOTO = bytes(range(256)) * 40 + b"\xff\xd8 end"
NOTICE = "公示/2026-01 收支公示.pdf"


def rewrite(archive, out, *, change=None, manifest=None, drop=(), add=None):
    """Copy a backup archive, changing a member's bytes, the manifest, or which members it has."""
    with tarfile.open(archive) as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar]
    with tarfile.open(out, "w:gz") as tar:
        for member, data in members:
            if member.name in drop:
                continue
            if member.name == MANIFEST and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif change:
                data = change(member.name, data)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def table_rows(conn):
    """Every row of every table, in a stable order: 'the same data' taken literally."""
    rows = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


def media_bytes(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class BackupTestCase(Personas, TransactionTestCase):
    @pytest.fixture(autouse=True)
    def _folders(self, tmp_path):
        self.tmp = tmp_path
        self.archive = tmp_path / "backups" / "estate.tar.gz"

    def setUp(self):
        self.create_personas()
        with transaction.atomic():
            log_action("household.updated", self.household_a, by=self.chair,
                       details={"area": ["100.00", "101.50"], "note": "面积更正"})
            log_action("role.granted", self.head1, by=self.chair, details={"kind": "building_head"})
        media = Path(settings.MEDIA_ROOT)
        (media / "repairs" / "2026").mkdir(parents=True)
        (media / "repairs" / "2026" / "photo.jpg").write_bytes(PHOTO)
        (media / NOTICE).parent.mkdir(parents=True)
        (media / NOTICE).write_bytes(b"%PDF-1.7 \x00\x01 notice")

    def back_up(self):
        out = io.StringIO()
        call_command("backup_estate", str(self.archive), stdout=out)
        return out.getvalue()

    def restore(self, *args, archive=None):
        out = io.StringIO()
        call_command("restore_estate", str(archive or self.archive), *args, stdout=out)
        return out.getvalue()

    def fresh_database(self):
        """A second, empty database of the same vendor, and a connection to it."""
        target = connection.copy("restore_target")
        if connection.vendor == "postgresql":
            name = f"{connection.settings_dict['NAME']}_restore"
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
            self.addCleanup(self._drop_database, name)
        else:
            name = str(self.tmp / "restored.sqlite3")
        target.settings_dict["NAME"] = name
        # Registered under its alias for the length of the test, so that the ORM can read it too.
        connections[target.alias] = target
        self.addCleanup(connections.__delitem__, target.alias)
        self.addCleanup(target.close)
        return target

    @staticmethod
    def _drop_database(name):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def snapshot(self):
        return table_rows(connection), media_bytes(settings.MEDIA_ROOT)


class BackupRoundTripTest(BackupTestCase):
    def test_it_restores_the_same_estate_into_a_fresh_database(self):
        output = self.back_up()
        self.assertIn("3 households, 8 users and 2 activity records; 2 uploaded files", output)
        target, media = self.fresh_database(), self.tmp / "restored-media"

        manifest = backup_restore(path=self.archive, connection=target, media_root=media)

        self.assertEqual(manifest["vendor"], connection.vendor)
        self.assertEqual(manifest["unapplied_migrations"], [])
        self.assertEqual(table_rows(target), table_rows(connection))
        self.assertEqual(media_bytes(media), media_bytes(settings.MEDIA_ROOT))
        self.assertEqual((media / "repairs" / "2026" / "photo.jpg").read_bytes(), PHOTO)
        restored = Household.objects.using(target.alias)
        self.assertEqual(str(restored.get(code="1-1-301").area), "101.50")
        self.assertEqual(restored.get(code="1-1-301").residents.get().phone, "13812341234")
        self.assertEqual(
            list(ActivityRecord.objects.using(target.alias).order_by("pk").values_list("verb", "target_repr")),
            [("household.updated", "1-1-301"), ("role.granted", "刘楼长")],
        )

    def test_the_restored_database_keeps_its_rules_and_counters(self):
        self.back_up()
        target = self.fresh_database()
        backup_restore(path=self.archive, connection=target, media_root=self.tmp / "restored-media")
        for statement in ("UPDATE accounts_activityrecord SET verb = 'forged'", "DELETE FROM accounts_activityrecord"):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError):
                with target.cursor() as cursor:
                    cursor.execute(statement)
        self.assertEqual(ActivityRecord.objects.using(target.alias).exclude(verb="forged").count(), 2)
        # A new row does not reuse an id: the sequences came back with the tables.
        building = Building.objects.using(target.alias).create(code="9", name="9栋")
        self.assertGreater(building.pk, max(Building.objects.values_list("pk", flat=True)))

    def test_replace_puts_back_the_estate_as_it_was(self):
        self.back_up()
        before = self.snapshot()
        Household.objects.create(building=self.building2, floor=5, room="501", area=Decimal("60.00"))
        with transaction.atomic():
            log_action("household.created", by=self.chair)
        (Path(settings.MEDIA_ROOT) / "later.jpg").write_bytes(b"later")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE obsolete_extra (id integer)")

        output = self.restore("--replace")

        self.assertIn("Restored from", output)
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(Household.objects.filter(room="501").exists())

    def test_check_reads_the_archive_and_changes_nothing(self):
        self.back_up()
        before = self.snapshot()
        self.assertIn("is sound", self.restore("--check"))
        self.assertEqual(self.snapshot(), before)

    def test_the_archive_is_readable_by_its_owner_only(self):
        self.back_up()
        self.assertEqual(stat.S_IMODE(self.archive.stat().st_mode), 0o600)


class RestoreRefusalTest(BackupTestCase):
    def assertRefused(self, message, *args, archive=None):
        before = self.snapshot()
        with self.assertRaisesMessage(CommandError, message):
            self.restore(*args, archive=archive)
        self.assertEqual(self.snapshot(), before, "a refused restore changed the estate")
        self.assertEqual([p.name for p in self.tmp.iterdir() if p.name.startswith(".jiayuan-")], [])

    def test_it_refuses_a_database_that_holds_an_estate(self):
        self.back_up()
        self.assertRefused("Give --replace to replace it")

    def test_it_refuses_uploaded_files_already_there(self):
        self.back_up()
        target = self.fresh_database()
        media = self.tmp / "media-in-use"
        media.mkdir()
        (media / "old.jpg").write_bytes(b"old")
        with self.assertRaisesMessage(backup.BackupError, "already holds uploaded files"):
            backup_restore(path=self.archive, connection=target, media_root=media)
        self.assertEqual(media_bytes(media), {"old.jpg": b"old"})

    def test_it_refuses_a_damaged_archive_and_changes_nothing(self):
        self.back_up()
        dump = DUMP_NAMES[connection.vendor]

        def flip_a_byte(name, data):
            if name != dump:
                return data
            middle = len(data) // 2
            return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]

        cases = {
            "a changed byte": (rewrite(self.archive, self.tmp / "flipped.tar.gz", change=flip_a_byte),
                               "does not match its checksum"),
            "a cut-off file": (self._truncated(), "not a readable backup archive"),
            "a missing photo": (rewrite(self.archive, self.tmp / "missing.tar.gz", drop={"media/" + NOTICE}),
                                "does not hold exactly the files its manifest lists"),
            "a smuggled file": (rewrite(self.archive, self.tmp / "extra.tar.gz", add={"media/x.php": b"<?php"}),
                                "does not hold exactly the files its manifest lists"),
            "no manifest": (rewrite(self.archive, self.tmp / "bare.tar.gz", drop={MANIFEST}), "not a Jiayuan backup"),
            "not an archive": (self._write("junk.tar.gz", b"PK\x03\x04 a zip file"), "not a readable backup archive"),
            # The gzip trailer: CRC-32 of the data, then its length, each four bytes.
            "a flipped CRC byte": (self._trailer_changed(-8), "CRC check failed"),
            "a wrong length": (self._trailer_changed(-4), "Incorrect length"),
        }
        for case, (archive, message) in cases.items():
            with self.subTest(case):
                self.assertRefused(message, "--replace", archive=archive)

    def test_it_refuses_a_path_outside_the_archive(self):
        self.back_up()
        archive = rewrite(self.archive, self.tmp / "escape.tar.gz", add={"../escaped.txt": b"x"})
        self.assertRefused("not a readable backup archive", "--replace", archive=archive)
        self.assertFalse((self.tmp / "escaped.txt").exists())

    def test_it_refuses_a_backup_of_the_other_database_vendor(self):
        self.back_up()
        other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

        def as_other(manifest):
            manifest["vendor"] = other
            manifest["database"]["path"] = DUMP_NAMES[other]
            return manifest

        with tarfile.open(self.archive) as tar:
            members = {m.name: tar.extractfile(m).read() for m in tar}
        archive = self.tmp / "other.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for name, data in members.items():
                if name == MANIFEST:
                    data = json.dumps(as_other(json.loads(data))).encode()
                info = tarfile.TarInfo(DUMP_NAMES[other] if name == DUMP_NAMES[connection.vendor] else name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        with mock.patch("estate.backup._check_dump"):
            self.assertRefused("a backup is restored onto the same kind of database only", "--replace",
                               archive=archive)

    def test_it_refuses_a_backup_from_a_newer_version(self):
        self.back_up()

        def newer(manifest):
            manifest["migrations"].append("ledger.9999_from_the_future")
            return manifest

        archive = rewrite(self.archive, self.tmp / "newer.tar.gz", manifest=newer)
        self.assertRefused("comes from a newer version of Jiayuan", "--replace", archive=archive)

    @pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                        reason="SQLite's backup API writes the whole file in one transaction by itself; "
                               "this failure is staged with a PostgreSQL view")
    def test_a_restore_that_fails_halfway_changes_nothing(self):
        self.back_up()
        # A view the backup does not know makes DROP TABLE estate_household fail late in the restore.
        with connection.cursor() as cursor:
            cursor.execute("CREATE VIEW blocks_the_restore AS SELECT id FROM estate_household")
        self.addCleanup(lambda: connection.cursor().execute("DROP VIEW IF EXISTS blocks_the_restore"))
        Household.objects.create(building=self.building2, floor=5, room="501", area=Decimal("60.00"))
        self.assertRefused("The database could not be restored", "--replace")
        self.assertTrue(Household.objects.filter(room="501").exists())

    def test_it_refuses_to_back_up_a_database_never_migrated(self):
        with self.assertRaisesMessage(backup.BackupError, "has `manage.py migrate` run?"):
            backup.backup_create(path=self.archive, connection=self.fresh_database(), media_root=self.tmp / "m")
        self.assertFalse(self.archive.exists())

    def test_a_failed_backup_leaves_the_previous_archive_alone(self):
        self.back_up()
        previous = self.archive.read_bytes()
        User.objects.create_user(username="late", password="correct horse battery")
        failing = "_pg_dump" if connection.vendor == "postgresql" else "_sqlite_backup"
        with mock.patch(f"estate.backup.{failing}", side_effect=backup.BackupError("disk full")):
            with self.assertRaisesMessage(CommandError, "disk full"):
                self.back_up()
        self.assertEqual(self.archive.read_bytes(), previous)
        self.assertEqual(sorted(p.name for p in self.archive.parent.iterdir()), ["estate.tar.gz"])

    def _truncated(self):
        data = self.archive.read_bytes()
        return self._write("cut.tar.gz", data[: len(data) // 2])

    def _trailer_changed(self, offset):
        data = bytearray(self.archive.read_bytes())
        data[offset] ^= 0xFF
        return self._write(f"trailer{offset}.tar.gz", bytes(data))

    def _write(self, name, data):
        path = self.tmp / name
        path.write_bytes(data)
        return path


class ActivityLogSurvivesTest(BackupTestCase):
    def test_every_activity_record_comes_back_unchanged(self):
        records = list(ActivityRecord.objects.order_by("pk").values())
        self.back_up()
        self.restore("--replace")
        self.assertEqual(list(ActivityRecord.objects.order_by("pk").values()), records)
