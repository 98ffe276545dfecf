from pathlib import Path

from django.core.management.base import BaseCommand

from ledger.commands import parse_month
from ledger.notice import notice_pdf


class Command(BaseCommand):
    help = ("Write a month's public accounts notice (YYYY-MM) as PDF: the stored one, byte for byte, "
            "for a closed month; a draft marked 草稿 for an open one.")
    # The system checks import every URL module and its views (about 0.4 s of a 1.8 s run) to check what this
    # command never uses; it reads the books and writes a file. migrate and the server still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("month", type=parse_month, help="YYYY-MM")
        parser.add_argument("--output", required=True, type=Path, help="the PDF file to write")

    def handle(self, *args, month, output, **options):
        pdf, posted = notice_pdf(month)
        output.write_bytes(pdf)
        state = f"posted notice, sha256 {posted.sha256}" if posted else "draft (the month is not closed)"
        self.stdout.write(self.style.SUCCESS(f"{output}: {len(pdf)} bytes, {month:%Y-%m} {state}"))
