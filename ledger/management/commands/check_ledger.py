from django.core.management.base import BaseCommand, CommandError

from ledger.anchors import AnchorFileError, compare_with_file
from ledger.checks import first_violation


class Command(BaseCommand):
    help = ("Recompute the hash chain, zero sums, balances, records, receipts, closed months and posted notices; "
            "exit 1 naming the first violation. With --against FILE (an earlier backup archive, or a list of "
            "printed chain heads), also name the first transaction where the books and FILE part.")

    def add_arguments(self, parser):
        parser.add_argument("--against", metavar="BACKUP_OR_HEADS_FILE",
                            help="a backup_estate archive, or a text file of heads like \"446 65d5a0c1…\"")

    def handle(self, *args, against=None, **options):
        violation = first_violation()
        if violation is None and against:
            try:
                violation = compare_with_file(against)
            except AnchorFileError as error:
                raise CommandError(str(error)) from None
        if violation:
            self.stderr.write(f"Ledger check failed: {violation}")
            raise SystemExit(1)
        said = f" and agrees with {against}" if against else ""
        self.stdout.write(self.style.SUCCESS(f"Ledger check passed: every invariant holds{said}."))
