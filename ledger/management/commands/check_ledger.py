from django.core.management.base import BaseCommand

from ledger.checks import first_violation


class Command(BaseCommand):
    help = "Recompute the hash chain, zero sums, balances and closed months; exit 1 naming the first violation."

    def handle(self, *args, **options):
        violation = first_violation()
        if violation:
            self.stderr.write(f"Ledger check failed: {violation}")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Ledger check passed: every invariant holds."))
