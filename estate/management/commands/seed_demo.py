from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from estate.models import Household

# Each app seeds its part of the demo estate, in this order (later parts build on earlier ones). The bank comes
# last: it reconciles the month the ledger's finish() closes last, once every bank posting of it is written.
DEMO_APPS = (
    "estate", "ledger", "repairs", "keys", "decisions", "care", "messaging", "chasing", "committee", "voice",
    "budgeting", "bank",
)


class Command(BaseCommand):
    help = "Load the demo estate 幸福家园小区 into an empty database, with a login for every role."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing, quietly, when the database already holds households.")

    def handle(self, *args, if_empty=False, **options):
        if Household.objects.exists():
            if not if_empty:
                self.stderr.write("The database already holds households; the demo goes only into an empty one.")
                raise SystemExit(1)
            self.stdout.write("The database already holds an estate; the demo is not loaded.")
            return
        with transaction.atomic():
            modules = [import_module(f"{app}.demo") for app in DEMO_APPS]
            for module in modules:
                module.seed(out=self.stdout)
            # Then what needs every part's history in place (closing months posts their notices).
            for module in modules:
                if hasattr(module, "finish"):
                    module.finish(out=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo estate loaded."))
