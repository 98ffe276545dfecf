"""manage.py prepare: what make run does before serving, skipping what is already done."""

import io

from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from estate.management.commands.prepare import unapplied_migrations
from estate.models import Household
from tests.base import BaseTestCase


class PrepareTests(BaseTestCase):
    def test_a_migrated_database_is_left_alone_and_an_estate_is_not_reseeded(self):
        households = Household.objects.count()
        out = io.StringIO()
        call_command("prepare", stdout=out)
        self.assertIn("Database up to date: no migration to apply", out.getvalue())
        self.assertIn("the demo is not loaded", out.getvalue())
        self.assertEqual(Household.objects.count(), households)


class UnappliedMigrationsTests(TestCase):
    def test_the_test_database_has_none(self):
        self.assertEqual(unapplied_migrations(connection), [])
