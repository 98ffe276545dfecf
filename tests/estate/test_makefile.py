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


class WorkersTest(SimpleTestCase):
    """make test runs `pytest -n auto`: workers for the suite or a folder, one process for a few files."""

    def workers(self, *args):
        from types import SimpleNamespace

        from tests.conftest import pytest_xdist_auto_num_workers

        return pytest_xdist_auto_num_workers(SimpleNamespace(args=list(args)))

    def test_the_whole_suite_or_a_folder_is_shared_out(self):
        self.assertIsNone(self.workers())  # xdist's own count: one worker per CPU
        self.assertIsNone(self.workers("tests/ledger"))

    def test_a_few_files_or_tests_stay_in_one_process(self):
        self.assertEqual(self.workers("tests/ledger/test_notice.py"), 0)
        self.assertEqual(self.workers("tests/ledger/test_notice.py::NoticeTest", "tests/estate/test_errors.py"), 0)

    def test_make_test_without_workers_leaves_xdist_out(self):
        self.assertIn("-n auto --dist loadscope", _run(["make", "-n", "test"]).stdout)
        self.assertNotIn("-n ", _run(["make", "-n", "test", "TEST_WORKERS=0"]).stdout.split("pytest")[-1])
