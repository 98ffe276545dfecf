"""Helpers shared by the ledger's management commands."""

import argparse
import re
from datetime import date


def parse_month(value):
    """YYYY-MM → the first day of that month, for argparse."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month like 2026-03")
    return date(int(match[1]), int(match[2]), 1)
