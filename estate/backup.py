"""Backups of the whole estate: the database and the uploaded files in one archive.

An archive is a .tar.gz holding

    database.pgdump or database.sqlite3   the whole database (pg_dump custom format, or an SQLite file)
    media/...                             every uploaded file (photos, posted notices): those under
                                          MEDIA_ROOT, or those in the object storage (S3_BUCKET)
    manifest.json                         format version, database vendor, migrations, counts, and the
                                          SHA-256 of every other member

The backup is taken while the app runs: pg_dump reads one consistent snapshot, and SQLite's online
backup API copies a consistent image of the file. The database is dumped before the files are copied,
so every file a database row points at is already on disk (uploads are written once, never changed).

A restore checks everything it can before it touches anything: the archive reads whole, every checksum
matches, the dump itself is sound, it comes from the same database vendor and from a version of the
app that knows all its migrations, and the target is empty unless `replace` is asked for. Then the
database is replaced in one transaction and the uploaded files are swapped in by renaming a folder
prepared beside MEDIA_ROOT, so a failure leaves the estate as it was.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from datetime import UTC, datetime
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "jiayuan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# What the manifest counts, and what makes a database "in use": a database migrated but never used
# has none of these rows (rows that migrations themselves insert, such as a chart of accounts, don't
# count).
COUNTED_MODELS = {"users": "accounts.User", "households": "estate.Household",
                  "activity_records": "accounts.ActivityRecord"}
# libpq reads the connection from these variables: nothing about it, least of all the password,
# appears on a command line where `ps` would show it.
PG_ENVIRONMENT = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD",
                  "NAME": "PGDATABASE"}
PG_OPTION_ENVIRONMENT = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                         "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS",
                         "passfile": "PGPASSFILE", "service": "PGSERVICE", "target_session_attrs":
                         "PGTARGETSESSIONATTRS"}


class BackupError(Exception):
    """Something an operator can read and act on; nothing was changed."""


# --- Backup -----------------------------------------------------------------


def ledger_manifest_section():
    from ledger.anchors import manifest_section

    return manifest_section()


def backup_create(*, path, connection, media_root, storage=None):
    """Write the database behind `connection` and the uploaded files to the archive `path`.

    The files are those under `media_root`, or, when `storage` is an object storage (S3-compatible), that
    storage's, read through Django's storage API. The archive appears under its name only once complete
    (a failed backup never replaces an older one), readable by its owner only: it holds password hashes
    and phone numbers.
    """
    path, media_root = Path(path), Path(media_root)
    remote = _remote(storage)
    vendor = _vendor(connection)
    if "django_migrations" not in connection.introspection.table_names():
        raise BackupError("The database holds no tables (has `manage.py migrate` run?): there is nothing to back up.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".jiayuan-backup-", dir=path.parent) as workdir:
        dump = Path(workdir) / DUMP_NAMES[vendor]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "vendor": vendor,
            "server_version": _server_version(connection),
            "app_version": app_version(),
            "django_version": django.get_version(),
            "migrations": sorted(f"{app}.{name}" for app, name in
                                 MigrationRecorder(connection).applied_migrations()),
            "counts": database_counts(connection),
            # The ledger's hash chain, remembered outside the database: check_ledger --against this archive
            # names the first transaction rewritten since (ledger/anchors.py).
            "ledger": ledger_manifest_section(),
        }
        if vendor == "postgresql":
            _pg_dump(connection, dump)
        else:
            _sqlite_backup(connection, dump)
        partial = Path(workdir) / "archive.tar.gz"
        with _private_file(partial) as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                manifest["database"] = _add(tar, dump, dump.name)
                if remote:
                    manifest["media"] = [_add_stored(tar, remote, name, f"{MEDIA_DIR}/{name}")
                                         for name in _stored_files(remote)]
                else:
                    manifest["media"] = [_add(tar, media_root / name, f"{MEDIA_DIR}/{name}")
                                         for name in _media_files(media_root)]
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    return manifest


def _pg_dump(connection, dump):
    _run(["pg_dump", "--format=custom", "--file", str(dump)], connection, "pg_dump could not dump the database")


def _sqlite_backup(connection, dump):
    name = Path(connection.settings_dict["NAME"])
    if not name.is_file():
        raise BackupError(f"There is no SQLite database at {name}.")
    source = sqlite3.connect(name, timeout=20)
    target = sqlite3.connect(dump)
    try:
        # One step copies the whole file under one read lock: a consistent image while the app writes.
        source.backup(target)
        # A self-contained file in the archive, without -wal and -shm companions.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def _media_files(media_root):
    """Relative paths of the regular files under media_root, sorted (symbolic links are not followed)."""
    if not media_root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(media_root):
        # A backup written into MEDIA_ROOT itself must not swallow its own work folder.
        dirs[:] = [d for d in dirs if not d.startswith(".jiayuan-")]
        for name in files:
            full = Path(folder) / name
            if full.is_file() and not full.is_symlink():
                found.append(full.relative_to(media_root).as_posix())
    return sorted(found)


def _remote(storage):
    """The storage when it keeps files elsewhere than this machine's disk (object storage), else None."""
    if storage is None or isinstance(storage, FileSystemStorage):
        return None
    return storage


def _stored_files(storage, folder=""):
    """Names of every file in an object storage, sorted, found through the storage API's listdir."""
    found = []
    folders, files = storage.listdir(folder)
    found.extend(f"{folder}{name}" for name in files)
    for name in folders:
        found.extend(_stored_files(storage, f"{folder}{name}/"))
    return sorted(found)


def _add_stored(tar, storage, name, arcname):
    with storage.open(name, "rb") as handle:
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime, info.mode = storage.size(name), int(datetime.now(UTC).timestamp()), 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": arcname, "size": info.size, "sha256": reader.hexdigest()}


def _add(tar, source, arcname):
    """Add one file, hashing the very bytes that go into the archive."""
    with open(source, "rb") as handle:
        info = tarfile.TarInfo(arcname)
        stat = os.fstat(handle.fileno())
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": arcname, "size": info.size, "sha256": reader.hexdigest()}


class _HashingReader:
    def __init__(self, handle):
        self._handle = handle
        self._hash = hashlib.sha256()

    def read(self, size=-1):
        chunk = self._handle.read(size)
        self._hash.update(chunk)
        return chunk

    def hexdigest(self):
        return self._hash.hexdigest()


def _private_file(path):
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


# --- Verify -----------------------------------------------------------------


def backup_verify(*, path, workdir):
    """Unpack the archive `path` into `workdir` and check it whole; return its manifest.

    Raises BackupError when the archive is unreadable, incomplete, altered, or not a Jiayuan backup.
    """
    path, workdir = Path(path), Path(workdir)
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    try:
        with gzip.open(path, "rb") as stream:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                # The "data" filter refuses absolute paths, "..", links and device files.
                tar.extractall(workdir, filter="data")
            # tarfile stops at the archive's end marker, before the gzip trailer: reading on to the end
            # of the stream is what makes gzip compare the CRC-32 and length it records with the data.
            while stream.read(1 << 20):
                pass
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(f"{path} is not a readable backup archive (damaged or incomplete): {error}") from None
    try:
        manifest = json.loads((workdir / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{path} has no readable {MANIFEST}: it is not a Jiayuan backup.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Jiayuan backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format {manifest.get('format_version')}; this version of Jiayuan reads "
            f"format {FORMAT_VERSION}."
        )
    vendor = manifest.get("vendor")
    if vendor not in DUMP_NAMES:
        raise BackupError(f"{path} names an unknown database vendor {vendor!r}.")
    try:
        expected = [manifest["database"], *manifest["media"]]
        listed = {entry["path"] for entry in expected}
        complete = isinstance(manifest["migrations"], list) and "app_version" in manifest and all(
            isinstance(entry["size"], int) and isinstance(entry["sha256"], str) for entry in expected
        )
    except (KeyError, TypeError):
        complete = False
    if not complete:
        raise BackupError(f"{path} has an incomplete manifest: it cannot be checked, so it is not used.")
    if manifest["database"]["path"] != DUMP_NAMES[vendor]:
        raise BackupError(f"{path}: the manifest names an unexpected database file.")
    present = {p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file()} - {MANIFEST}
    if present != listed:
        strays = sorted(present ^ listed)[:5]
        raise BackupError(f"{path} does not hold exactly the files its manifest lists: {', '.join(strays)}.")
    for entry in expected:
        file = workdir / entry["path"]
        if file.stat().st_size != entry["size"] or _sha256(file) != entry["sha256"]:
            raise BackupError(f"{path} is damaged: {entry['path']} does not match its checksum.")
    _check_dump(vendor, workdir / manifest["database"]["path"])
    return manifest


def _check_dump(vendor, dump):
    if vendor == "postgresql":
        _run(["pg_restore", "--list", str(dump)], None, "pg_restore cannot read the database dump")
        return
    try:
        database = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            result = database.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            database.close()
    except sqlite3.DatabaseError as error:
        result = str(error)
    if result != "ok":
        raise BackupError(f"The SQLite database in the archive is damaged: {result}")


def _sha256(file):
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- Restore ----------------------------------------------------------------


def backup_restore(*, path, connection, media_root, replace=False, storage=None):
    """Replace the database behind `connection` and the files under `media_root` by the archive's.

    Refuses (BackupError, nothing changed) a damaged archive, one of the other database vendor, one
    made by a newer version of the app, and a target that is in use unless `replace` is true.
    Returns the manifest, with "unapplied_migrations": those the code has and the archive lacks
    (`manage.py migrate` brings the restored database up to date).
    """
    media_root = Path(media_root)
    vendor = _vendor(connection)
    remote = _remote(storage)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside MEDIA_ROOT, so that the new folder is renamed into place on the same filesystem.
    workdir = Path(tempfile.mkdtemp(prefix=".jiayuan-restore-", dir=media_root.parent))
    new_media = workdir / MEDIA_DIR
    try:
        manifest = backup_verify(path=path, workdir=workdir)
        _refuse_unfit(manifest, connection, media_root, replace, remote)
        new_media.mkdir(exist_ok=True)
        dump = workdir / manifest["database"]["path"]
        if vendor == "postgresql":
            _pg_restore(connection, dump, workdir)
        else:
            _sqlite_restore(connection, dump)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if remote:
        try:
            _replace_stored(remote, new_media)
        except Exception as error:
            raise BackupError(
                f"The database was restored, but the uploaded files could not all be written to the object "
                f"storage: {error}. Run the restore again with --replace."
            ) from None
        shutil.rmtree(workdir, ignore_errors=True)
        manifest["unapplied_migrations"] = sorted(_known_migrations() - set(manifest["migrations"]))
        return manifest
    try:
        _swap_folder(new_media, media_root, workdir)
    except OSError as error:
        raise BackupError(
            f"The database was restored, but the uploaded files could not be put in place at {media_root}: "
            f"{error}. They are unpacked in {new_media}: move them there by hand."
        ) from None
    shutil.rmtree(workdir, ignore_errors=True)
    manifest["unapplied_migrations"] = sorted(_known_migrations() - set(manifest["migrations"]))
    return manifest


def _replace_stored(storage, new_media):
    """Make the object storage hold exactly the archive's files: write each (over any of that name), then
    remove those the archive does not have. An object storage has no folder to swap in one rename."""
    wanted = {p.relative_to(new_media).as_posix(): p for p in new_media.rglob("*") if p.is_file()}
    for name, source in sorted(wanted.items()):
        if storage.exists(name):
            storage.delete(name)
        with open(source, "rb") as handle:
            stored = storage.save(name, File(handle, name=name))
        if stored != name:
            raise BackupError(f"The object storage put {name} under another name, {stored}.")
    for name in _stored_files(storage):
        if name not in wanted:
            storage.delete(name)


def _refuse_unfit(manifest, connection, media_root, replace, remote=None):
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"This backup holds a {VENDOR_NAMES[manifest['vendor']]} database and this installation uses "
            f"{VENDOR_NAMES[connection.vendor]}; a backup is restored onto the same kind of database only."
        )
    unknown = sorted(set(manifest["migrations"]) - _known_migrations())
    if unknown:
        raise BackupError(
            f"This backup comes from a newer version of Jiayuan ({manifest['app_version']}): this one does not "
            f"know its migrations {', '.join(unknown[:5])}. Install that version first."
        )
    if replace:
        return
    in_use = _table_in_use(connection)
    if in_use:
        raise BackupError(
            f"The database already holds an estate (table {in_use} has rows). "
            "Give --replace to replace it with the backup."
        )
    if remote and _stored_files(remote):
        raise BackupError("The object storage already holds uploaded files. Give --replace to replace them.")
    if not remote and _media_files(media_root):
        raise BackupError(f"{media_root} already holds uploaded files. Give --replace to replace them.")


def _pg_restore(connection, dump, workdir):
    archived = set()
    listing = _run(["pg_restore", "--list", str(dump)], None, "pg_restore cannot read the database dump")
    for line in listing.splitlines():
        # "215; 1259 16390 TABLE public accounts_user postgres"
        fields = line.split()
        if not line.startswith(";") and len(fields) >= 6 and fields[3] == "TABLE" and fields[4] != "DATA":
            archived.add(fields[5])
    # Tables the backup does not know (from later migrations) would be left behind by --clean and
    # trip the next `migrate`: they go in the same transaction.
    extra = sorted(set(connection.introspection.table_names()) - archived)
    connection.close()
    preamble = workdir / "preamble.sql"
    preamble.write_text("".join(f"DROP TABLE IF EXISTS {connection.ops.quote_name(t)} CASCADE;\n" for t in extra))
    script = workdir / "restore.sql"
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file", str(script),
          str(dump)], None, "pg_restore cannot read the database dump")
    # One transaction for everything: on any error PostgreSQL rolls back and the database is as it was.
    _run(["psql", "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction",
          "--file", str(preamble), "--file", str(script)], connection, "The database could not be restored")
    script.unlink()


def _sqlite_restore(connection, dump):
    connection.close()
    name = Path(connection.settings_dict["NAME"])
    name.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(name, timeout=20)
    try:
        # The backup API writes the whole target in one transaction: all of it, or none on error.
        source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"The database could not be restored: {error}") from None
    finally:
        target.close()
        source.close()


def _swap_folder(new, current, workdir):
    """Put `new` in the place of `current` by two renames; the old folder is removed after."""
    old = workdir / "media-before-restore"
    if current.exists():
        new.chmod(current.stat().st_mode & 0o7777)
        os.rename(current, old)
    try:
        os.rename(new, current)
    except OSError:
        if old.exists():
            os.rename(old, current)
        raise


# --- Shared -----------------------------------------------------------------


def database_counts(connection):
    """Rows of the tables an operator recognises, to show what a backup holds."""
    tables = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for label, model_name in COUNTED_MODELS.items():
            table = apps.get_model(model_name)._meta.db_table
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[label] = cursor.fetchone()[0]
            else:
                counts[label] = 0
    return counts


def _table_in_use(connection):
    counts = database_counts(connection)
    for label, model_name in COUNTED_MODELS.items():
        if counts[label]:
            return apps.get_model(model_name)._meta.db_table
    return None


def _known_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def app_version():
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def _vendor(connection):
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"Backups are made of PostgreSQL and SQLite databases, not {connection.vendor}.")
    return connection.vendor


def _server_version(connection):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return cursor.fetchone()[0]


def _run(command, connection, failure):
    """Run a PostgreSQL client tool, with the connection (if any) in libpq's environment variables."""
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed. Install PostgreSQL's client tools of the server's major version "
            "or newer (Debian: apt-get install postgresql-client)."
        )
    env = dict(os.environ)
    if connection is not None:
        values = connection.settings_dict
        env.update({var: str(values[key]) for key, var in PG_ENVIRONMENT.items() if values.get(key)})
        options = values.get("OPTIONS") or {}
        env.update({var: str(options[key]) for key, var in PG_OPTION_ENVIRONMENT.items() if options.get(key)})
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{failure}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout
