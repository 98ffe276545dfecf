"""Visits the key register promises: watering plants, airing the flat, on the household's days.

Nothing is stored here: a visit is due on a day the consent names (or, with no day named,
once a week), done when a hand-over with that purpose took the key out that day, and missed
when its day passed without one.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keys.models import SCHEDULED, KeyDeposit, KeyHandover, KeyHandoverEvent
from messaging.models import Topic
from messaging.services import message_send, message_to_household

DAYS_BACK = 7


@dataclass
class Visit:
    deposit: KeyDeposit
    purpose: str
    day: date
    handover: KeyHandover | None
    today: date

    @property
    def status(self):
        if self.handover:
            return "done"
        return "due" if self.day >= self.today else "missed"

    @property
    def notes(self):
        if not self.handover:
            return ""
        return "；".join(e.note for e in self.handover.events_of(KeyHandoverEvent.Kind.BACK) if e.note)

    @property
    def purpose_label(self):
        return dict(KeyHandover._meta.get_field("purpose").choices)[self.purpose]


def visits(*, deposits=None, today=None):
    """Visits of the last DAYS_BACK days and today, done, due or missed; the newest first."""
    today = today or timezone.localdate()
    start = today - timedelta(days=DAYS_BACK)
    deposits = (deposits if deposits is not None else KeyDeposit.objects.all()).filter(
        status=KeyDeposit.Status.ACTIVE).select_related("household").prefetch_related("consents")
    deposits = list(deposits)
    handovers = KeyHandover.objects.filter(deposit__in=deposits, purpose__in=SCHEDULED).with_counts().filter(
        n_out=2, out_time__date__gte=start - timedelta(days=1)).prefetch_related(
        Prefetch("events", queryset=KeyHandoverEvent.objects.order_by("at", "pk")))
    done = {}
    for handover in handovers:
        done.setdefault((handover.deposit_id, handover.purpose, timezone.localdate(handover.out_time)), handover)
    result = []
    for deposit in deposits:
        consent = deposit.current_consent
        if not consent or consent.withdrawn:
            continue
        for purpose in SCHEDULED:
            if not getattr(consent, purpose.value):
                continue
            if consent.weekdays:
                days = [start + timedelta(days=n) for n in range(DAYS_BACK + 1)]
                days = [day for day in days if consent.allows(purpose, day)]
            else:
                # "Weekly", any day: due today unless a visit happened in the last seven days.
                recent = [day for (pk, p, day) in done if pk == deposit.pk and p == purpose and day > start]
                days = [max(recent)] if recent else ([today] if consent.allows(purpose, today) else [])
            for day in days:
                result.append(Visit(deposit, purpose, day, done.get((deposit.pk, purpose, day)), today))
    return sorted(result, key=lambda v: (-v.day.toordinal(), v.deposit.tag_number))


MORNING = 8  # keepers hear of the day's visits from 08:00


@transaction.atomic
def visits_tell(*, now):
    """The schedule's part: keepers on duty hear each morning what visits are due; a household hears of a miss."""
    from keys.access import keepers_on_duty

    local = timezone.localtime(now)
    today = local.date()
    rows = visits(today=today)
    told = 0
    due = [v for v in rows if v.day == today and v.status == "due"]
    if due and local.hour >= MORNING:
        lines = "\n".join(f"{v.deposit.tag} {v.purpose_label}" for v in due)
        told += len(message_send(
            to=list(keepers_on_duty()), topic=Topic.VISITS, link=reverse("care:visits"), dedupe_key=f"visits:{today}",
            subject=_("Visits due today: %(n)d") % {"n": len(due)}, body=lines))
    for visit in rows:
        if visit.status == "missed" and visit.day == today - timedelta(days=1):
            told += len(message_to_household(
                household=visit.deposit.household, topic=Topic.VISITS, link=reverse("care:visits"),
                dedupe_key=f"visit:{visit.deposit.pk}:{visit.purpose}:{visit.day}:missed",
                subject=_("A visit did not happen"),
                body=_("%(what)s with key %(tag)s was due on %(day)s and did not happen. The key keepers have been "
                       "told; call the committee if it matters.") % {
                    "what": visit.purpose_label, "tag": visit.deposit.tag, "day": visit.day.isoformat()}))
    return told
