from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase

from accounts.models import ActivityRecord, Role, User


class CreateChairTest(TestCase):
    def run_command(self, *args, password="a long and unusual passphrase"):
        with mock.patch.dict("os.environ", {"CHAIR_PASSWORD": password}):
            call_command("create_chair", *args, "--no-input", stdout=StringIO())

    def test_it_makes_the_first_chair_and_logs_it(self):
        self.run_command("wang", "--name", "王建国")
        chair = User.objects.get(username="wang")
        self.assertTrue(chair.check_password("a long and unusual passphrase"))
        self.assertEqual(chair.name, "王建国")
        self.assertTrue(Role.objects.filter(user=chair, kind=Role.Kind.CHAIR, ended_at__isnull=True).exists())
        record = ActivityRecord.objects.get(verb="role.grant")
        self.assertEqual((record.actor, record.source), (None, "command"))

    def test_it_refuses_once_there_is_a_chair(self):
        self.run_command("wang")
        with self.assertRaisesMessage(CommandError, "已有业委会主任"):
            self.run_command("li")
        self.assertFalse(User.objects.filter(username="li").exists())

    def test_a_weak_password_is_refused_and_nothing_is_written(self):
        with self.assertRaises(CommandError):
            self.run_command("wang", password="123456")
        self.assertFalse(User.objects.exists())
        self.assertFalse(ActivityRecord.objects.exists())
