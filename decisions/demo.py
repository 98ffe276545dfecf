"""This app's part of the demo estate (called by seed_demo, in app order).

Four votes, every one through the same services the pages use, at the times
they happened (services.clock), counted back from today:

- the first committee election, about eight months ago: passed;
- raising a fund for an e-bike shed (电动车棚, art. 278 item 6, three quarters needed), about four months ago:
  passed with about 80 % of the area taking part;
- renting common walls for advertising (item 8), about seven weeks ago: not valid, too few owners took part;
- replacing the entrance door locks, open now for ten more days: 1-1-301 (`resident`) has not voted yet.

Most owners vote on paper (entered by 李秀英, confirmed by 王建国, each with its scan); the demo's two
residents with logins vote on their phones. Two units of 2栋 belong to one owner and count as one head;
a tenant in 2栋 signs under the owner's written proxy.
"""

import io
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from decisions import services
from decisions.models import Assembly, Motion
from estate.models import Household, Resident
from estate.uploads import PreparedFile

SHARED_OWNER = ("2-2-101", "2-2-102")
PROXY_UNIT = "2-1-302"


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _scan(label):
    """A stand-in for a phone photo of a signed paper: a small white sheet with a few ruled lines."""
    image = Image.new("L", (240, 160), 255)
    draw = ImageDraw.Draw(image)
    for y in range(30, 150, 20):
        draw.line((20, y, 220, y), fill=160)
    draw.rectangle((150, 110, 220, 145), outline=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return PreparedFile(out.getvalue(), "png", "image/png", f"{label}.png")


class _Vote:
    def __init__(self, rng, users, households, owners_by_unit):
        self.rng, self.users, self.households, self.owners_by_unit = rng, users, households, owners_by_unit

    def run(self, *, assembly, title, text, kind, starts, days, turnout, yes_share, public_shows_units=False,
            close=True, proxy=None):
        chair, member = self.users["chair"], self.users["member"]
        ends = starts + timedelta(days=days)
        with services.clock(starts - timedelta(days=3)):
            motion = services.motion_save(
                assembly=assembly, title=title, text=text, kind=kind, voting_starts=starts, voting_ends=ends,
                accepts=Motion.Accepts.BOTH, public_shows_units=public_shows_units, by=chair)
        with services.clock(starts - timedelta(hours=1)):
            services.motion_open(motion=motion, by=chair)
        voters = self._voters(turnout)
        last_day = min(days, (timezone.now() - starts).days)
        for n, household in enumerate(voters):
            choice = "yes" if self.rng.random() < yes_share else self.rng.choice(["no", "no", "abstain"])
            choice = self._same_as_sibling(motion, household, choice)
            at = starts + timedelta(days=self.rng.randrange(max(last_day, 1)), hours=self.rng.randrange(1, 10),
                                    minutes=self.rng.randrange(60))
            user = self.owners_by_unit.get(household.code)
            with services.clock(at):
                if user is not None:
                    services.ballot_cast(motion=motion, household=household, choice=choice, by=user)
                    continue
                signer_proxy = proxy if proxy is not None and proxy.household_id == household.pk else None
                ballot = services.ballot_enter_paper(
                    motion=motion, household=household, choice=choice, scan=_scan(f"ballot-{household.code}"),
                    voter_name=signer_proxy.holder_name if signer_proxy else "业主签名", proxy=signer_proxy,
                    by=member)
                # The open vote keeps its newest paper ballot waiting for the second member.
                if close or n < len(voters) - 1:
                    services.ballot_confirm(ballot=ballot, choice=choice, by=chair)
        if close:
            with services.clock(ends + timedelta(hours=2)):
                return services.motion_close(motion=motion, by=chair).motion
        return motion

    def _voters(self, turnout):
        """Units in a random order until `turnout` (a share, as text) of the area has voted; logins first."""
        units = sorted(self.households, key=lambda h: (h.code not in self.owners_by_unit, self.rng.random()))
        total = sum(h.area for h in units)
        chosen, area = [], 0
        for household in units:
            if area >= total * Decimal(turnout):
                break
            chosen.append(household)
            area += household.area
        return chosen

    def _same_as_sibling(self, motion, household, choice):
        """The units of one owner take one choice: the second follows the first."""
        if household.code in SHARED_OWNER:
            first = motion.ballots.filter(household__code__in=SHARED_OWNER).first()
            if first is not None:
                return first.choice
        return choice


def seed(*, out):
    rng = random.Random(20261202)
    users = {u.username: u for u in User.objects.filter(username__in=["chair", "member", "resident", "resident2"])}
    chair = users["chair"]
    households = list(Household.objects.filter(is_active=True).order_by("code"))
    by_code = {h.code: h for h in households}
    owners_by_unit = {r.household.code: r.user for r in Resident.objects.filter(
        user__in=[users["resident"], users["resident2"]], relation=Resident.Relation.OWNER).select_related("household")}
    today = timezone.localdate()
    vote = _Vote(rng, users, households, owners_by_unit)

    with services.clock(_at(today - timedelta(days=260), 10)):
        services.owner_save(name="郑先生", note="两本房产证均已查验", households=[by_code[c] for c in SHARED_OWNER],
                            by=chair)
        first = services.assembly_save(
            title="幸福家园小区第一次业主大会", form=Assembly.Form.WRITTEN, by=chair,
            description="书面征求意见。纸质表决票由楼栋长发放，投入1栋、2栋门厅的表决箱；也可以登录后在手机上表决。")
    vote.run(
        assembly=first, kind=Motion.Kind.ELECTION, title="选举第一届业主委员会",
        text="选举以下五位业主组成第一届业主委员会，任期五年：\n王建国（主任）、李秀英（委员）、张丽华（委员，兼财务）、"
             "刘志强（委员）、陈桂芳（委员）。\n候选人名单已于大会前十五日在各楼栋公告栏公示。",
        starts=_at(today - timedelta(days=245), 9), days=14, turnout="0.86", yes_share=0.9,
        public_shows_units=True)

    tenant = Resident.objects.filter(household=by_code[PROXY_UNIT]).exclude(
        relation=Resident.Relation.OWNER).first()
    owner = Resident.objects.filter(household=by_code[PROXY_UNIT], relation=Resident.Relation.OWNER).first()
    with services.clock(_at(today - timedelta(days=135), 15)):
        second = services.assembly_save(
            title="2026年第二次业主大会", form=Assembly.Form.WRITTEN, by=chair,
            description="书面征求意见，附电动车棚报价三份。")
        proxy = services.proxy_record(
            household=by_code[PROXY_UNIT], grantor_name=owner.name, holder=None,
            holder_name=tenant.name if tenant else "张桂英", assembly=second, scan=_scan("proxy"),
            by=users["member"])
    vote.run(
        assembly=second, kind=Motion.Kind.FUND_RAISING, title="筹集电动车棚建设资金",
        text="在2栋北侧空地建设带充电桩的电动车棚一座（约40个车位），预算 36,000.00 元，按建筑面积向全体业主筹集，"
             "每平方米 8.00 元，一次缴清，存入专项资金账户，专款专用，收支每月公示。\n"
             "充电收入先归还建设资金，其余并入小区公共收益。",
        starts=_at(today - timedelta(days=130), 9), days=14, turnout="0.80", yes_share=0.93, proxy=proxy)

    with services.clock(_at(today - timedelta(days=55), 10)):
        third = services.assembly_save(title="2026年第三次业主大会", form=Assembly.Form.WRITTEN, by=chair)
    vote.run(
        assembly=third, kind=Motion.Kind.COMMON_PARTS_USE, title="出租单元门厅墙面作广告位",
        text="将四个单元门厅的一面墙出租给广告公司，每年租金合计 4,800.00 元，计入小区公共收益。",
        starts=_at(today - timedelta(days=50), 9), days=10, turnout="0.52", yes_share=0.7)

    with services.clock(_at(today - timedelta(days=6), 10)):
        fourth = services.assembly_save(title="2026年第四次业主大会", form=Assembly.Form.WRITTEN, by=chair)
    skip = {code for code, user in owners_by_unit.items() if user == users["resident"]}
    vote.owners_by_unit = {code: user for code, user in owners_by_unit.items() if code not in skip}
    vote.households = [h for h in households if h.code not in skip]
    vote.run(
        assembly=fourth, kind=Motion.Kind.MAJOR_EXPENSE, title="更换全部单元门禁锁",
        text="更换四个单元的门禁锁和对讲主机，报价 18,600.00 元，从小区公共收益中支出。",
        starts=_at(today - timedelta(days=3), 9), days=13, turnout="0.45", yes_share=0.8, close=False)
    out.write("  owners' votes: an election and the e-bike shed fund passed, one vote short of owners, one open")
