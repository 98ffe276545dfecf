"""Motions and decisions for tests that need the owners to have decided something (not a test of voting)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from decisions.models import Assembly, Decision, Motion


def motion_draft(*, kind, by, title="测试议题"):
    now = timezone.now()
    assembly = Assembly.objects.create(title="2026年业主大会", created_by=by)
    return Motion.objects.create(assembly=assembly, title=title, text="全文", kind=kind, created_by=by,
                                 voting_starts=now + timedelta(days=1), voting_ends=now + timedelta(days=15))


def motion_open(motion):
    """As opening the vote leaves it (the roll frozen); the figures do not matter here."""
    Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.OPEN, opened_at=timezone.now(),
                                               total_area=Decimal("261.50"), total_heads=3)
    motion.refresh_from_db()
    return motion


def decision_passed(*, kind, by, title="测试议题", motion=None):
    """A decision as the owners' vote leaves it: the motion closed, the number taken."""
    motion = motion or motion_draft(kind=kind, by=by, title=title)
    motion_open(motion)
    Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.CLOSED)
    motion.refresh_from_db()
    year = timezone.localdate().year
    sequence = Decision.objects.filter(year=year).count() + 1
    return Decision.objects.create(motion=motion, kind=kind, title=motion.title, year=year, sequence=sequence)
