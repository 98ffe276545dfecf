from django.core.management.base import BaseCommand, CommandError

from estate.background import registered_jobs, run_scheduled


class Command(BaseCommand):
    help = (
        "Run every app's scheduled jobs once (check-in deadlines, escalations, overdue keys, visits due, "
        "reminders). Cron or a systemd timer calls it every few minutes; running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--job", action="append", dest="jobs", help="run only this job (repeatable)")
        parser.add_argument("--list", action="store_true", dest="list_jobs", help="list the registered jobs and exit")

    def handle(self, *, jobs, list_jobs, verbosity, **options):
        names = [name for name, _ in registered_jobs()]
        if list_jobs:
            for name in names:
                self.stdout.write(name)
            return
        unknown = set(jobs or ()) - set(names)
        if unknown:
            raise CommandError(f"No such job: {', '.join(sorted(unknown))}. Jobs: {', '.join(names) or 'none'}")
        failed = []
        for name, ok, result in run_scheduled(only=jobs):
            if ok:
                if verbosity > 1 or (verbosity == 1 and result):
                    self.stdout.write(f"{name}: {result}")
            else:
                failed.append(name)
                self.stderr.write(f"{name} failed: {result}")
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
