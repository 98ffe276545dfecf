from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ledger.commands import parse_month
from ledger.services import month_bill


class Command(BaseCommand):
    help = "Bill every household for a month (YYYY-MM). Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("month", type=parse_month, help="YYYY-MM")

    def handle(self, *args, month, **options):
        try:
            result = month_bill(month=month, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not result.households:
            self.stdout.write(f"{month:%Y-%m}: every household is already billed; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{month:%Y-%m}: billed {result.households} households, {result.total:.2f} in all."))
