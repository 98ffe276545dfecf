"""Running background work inside a test: what a `db_worker` and cron would do, now, in this process."""

from unittest import mock

from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks(*, max_tasks=None):
    """Run every task that is ready (as `manage.py db_worker --batch` would); returns how many ran.

    Tasks enqueued by the tasks they run are run too. A task that raises is recorded as failed (its row says
    why), exactly as in production: assert on the effects, or on `DBTaskResult.objects.failed()`.
    """
    before = DBTaskResult.objects.finished().count()
    # The worker drops stale connections between tasks; inside a test's transaction that would end the test.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        _worker(max_tasks).run()
    return DBTaskResult.objects.finished().count() - before


def _worker(max_tasks):
    return db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="tests",
        excluded_queue_names=[],
    )
