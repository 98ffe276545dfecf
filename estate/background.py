"""Background work and the schedule: what happens at a time rather than on a request.

See docs/ARCHITECTURE.md, "Background work".

`manage.py run_scheduled`, called every few minutes by cron or a systemd timer (and by `make run`), runs every
app's jobs. An app contributes jobs with a module `<app>/schedule.py` holding a list `JOBS` of functions
`job(*, now)` that return a short account of what they did (a number, or a sentence). Rules for a job:

- It is idempotent: run twice at the same `now` it changes nothing the second time (a unique constraint or a
  "done" mark decides, never the clock alone), because cron may overlap and a run may be retried.
- It decides from the database and `now`, so a late run catches up on what a missed one would have done.
- It writes in one transaction, which this module opens while holding the job's lock; anything slow or talking
  to the outside world (sending a message) it enqueues as a background task (django.tasks), which commits with it.
"""

import logging
import traceback
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from estate.models import JobRun

logger = logging.getLogger(__name__)


def registered_jobs():
    """(name, function) for every job of every app of the project, in INSTALLED_APPS order."""
    jobs = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)):
            continue  # Django's and third-party apps contribute nothing
        module_name = f"{config.name}.schedule"
        if find_spec(module_name) is None:
            continue
        for job in getattr(import_module(module_name), "JOBS", ()):
            jobs.append((f"{config.label}.{job.__name__}", job))
    return jobs


def _job_row(name):
    try:
        return JobRun.objects.get_or_create(name=name)[0]
    except IntegrityError:  # another run created it a moment ago
        return JobRun.objects.get(name=name)


def run_job(name, job, *, now):
    """Run one job under its lock; a failure is rolled back whole and recorded, and the next job still runs."""
    _job_row(name)
    try:
        with transaction.atomic():
            run = JobRun.objects.select_for_update().get(name=name)
            result = job(now=now)
            run.last_started_at = now
            run.last_succeeded_at = timezone.now()
            run.last_result = str(result if result is not None else "")[:200]
            run.failures = 0
            run.save()
    except Exception as exc:
        logger.exception("Scheduled job %s failed", name)
        JobRun.objects.filter(name=name).update(
            last_started_at=now,
            last_failed_at=timezone.now(),
            last_error="".join(traceback.format_exception_only(exc)).strip()[:2000],
        )
        run = JobRun.objects.get(name=name)
        JobRun.objects.filter(pk=run.pk).update(failures=run.failures + 1)
        return False, exc
    return True, result


def run_scheduled(*, now=None, only=None):
    """Run every registered job (or those named in `only`); returns [(name, ok, result or error)]."""
    now = now or timezone.now()
    outcomes = []
    for name, job in registered_jobs():
        if only and name not in only:
            continue
        ok, result = run_job(name, job, now=now)
        outcomes.append((name, ok, result))
    return outcomes
