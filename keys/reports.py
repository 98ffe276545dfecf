"""Figures about key hand-overs for other parts of the estate (the monthly public notice)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone

from keys.models import KeyHandover, KeyHandoverEvent, Purpose


@dataclass(frozen=True)
class HandoverLine:
    """One hand-over as the public may read it: the tag, never the address."""

    tag: str
    is_emergency: bool
    purpose: str  # Purpose value: "emergency" or the service
    purpose_label: str
    out_at: datetime
    back_at: datetime | None  # None while the key is still out (or was lost)
    keeper: str
    witness: str


def _month_start(year, month):
    return timezone.make_aware(datetime.combine(date(year, month, 1), datetime.min.time()))


def handovers_in_month(year, month):
    """Every hand-over whose key went out (both confirmed) in the month, local time, in order.

    Every one of them was witnessed: a key counts as out only with the witness's confirmation.
    """
    start = _month_start(year, month)
    end = _month_start(year + month // 12, month % 12 + 1)
    handovers = (
        KeyHandover.objects.with_counts()
        .filter(n_out=2, out_time__gte=start, out_time__lt=end)
        .select_related("deposit", "keeper", "witness")
        .prefetch_related(Prefetch("events", queryset=KeyHandoverEvent.objects.all()))
        .order_by("out_time", "pk")
    )
    return [
        HandoverLine(
            tag=handover.deposit.tag,
            is_emergency=handover.is_emergency,
            purpose=handover.purpose,
            purpose_label=str(Purpose(handover.purpose).label),
            out_at=handover.out_at,
            back_at=handover.back_at,
            keeper=str(handover.keeper),
            witness=str(handover.witness),
        )
        for handover in handovers
    ]
