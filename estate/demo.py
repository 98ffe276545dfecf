"""The demo estate 幸福家园小区: two buildings, 56 households, 4500.00 m², a user for every role."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from estate.aggregates import exact_sum
from estate.models import Building, Household, Resident
from estate.notices import notice_post, notice_save

DEMO_PASSWORD = "jiayuan-demo-2026"

# (username, name, role kind, scope) — scope is a building code or a unit code.
DEMO_USERS = [
    ("chair", "王建国", Role.Kind.CHAIR, None),
    ("member", "李秀英", Role.Kind.COMMITTEE, None),
    ("treasurer", "张丽华", Role.Kind.TREASURER, None),
    ("head1", "刘志强", Role.Kind.BUILDING_HEAD, "1"),
    ("head2", "陈桂芳", Role.Kind.BUILDING_HEAD, "2"),
    ("volunteer", "赵德明", Role.Kind.VOLUNTEER, None),
    ("volunteer2", "孙淑珍", Role.Kind.VOLUNTEER, None),
    ("resident", "周玉兰", Role.Kind.RESIDENT, "1-1-301"),
    ("resident2", "吴国庆", Role.Kind.RESIDENT, "2-1-502"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["建华", "秀英", "桂兰", "志强", "玉梅", "国平", "淑芬", "德胜", "丽娟", "海涛", "春梅", "永福",
         "凤英", "金山", "红霞", "文斌", "素珍", "长青", "美玲", "振国", "翠花", "宏伟", "雪梅", "家明"]


def _areas():
    """Floor areas by unit: typical flats of 86 and 74 m², a few odd ones, 4500.00 m² in all.

    The odd areas come in sets whose half-up roundings cancel, so that the
    month's fees at 0.39 add up to exactly 1755.00 — as they do in the real
    estate this demo is modelled on.
    """
    areas = {}
    for building in "12":
        for entrance in "12":
            for floor in range(1, 8):
                areas[(building, entrance, f"{floor}01")] = Decimal("86.00")
                areas[(building, entrance, f"{floor}02")] = Decimal("74.00")
    areas.update({
        ("1", "1", "301"): Decimal("101.50"),
        ("1", "2", "502"): Decimal("95.90"),
        ("2", "1", "201"): Decimal("88.60"),
        ("2", "2", "601"): Decimal("85.40"),
        ("1", "1", "702"): Decimal("76.60"),
        ("2", "1", "402"): Decimal("72.30"),
        ("1", "2", "101"): Decimal("90.70"),
        ("2", "2", "701"): Decimal("73.00"),
        ("2", "2", "702"): Decimal("62.00"),
    })
    return areas


def seed(*, out):
    rng = random.Random(20260101)
    buildings = {code: Building.objects.create(code=code, name=f"{code}栋") for code in "12"}
    households = {}
    for (building, entrance, room), area in _areas().items():
        occupancy = rng.choices(list(Household.Occupancy), weights=[80, 15, 5])[0]
        household = Household.objects.create(
            building=buildings[building], entrance=entrance, floor=int(room[:-2]), room=room,
            area=area, occupancy=occupancy,
        )
        households[household.code] = household
        owner = rng.choice(SURNAMES) + rng.choice(GIVEN)
        Resident.objects.create(household=household, name=owner, phone=_phone(rng),
                                relation=Resident.Relation.OWNER)
        if occupancy == Household.Occupancy.RENTED:
            Resident.objects.create(household=household, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                    phone=_phone(rng), relation=Resident.Relation.TENANT)
    total = Household.objects.aggregate(total=exact_sum("area"))["total"]
    assert total == Decimal("4500.00"), total

    chair = None
    for username, name, kind, scope in DEMO_USERS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, name=name)
        role = Role(user=user, kind=kind, granted_by=chair)
        if kind == Role.Kind.BUILDING_HEAD:
            role.building = buildings[scope]
        if kind == Role.Kind.RESIDENT:
            role.household = households[scope]
            Resident.objects.filter(household=role.household, relation=Resident.Relation.OWNER).update(
                name=name, user=user
            )
        role.save()
        chair = chair or user
    _notices(chair)
    out.write(f"幸福家园小区: {len(households)} households, {total:.2f} m²")
    out.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, name, kind, scope in DEMO_USERS:
        out.write(f"  {username:<11} {name}  {Role.Kind(kind).label}{' ' + scope if scope else ''}")


# Two notices on the bulletin board and one the committee is still writing.
NOTICES = [
    (-20, "关于清理楼道堆放杂物的通知", "各位业主：\n\n为消除消防隐患，请于本月底前清理楼道内堆放的杂物和电动车。"
     "月底后业委会将会同楼栋长统一清理。\n\n谢谢大家配合。", True),
    (-3, "关于市政管道维修停水的通知", "各位业主：\n\n因市政管道维修，本周六**8:00至17:00**全小区停水，"
     "请提前储水。\n\n给大家带来不便，敬请谅解。", True),
    (0, "2027年度物业费收缴安排（草稿）", "各位业主：\n\n2027年度物业费标准不变，仍为每月每平方米0.39元。", False),
]


def _notices(chair):
    today = timezone.localdate()
    signature = "幸福家园小区业主委员会"
    for days, title, body, posted in NOTICES:
        notice = notice_save(title=title, body=body, notice_date=today + timedelta(days=days), signature=signature,
                             by=chair)
        if posted:
            notice_post(notice=notice, by=chair)


def _phone(rng):
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
