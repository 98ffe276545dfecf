import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import chair_bootstrap


class Command(BaseCommand):
    help = ("Create the first committee chair of a new installation (asks for the password; or reads "
            "CHAIR_PASSWORD with --no-input). Refused once a chair exists: the chair then invites everyone else.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="the chair's name as residents know it, e.g. 王建国")
        parser.add_argument("--no-input", action="store_true", help="take the password from CHAIR_PASSWORD")

    def handle(self, *args, username, name, no_input, **options):
        if no_input:
            password = os.environ.get("CHAIR_PASSWORD", "")
            if not password:
                raise CommandError("Set CHAIR_PASSWORD, or leave out --no-input to be asked.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = chair_bootstrap(username=username, name=name, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{user.username} is the committee chair. Log in, set up two-factor login, then invite the others."))
