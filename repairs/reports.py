"""Repair figures for a month or a year, and the list of finished repairs for the monthly public notice.

A ticket is *opened* when it is reported and *finished* when its work is done
(confirmed or closed later, or still awaiting confirmation); a reopened ticket is
finished again when it is done again. Times run from the report: to its
acceptance, and to the work being done.
"""

import calendar
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repairs import costs
from repairs.models import Ticket

AGE_BUCKETS = [
    (timedelta(days=2), gettext_lazy("up to 2 days")),
    (timedelta(days=7), gettext_lazy("3 to 7 days")),
    (timedelta(days=30), gettext_lazy("8 to 30 days")),
    (None, gettext_lazy("over 30 days")),
]


@dataclass(frozen=True)
class Period:
    """A calendar month (month given) or year (month None), in the estate's time zone."""

    year: int
    month: int | None = None

    @property
    def start(self):
        return timezone.make_aware(datetime(self.year, self.month or 1, 1))

    @property
    def end(self):
        """The first moment after the period."""
        if self.month is None:
            return timezone.make_aware(datetime(self.year + 1, 1, 1))
        days = calendar.monthrange(self.year, self.month)[1]
        return timezone.make_aware(datetime(self.year, self.month, 1) + timedelta(days=days))

    @property
    def is_month(self):
        return self.month is not None

    @property
    def key(self):
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def label(self):
        if self.month:
            return _("%(year)s-%(month)02d") % {"year": self.year, "month": self.month}
        return _("the year %(year)s") % {"year": self.year}

    @property
    def previous(self):
        if self.month is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    @property
    def next(self):
        if self.month is None:
            return Period(self.year + 1)
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    @property
    def is_current_or_later(self):
        return self.end > timezone.now()

    def __contains__(self, moment):
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class Times:
    """Median and worst of a set of durations (None when there are none)."""

    count: int
    median: timedelta | None
    worst: timedelta | None

    @classmethod
    def of(cls, durations):
        durations = [d for d in durations if d is not None]
        if not durations:
            return cls(0, None, None)
        seconds = statistics.median(d.total_seconds() for d in durations)
        return cls(len(durations), timedelta(seconds=round(seconds)), max(durations))


@dataclass(frozen=True)
class Group:
    label: str
    opened: int
    finished: int
    to_accept: Times
    to_finish: Times


def _group(label, tickets, period):
    return Group(
        label=label,
        opened=sum(1 for t in tickets if t.reported_at in period),
        finished=sum(1 for t in tickets if _finished_in(t, period)),
        to_accept=Times.of(t.time_to_accept() for t in tickets if t.accepted_at in period),
        to_finish=Times.of(t.time_to_finish() for t in tickets if _finished_in(t, period)),
    )


def _finished_in(ticket, period):
    return ticket.status in Ticket.FINISHED and ticket.done_at in period


def _assignee_label(ticket):
    return str(ticket.assignee) if ticket.assignee else _("Not assigned")


def figures(period, *, now=None):
    """Everything the figures page shows for `period`, in five queries whatever the number of tickets."""
    now = now or timezone.now()
    span = Q(reported_at__gte=period.start, reported_at__lt=period.end) \
        | Q(accepted_at__gte=period.start, accepted_at__lt=period.end) \
        | Q(done_at__gte=period.start, done_at__lt=period.end)
    tickets = list(Ticket.objects.filter(span).select_related("volunteer__user", "contractor"))
    finished = [t for t in tickets if _finished_in(t, period)]

    by_category = []
    for value, label in Ticket.Category.choices:
        group = _group(label, [t for t in tickets if t.category == value], period)
        if group.opened or group.finished or group.to_accept.count:
            by_category.append(group)
    by_assignee = {}
    for ticket in tickets:
        if ticket.assignee is not None or ticket.accepted_at in period:
            by_assignee.setdefault(_assignee_label(ticket), []).append(ticket)
    by_assignee = [_group(label, group, period) for label, group in sorted(by_assignee.items())]

    rating = Ticket.objects.filter(status__in=Ticket.FINISHED, done_at__gte=period.start, done_at__lt=period.end,
                                   rating__isnull=False).aggregate(average=Avg("rating"), count=Count("pk"))
    return {
        "total": _group(_("All repairs"), tickets, period),
        "finished_count": len(finished),
        "by_category": by_category,
        "by_assignee": by_assignee,
        "open_by_age": open_by_age(now=now),
        "rating": {"average": _one_decimal(rating["average"]), "count": rating["count"]},
        "spent": costs.spent_between(period.start, period.end),
    }


def _one_decimal(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def open_by_age(*, now=None):
    """Open tickets now, by how long ago they were reported: [(label, count, emergencies)]."""
    now = now or timezone.now()
    conditions, lower = {}, None
    for index, (upper, _label) in enumerate(AGE_BUCKETS):
        q = Q()
        if upper is not None:
            q &= Q(reported_at__gt=now - upper)
        if lower is not None:
            q &= Q(reported_at__lte=now - lower)
        conditions[f"n{index}"] = Count("pk", filter=q)
        conditions[f"e{index}"] = Count("pk", filter=q & Q(urgency=Ticket.Urgency.EMERGENCY))
        lower = upper
    counts = Ticket.objects.open().aggregate(**conditions)
    return [(label, counts[f"n{i}"], counts[f"e{i}"]) for i, (_upper, label) in enumerate(AGE_BUCKETS)]


@dataclass(frozen=True)
class FinishedRepair:
    """One line of the monthly public notice: no names, no free text, only what the estate did and paid."""

    number: str
    category: str
    location: str
    finished_on: object  # a date
    cost: Decimal | None  # paid from the estate's accounts; None when nothing was paid


def finished_in_month(year, month):
    """The repairs whose work was finished in the month, in order, for the public notice (notice_section.py)."""
    period = Period(year, month)
    tickets = list(Ticket.objects.filter(status__in=Ticket.FINISHED, done_at__gte=period.start,
                                         done_at__lt=period.end).select_related("building").order_by("done_at", "pk"))
    paid = costs.paid_for(tickets)
    return [
        FinishedRepair(number=t.number, category=str(t.get_category_display()), location=t.public_location,
                       finished_on=timezone.localtime(t.done_at).date(), cost=paid.get(t.pk))
        for t in tickets
    ]
