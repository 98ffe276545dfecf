"""This app's part of the demo estate (called by seed_demo, in app order).

Three check-in agreements: 周玉兰 (1-1-301, login `resident`) taps "I am fine today" by 09:00, her buddy
赵德明 (`volunteer`); 吴国庆 (2-1-502, `resident2`), with his son's consent, whose curtains were not
open by the deadline 40 minutes before the demo was loaded: an open alert, already passed on to the
backup; and a neighbour in building 1 whose checks are paused while she is in hospital. A week of
checks behind them. Every time is counted back from now, so the alert is "today" whenever loaded.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from care import services
from care.models import Agreement, Alert, Check
from estate.models import Resident


def seed(*, out):
    users = {u.username: u for u in User.objects.filter(
        username__in=["chair", "head1", "head2", "volunteer", "volunteer2", "resident", "resident2"])}
    now = timezone.now()
    today = timezone.localdate()
    started = now - timedelta(days=30)

    def agreement(person, **fields):
        return Agreement.objects.create(
            household=person.household, person=person, consent_recorded_by=users["chair"], consent_at=started,
            **fields)

    zhou = Resident.objects.get(user=users["resident"])
    wu = Resident.objects.get(user=users["resident2"])
    raised = now - timedelta(minutes=40)
    first = agreement(zhou, sign=Agreement.Sign.TAP, deadline=time(9, 0), buddy=users["volunteer"],
                      backup=users["volunteer2"], family_name="女儿 李梅", family_phone="13900135678",
                      key_opening=True, consent_by=Agreement.ConsentBy.PERSON, consent_name=zhou.name)
    missed = agreement(wu, sign=Agreement.Sign.CURTAINS,
                       deadline=timezone.localtime(raised).time().replace(second=0, microsecond=0),
                       buddy=users["head2"], backup=users["volunteer"], family_name="儿子 吴小明",
                       family_phone="13700137000", key_opening=True, consent_by=Agreement.ConsentBy.FAMILY,
                       consent_name="吴小明", consent_relation="儿子")
    neighbour = (Resident.objects.filter(household__building__code="1", user__isnull=True, is_active=True)
                 .exclude(household=zhou.household).order_by("household__code").first())
    paused = agreement(neighbour, sign=Agreement.Sign.LIGHT, deadline=time(20, 0), weekdays=[0, 1, 2, 3, 4],
                       buddy=users["head1"], key_opening=False, consent_by=Agreement.ConsentBy.PERSON,
                       consent_name=neighbour.name, status=Agreement.Status.PAUSED, pause_reason="住院",
                       paused_until=today + timedelta(days=5))

    checks = []
    for days_ago in range(1, 8):
        day = today - timedelta(days=days_ago)
        checks.append(Check(agreement=first, day=day, by=users["resident"],
                            at=timezone.make_aware(datetime.combine(day, time(7, 40 + days_ago)))))
        checks.append(Check(agreement=missed, day=day, by=users["head2"],
                            at=timezone.make_aware(datetime.combine(day, time(8, 10 + days_ago)))))
    # 周玉兰 tapped this morning already (or just now, if the demo is loaded before 07:45).
    morning = timezone.make_aware(datetime.combine(today, time(7, 45)))
    checks.append(Check(agreement=first, day=today, by=users["resident"], at=min(now, morning)))
    Check.objects.bulk_create(checks)

    alert = Alert.objects.create(agreement=missed, day=timezone.localdate(raised), raised_at=raised)
    for level in (Alert.Level.BUDDY, Alert.Level.BACKUP):
        alert.level = level
        services._announce(alert, level)
    alert.save()
    out.write(f"Care: 3 check-in agreements ({first.household}, {missed.household} with an open alert, "
              f"{paused.household} paused)")
