from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ledger.commands import parse_month
from ledger.services import month_close


class Command(BaseCommand):
    help = "Close a month (YYYY-MM): nothing dated in it can be posted afterwards."

    def add_arguments(self, parser):
        parser.add_argument("month", type=parse_month, help="YYYY-MM")

    def handle(self, *args, month, **options):
        try:
            closed = month_close(month=month, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{closed}: closed; chain head #{closed.head_seq} {closed.head_hash}"))
