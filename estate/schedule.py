"""The estate's own scheduled jobs (see estate/background.py for what a job promises)."""

from datetime import timedelta

from django_tasks_db.models import DBTaskResult

# A finished task's row says what ran and how it ended; kept long enough to look into a failure, then pruned.
KEEP_SUCCEEDED = timedelta(days=7)
KEEP_FAILED = timedelta(days=90)


def prune_task_results(*, now):
    succeeded = DBTaskResult.objects.successful().filter(finished_at__lt=now - KEEP_SUCCEEDED).delete()[0]
    failed = DBTaskResult.objects.failed().filter(finished_at__lt=now - KEEP_FAILED).delete()[0]
    return succeeded + failed


JOBS = [prune_task_results]
