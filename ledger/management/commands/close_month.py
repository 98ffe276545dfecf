from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ledger.closing import open_items
from ledger.commands import parse_month
from ledger.models import MonthlyNotice
from ledger.services import month_close


class Command(BaseCommand):
    help = "Close a month (YYYY-MM): nothing dated in it can be posted afterwards; its notice is posted."

    def add_arguments(self, parser):
        parser.add_argument("month", type=parse_month, help="YYYY-MM")

    def handle(self, *args, month, **options):
        # What the month-close page shows: items still open are carried into the next month, and said here.
        for item in open_items(month):
            if not item.blocks:
                amount = f" ({item.amount} yuan)" if item.amount is not None else ""
                self.stderr.write(self.style.WARNING(f"still open: {item.label}{amount}"))
        try:
            closed = month_close(month=month, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        notice = MonthlyNotice.objects.get(month=closed.month)
        self.stdout.write(self.style.SUCCESS(
            f"{closed}: closed; chain head #{closed.head_seq} {closed.head_hash}\n"
            f"notice posted: {notice.size} bytes, sha256 {notice.sha256}"))
