from django.core.management.base import BaseCommand

from ledger.totals import differences, totals_rebuild

SHOWN = 20


class Command(BaseCommand):
    help = ("Write the running totals (per household, per account and month, per fund and month) again from the "
            "entries, charges, payments and settlements, naming every total that differed. For when check_ledger "
            "names a total but the chain holds, and after books were written without the services.")

    def handle(self, *args, **options):
        # The totals follow from the books; the books themselves are what check_ledger's chain vouches for.
        differing = list(differences())
        for line in differing[:SHOWN]:
            self.stdout.write(line)
        if len(differing) > SHOWN:
            self.stdout.write(f"… and {len(differing) - SHOWN} more")
        totals_rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"Running totals written again from the books: {len(differing)} differed, now none does."))
