from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from estate import roster, services


class Command(BaseCommand):
    help = (
        "Import the household roster from .xlsx or .csv (Chinese headers 楼栋, 单元, 房号, 业主姓名, 联系电话, "
        "建筑面积). All or nothing: any bad row aborts the whole file and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster, .xlsx or .csv (UTF-8 or GBK)")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")

    def handle(self, *args, file, dry_run=False, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            rows = roster.parse(data, path.name)
            plan = roster.make_plan(rows) if dry_run else services.roster_import(rows=rows, by=None,
                                                                                 filename=path.name)
        except roster.RosterInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name}: nothing was imported ({len(invalid.errors)} problem(s)).") from None
        for line in roster.plan_summary(plan):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        elif plan.has_changes:
            self.stdout.write(self.style.SUCCESS("Imported."))
        else:
            self.stdout.write(self.style.SUCCESS("Nothing to change: the register already matches the file."))
