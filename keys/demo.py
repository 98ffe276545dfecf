"""This app's part of the demo estate (called by seed_demo, in app order).

Twenty-four key rings in the cabinet, some with consent to water plants, about three
months of witnessed hand-overs (one of them an emergency), one inventory check, and
one key out for six hours — overdue whenever the demo is loaded, since every time is
counted back from now.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from estate.models import Household
from keys.models import (
    InventoryCheck,
    InventoryLine,
    KeyConsent,
    KeyDeposit,
    KeyHandover,
    KeyHandoverEvent,
    KeyKeeper,
    Purpose,
)

DEPOSITS = 24
# Households whose demo logins should find a story on their key page.
SHOWCASE = ("1-1-301", "2-1-502")
EMERGENCY_UNIT = "2-2-601"
NOTES = {
    Purpose.PLANTS: ["浇了阳台和客厅的花，每盆约一杯水", "浇花，顺手把窗帘拉上", "绿萝和兰花都浇过了，土还湿的没浇"],
    Purpose.AIRING: ["开窗通风半小时，关好窗户锁好门", "通风四十分钟，检查了燃气阀门是关的"],
    Purpose.REPAIR: ["陪同维修师傅更换了卫生间水龙头，师傅走后锁门", "陪同燃气公司上门安检，正常"],
}


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed(*, out):
    rng = random.Random(20260606)
    users = {u.username: u for u in User.objects.filter(username__in=["chair", "member", "volunteer", "volunteer2"])}
    chair = users["chair"]
    now = timezone.now()
    today = timezone.localdate()
    start = today - timedelta(days=100)
    for name in ("volunteer", "volunteer2"):
        KeyKeeper.objects.create(user=users[name], appointed_by=chair, appointed_at=_at(start - timedelta(days=7), 10))

    households = list(Household.objects.filter(is_active=True).prefetch_related("residents"))
    chosen = [h for h in households if h.code in (*SHOWCASE, EMERGENCY_UNIT)]
    chosen += rng.sample([h for h in households if h not in chosen], DEPOSITS - len(chosen))
    deposits = []
    for number, household in enumerate(sorted(chosen, key=lambda h: rng.random()), start=1):
        keeper = users[rng.choice(["volunteer", "volunteer2"])]
        deposited_at = _at(start + timedelta(days=rng.randrange(0, 10)), rng.randrange(9, 17), rng.randrange(60))
        deposit = KeyDeposit.objects.create(
            tag_number=number, hook=number, household=household, depositor=household.residents.all()[0],
            door_keys=rng.choice([1, 1, 2]), mailbox_keys=rng.choice([0, 1]), bike_shed_keys=rng.choice([0, 0, 1]),
            received_by=keeper, deposited_at=deposited_at,
        )
        plants = household.code in SHOWCASE or rng.random() < 0.3
        KeyConsent.objects.create(
            deposit=deposit, emergency=True, plants=plants, airing=plants and rng.random() < 0.5,
            repair=rng.random() < 0.4 or household.code == SHOWCASE[1],
            weekdays=[1, 4] if plants and household.code != SHOWCASE[1] and rng.random() < 0.5 else [],
            notify=rng.choice(["", "女儿 139****5678", "儿子 王先生"]),
            recorded_by=keeper, recorded_at=deposited_at,
        )
        deposits.append(deposit)

    handovers = 0
    pairs = [("volunteer", "volunteer2"), ("volunteer2", "volunteer"), ("volunteer", "member"), ("chair", "volunteer2")]
    for deposit in deposits:
        consent = deposit.consents.get()
        services = [p for p in consent.services() if p != Purpose.EMERGENCY]
        if not services:
            continue
        # The showcase households had a visit every fortnight or so, the last one a few days ago.
        if deposit.household.code in SHOWCASE:
            offsets = [20, 35, 50, 65, 80, 90]
        else:
            offsets = [rng.randrange(12, 92) for _ in range(rng.randrange(0, 3))]
        days = set()
        for offset in offsets:
            day = start + timedelta(days=offset)  # at most today-4 after the shift below
            purpose = rng.choice(services)
            while not consent.allows(purpose, day) or day in days:
                day += timedelta(days=1)
            days.add(day)
            keeper, witness = (users[name] for name in rng.choice(pairs))
            _handover(deposit, consent, purpose, keeper, witness, _at(day, rng.randrange(9, 17), rng.randrange(60)),
                      minutes=rng.randrange(25, 80), note=rng.choice(NOTES[purpose]))
            handovers += 1

    # The emergency: water through the ceiling of the flat below, nobody home.
    emergency = next(d for d in deposits if d.household.code == EMERGENCY_UNIT)
    _handover(emergency, emergency.consents.get(), Purpose.EMERGENCY, users["volunteer"], users["member"],
              _at(today - timedelta(days=23), 21, 40), minutes=55,
              reason="楼下住户报告厨房天花板漏水，敲门和打电话都无人应答",
              note="厨房水管接头爆裂，关闭了进户总阀，拍照留存，已电话告知业主女儿")
    handovers += 1

    # An inventory check a week ago: everything where the register says.
    check = InventoryCheck.objects.create(by=users["volunteer2"], at=now - timedelta(days=7), note="月度清点")
    InventoryLine.objects.bulk_create(
        InventoryLine(inventory=check, deposit=d, expected_in_cabinet=True, present=True) for d in deposits
    )

    # Out for six hours and not back: the overdue key the committee's dashboard shows.
    overdue = next(d for d in deposits if d.consents.get().repair and d.household.code not in SHOWCASE)
    _handover(overdue, overdue.consents.get(), Purpose.REPAIR, users["volunteer2"], users["volunteer"],
              now - timedelta(hours=6, minutes=5), minutes=None)
    handovers += 1
    out.write(f"Key register: {len(deposits)} deposits, {handovers} hand-overs "
              f"(one emergency, {overdue.tag} overdue), key keepers volunteer and volunteer2")


def _handover(deposit, consent, purpose, keeper, witness, started, *, minutes, reason="", note=""):
    """A hand-over as the services would have written it; `minutes` None leaves the key out."""
    handover = KeyHandover.objects.create(
        deposit=deposit, purpose=purpose, emergency_reason=reason, consent=consent,
        within_consent=consent.allows(purpose, timezone.localtime(started).date()),
        keeper=keeper, witness=witness, created_at=started,
    )
    out_at = started + timedelta(minutes=3)
    KeyHandoverEvent.objects.bulk_create([
        KeyHandoverEvent(handover=handover, kind=KeyHandoverEvent.Kind.OUT, by=keeper, at=started),
        KeyHandoverEvent(handover=handover, kind=KeyHandoverEvent.Kind.OUT, by=witness, at=out_at),
    ])
    if minutes is None:
        return handover
    back = out_at + timedelta(minutes=minutes)
    KeyHandoverEvent.objects.bulk_create([
        KeyHandoverEvent(handover=handover, kind=KeyHandoverEvent.Kind.BACK, by=keeper, at=back, note=note),
        KeyHandoverEvent(handover=handover, kind=KeyHandoverEvent.Kind.BACK, by=witness,
                         at=back + timedelta(minutes=2)),
    ])
    return handover
