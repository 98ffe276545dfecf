"""Background work: tasks run by the worker, and `run_scheduled` running every app's jobs once, safely."""

import sys
import types
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.tasks import task
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from estate import background
from estate.models import Building, JobRun
from tests.background import run_queued_tasks

CALLS = []  # the moments add_building_once ran at


@task()
def name_a_building(code):
    Building.objects.create(code=code, name=f"{code}栋")
    return code


@task()
def fail_loudly():
    raise RuntimeError("the provider said no")


def add_building_once(*, now):
    """An idempotent job: the unique code decides, not the clock."""
    _, created = Building.objects.get_or_create(code="9", defaults={"name": "9栋"})
    CALLS.append(now)
    return 1 if created else 0


def break_down(*, now):
    Building.objects.create(code="8", name="8栋")  # rolled back with the failure
    raise ValueError("out of order")


class TasksTest(TestCase):
    def test_a_task_enqueued_runs_when_the_worker_comes(self):
        result = name_a_building.enqueue("7")
        self.assertFalse(Building.objects.filter(code="7").exists())

        self.assertEqual(run_queued_tasks(), 1)

        self.assertTrue(Building.objects.filter(code="7").exists())
        self.assertEqual(DBTaskResult.objects.get(id=result.id).return_value, "7")

    def test_a_failing_task_is_recorded_as_failed_with_its_reason(self):
        fail_loudly.enqueue()
        run_queued_tasks()
        failed = DBTaskResult.objects.failed().get()
        self.assertIn("RuntimeError", failed.exception_class_path)
        self.assertIn("the provider said no", failed.traceback)

    def test_old_finished_tasks_are_pruned_and_recent_failures_kept(self):
        name_a_building.enqueue("5")
        fail_loudly.enqueue()
        run_queued_tasks()
        now = timezone.now() + timedelta(days=8)
        background.run_scheduled(now=now, only=["estate.prune_task_results"])
        self.assertEqual(DBTaskResult.objects.successful().count(), 0)
        self.assertEqual(DBTaskResult.objects.failed().count(), 1)


@pytest.fixture
def app_jobs(monkeypatch):
    """A project app whose schedule.py holds the given jobs."""

    def install(*jobs):
        module = types.ModuleType("keys.schedule")
        module.JOBS = list(jobs)
        monkeypatch.setitem(sys.modules, "keys.schedule", module)
        found = ("keys.schedule", "estate.schedule")
        monkeypatch.setattr(background, "find_spec", lambda name: name if name in found else None)

    return install


@pytest.mark.django_db
class TestRunScheduled:
    def test_it_finds_the_jobs_every_app_contributes(self, app_jobs):
        app_jobs(add_building_once)
        names = [name for name, _ in background.registered_jobs()]
        assert names == ["estate.prune_task_results", "keys.add_building_once"]
        out = StringIO()
        call_command("run_scheduled", "--list", stdout=out)
        assert out.getvalue().split() == names

    def test_running_twice_at_the_same_moment_changes_nothing_the_second_time(self, app_jobs):
        app_jobs(add_building_once)
        now = timezone.now()
        first = background.run_scheduled(now=now, only=["keys.add_building_once"])
        second = background.run_scheduled(now=now, only=["keys.add_building_once"])
        assert first == [("keys.add_building_once", True, 1)]
        assert second == [("keys.add_building_once", True, 0)]
        assert Building.objects.filter(code="9").count() == 1
        run = JobRun.objects.get(name="keys.add_building_once")
        assert (run.last_started_at, run.last_result, run.failures) == (now, "0", 0)

    def test_a_failing_job_is_rolled_back_recorded_and_does_not_stop_the_others(self, app_jobs):
        app_jobs(break_down, add_building_once)
        err = StringIO()
        with pytest.raises(CommandError, match="1 job"):
            call_command("run_scheduled", stdout=StringIO(), stderr=err)
        assert "keys.break_down failed: out of order" in err.getvalue()
        assert not Building.objects.filter(code="8").exists()
        assert Building.objects.filter(code="9").exists()
        run = JobRun.objects.get(name="keys.break_down")
        assert run.failures == 1 and "ValueError: out of order" in run.last_error
        with pytest.raises(CommandError):
            call_command("run_scheduled", stdout=StringIO(), stderr=StringIO())
        assert JobRun.objects.get(name="keys.break_down").failures == 2

    def test_an_unknown_job_is_named(self):
        with pytest.raises(CommandError, match="No such job: nope"):
            call_command("run_scheduled", "--job", "nope")
