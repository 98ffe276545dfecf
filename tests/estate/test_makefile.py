"""The Makefile keeps secrets out of logs and installs what the PostgreSQL tests need."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

URL = "postgres://jiayuan:s3cr%40t-pass@db.example:5432/jiayuan?sslmode=require"


def _run(args, **env):
    return subprocess.run(args, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env})


class MakefileTest(SimpleTestCase):
    def test_the_database_label_masks_the_password(self):
        result = _run([sys.executable, "scripts/database-label", "SQLite"], DATABASE_URL=URL)
        self.assertEqual(result.stdout.strip(), "postgres://jiayuan:****@db.example:5432/jiayuan?sslmode=require")
        self.assertNotIn("s3cr", result.stdout)

    def test_the_database_label_without_a_url_names_the_default(self):
        self.assertEqual(_run([sys.executable, "scripts/database-label", "SQLite in var/"]).stdout, "SQLite in var/\n")

    def test_no_recipe_prints_the_database_url_itself(self):
        makefile = (settings.BASE_DIR / "Makefile").read_text()
        for line in makefile.splitlines():
            if "echo" in line:
                self.assertNotIn("$${DATABASE_URL", line, line)
                self.assertNotIn("$(DATABASE_URL", line, line)
        dry_run = _run(["make", "-n", "run", "test"], DATABASE_URL=URL)
        self.assertNotIn("s3cr", dry_run.stdout + dry_run.stderr)

    def test_make_test_on_postgresql_installs_the_postgresql_client(self):
        self.assertIn("postgresql-client", _run(["make", "-n", "system-deps"], DATABASE_URL=URL).stdout)
        self.assertNotIn("postgresql-client", _run(["make", "-n", "system-deps"]).stdout)
