"""The demo estate's repairs: a few weeks of tickets in every state, with photos drawn here by Pillow.

Everything goes through repairs.services (with `at` in the past), so the
demo's history obeys the same rules as real use.
"""

import io
import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from estate import uploads
from estate.models import Building, Household
from ledger import services as ledger
from ledger.models import Method
from repairs import services
from repairs.models import Skill, Ticket

C, P, U = Ticket.Category, Ticket.Place, Ticket.Urgency


# --- Photos -------------------------------------------------------------------

def _canvas(background):
    image = Image.new("RGB", (640, 480), background)
    return image, ImageDraw.Draw(image)


def _roof_stain():
    image, draw = _canvas((226, 222, 214))
    for i in range(6):
        r = 150 - i * 22
        draw.ellipse((320 - r, 200 - r * 0.7, 320 + r, 200 + r * 0.7), fill=(200 - i * 14, 170 - i * 14, 120 - i * 10))
    for x in (300, 335, 360):
        draw.line((x, 300, x, 430), fill=(120, 140, 170), width=4)
        draw.ellipse((x - 7, 430, x + 7, 446), fill=(110, 130, 165))
    return image


def _dark_stairwell():
    image, draw = _canvas((38, 38, 44))
    for step in range(8):
        y = 470 - step * 50
        draw.rectangle((60 + step * 40, y - 50, 640, y), fill=(70 + step * 6, 70 + step * 6, 78 + step * 6))
    draw.line((330, 0, 330, 60), fill=(90, 90, 90), width=3)
    draw.ellipse((305, 60, 355, 115), outline=(160, 160, 150), width=4, fill=(55, 55, 50))
    return image


def _blocked_drain():
    image, draw = _canvas((128, 126, 120))
    draw.ellipse((120, 120, 520, 400), fill=(96, 110, 104))
    draw.ellipse((230, 190, 410, 330), fill=(60, 60, 60))
    for x in range(250, 400, 22):
        draw.line((x, 200, x, 320), fill=(35, 35, 35), width=8)
    draw.ellipse((180, 150, 470, 370), outline=(150, 160, 120), width=6)
    return image


def _broken_gate():
    image, draw = _canvas((175, 205, 230))
    draw.rectangle((0, 400, 640, 480), fill=(140, 130, 120))
    for x in range(80, 580, 45):
        top = 150 if x != 305 else 210
        draw.line((x, top, x + (25 if x == 305 else 0), 400), fill=(30, 90, 50), width=9)
    draw.line((60, 170, 590, 170), fill=(30, 90, 50), width=10)
    draw.line((60, 380, 590, 380), fill=(30, 90, 50), width=10)
    return image


def _overgrown_garden():
    image, draw = _canvas((120, 170, 90))
    rng = random.Random(5)
    for _ in range(60):
        x, y, r = rng.randrange(640), rng.randrange(120, 480), rng.randrange(20, 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(40 + rng.randrange(40), 110 + rng.randrange(60), 40))
    draw.rectangle((0, 0, 640, 110), fill=(200, 220, 235))
    return image


def _fire_main():
    image, draw = _canvas((190, 185, 178))
    draw.rectangle((0, 250, 640, 300), fill=(190, 30, 30))
    draw.rectangle((300, 240, 340, 310), fill=(150, 20, 20))
    for i in range(12):
        draw.line((320, 250, 220 + i * 18, 110), fill=(140, 180, 220), width=3)
    draw.ellipse((200, 380, 460, 440), fill=(150, 165, 180))
    return image


def _kitchen_pipe():
    image, draw = _canvas((235, 235, 228))
    draw.rectangle((0, 300, 640, 480), fill=(200, 200, 195))
    draw.line((260, 0, 260, 330), fill=(180, 180, 185), width=22)
    draw.line((260, 330, 520, 330), fill=(180, 180, 185), width=22)
    for y in range(345, 470, 30):
        draw.ellipse((250, y, 272, y + 16), fill=(120, 150, 190))
    return image


def _street_light():
    image, draw = _canvas((20, 26, 48))
    draw.rectangle((300, 120, 316, 480), fill=(70, 70, 76))
    draw.line((308, 130, 420, 110), fill=(70, 70, 76), width=10)
    draw.ellipse((395, 105, 445, 135), fill=(60, 60, 55))
    return image


def _photo(draw, name):
    out = io.BytesIO()
    draw().save(out, "JPEG", quality=82)
    return uploads.prepare_image(SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg"))


# --- History ------------------------------------------------------------------

def seed(*, out):
    users = {user.username: user for user in User.objects.all()}
    chair, member, treasurer = users["chair"], users["member"], users["treasurer"]
    head1, head2, resident, resident2 = users["head1"], users["head2"], users["resident"], users["resident2"]
    building1, building2 = Building.objects.get(code="1"), Building.objects.get(code="2")
    flat_2_1_502 = Household.objects.get(code="2-1-502")
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)

    def ago(days, hour=9):
        """At `hour` o'clock `days` ago; `days` = 0 means so many hours ago (never in the future)."""
        return now - timedelta(hours=hour) if days == 0 else (now - timedelta(days=days)).replace(hour=hour)

    zhao = services.volunteer_save(
        by=chair, user=users["volunteer"], skills=[Skill.PLUMBING, Skill.ELECTRICAL, Skill.WATERPROOFING],
        availability="工作日白天，周末上午", phone="13907561122", notes="退休电工，有电工证。",
    )
    sun = services.volunteer_save(
        by=chair, user=users["volunteer2"], skills=[Skill.GREENING, Skill.ELDERLY_CARE],
        availability="每天早上", phone="13602218866", notes="以前在园林所工作。",
    )
    contractors = {
        key: services.contractor_save(by=chair, name=name, trade=trade, phone=phone, notes=notes)
        for key, name, trade, phone, notes in [
            ("antai", "安泰消防维修", Skill.FIRE_SAFETY, "13812250033", "区消防站推荐，做过隔壁小区的消防管。"),
            ("hongda", "宏达消防工程有限公司", Skill.FIRE_SAFETY, "02158886600", "报价含整条主管更换。"),
            ("chengxin", "诚信管道工程", Skill.PLUMBING, "13564470091", ""),
            ("tongda", "通达管道疏通", Skill.PLUMBING, "13917783344", "24小时上门。"),
            ("yonggu", "永固五金门窗", Skill.LOCKS, "13788120456", "大门、门禁、铁艺。"),
            ("jianan", "建安修缮队", Skill.MASONRY, "13671130288", "外墙、屋面、瓷砖。"),
        ]
    }

    def report(by, days, hour, photo=None, **fields):
        photos = [_photo(*photo)] if photo else []
        return services.ticket_report(by=by, photos=photos, at=ago(days, hour), **fields)

    def move(ticket, name, by, days, hour, comment=""):
        return services.ticket_move(ticket=ticket, move=name, by=by, comment=comment, at=ago(days, hour))

    # 1. The roof of building 2 leaked in the rain: patched by the volunteer, confirmed, five stars.
    roof = report(head2, 40, 7, (_roof_stain, "roof.jpg"), category=C.LEAK, place=P.ROOF, building=building2,
                  spot="2单元顶楼楼梯间天花板", urgency=U.EMERGENCY,
                  description="昨夜下雨，2单元顶楼天花板大面积渗水，墙皮起泡，水顺着墙往下流。")
    move(roof, "accept", chair, 40, 8)
    services.ticket_assign(ticket=roof, by=chair, volunteer=zhao, comment="赵师傅有防水经验，麻烦先看看。",
                           at=ago(40, 9))
    move(roof, "start", users["volunteer"], 40, 14)
    services.ticket_comment(ticket=roof, by=users["volunteer"], at=ago(39, 16),
                            comment="屋面一处防水层开裂，已清理，刷了两遍防水涂料，等天晴再检查。")
    move(roof, "finish", users["volunteer"], 37, 11)
    services.ticket_confirm(ticket=roof, by=head2, rating=5, comment="下了两场雨都没再漏，谢谢赵师傅！",
                            at=ago(35, 19))

    # 2. Stairwell lights: fixed, but the reporter has not confirmed for more than a week.
    lights = report(resident, 12, 20, (_dark_stairwell, "stairs.jpg"), category=C.ELECTRICAL, place=P.STAIRWELL,
                    building=building1, spot="1单元5楼到6楼",
                    description="楼道灯不亮好几天了，晚上上楼看不见台阶，老人容易摔。")
    move(lights, "accept", member, 11, 8)
    services.ticket_assign(ticket=lights, by=member, volunteer=zhao, at=ago(11, 8))
    move(lights, "start", users["volunteer"], 11, 15)
    move(lights, "finish", users["volunteer"], 10, 16, comment="换了两个声控灯，已经亮了。")

    # 3. A blocked drain: the contractor is at work.
    drain = report(resident, 3, 7, (_blocked_drain, "drain.jpg"), category=C.DRAINS, place=P.PIPES,
                   building=building1, spot="1栋北侧化粪池旁的窨井", description="窨井堵了，污水漫到路面，味道很大。")
    move(drain, "accept", chair, 3, 9)
    services.ticket_assign(ticket=drain, by=chair, contractor=contractors["tongda"], at=ago(3, 10))
    move(drain, "start", chair, 2, 10, comment="通达师傅今天上门疏通。")

    # 4. The broken gate: assigned, waiting for the locksmith.
    gate = report(head1, 0, 20, (_broken_gate, "gate.jpg"), category=C.DOORS, place=P.GATE,
                  spot="小区南门", description="南门铁门被车撞歪，关不上，晚上有外人进出。")
    move(gate, "accept", member, 0, 19)
    services.ticket_assign(ticket=gate, by=member, contractor=contractors["yonggu"], at=ago(0, 6))

    # 4b. The entry-phone lock of a building door: the volunteer electrician will look at it.
    door = report(head1, 2, 19, category=C.DOORS, place=P.BUILDING, building=building1, spot="1栋2单元单元门",
                  description="单元门的电子锁坏了，门一直关不上，谁都能进。")
    move(door, "accept", member, 1, 9)
    services.ticket_assign(ticket=door, by=member, volunteer=zhao, at=ago(1, 10),
                           comment="赵师傅懂电，先看看是锁坏了还是电源的问题。")

    # 5. Garden work by the volunteer: confirmed, four stars.
    garden = report(member, 26, 10, (_overgrown_garden, "garden.jpg"), category=C.GREENING, place=P.GARDEN,
                    spot="中心花园", description="花园灌木长得太高，挡住路灯，也挡住老人散步的路。")
    move(garden, "accept", chair, 26, 11)
    services.ticket_assign(ticket=garden, by=chair, volunteer=sun, at=ago(25, 9))
    move(garden, "start", users["volunteer2"], 24, 7)
    services.ticket_comment(ticket=garden, by=users["volunteer2"], at=ago(23, 11),
                            comment="修剪了一半，剩下的明天早上弄完。", photos=[_photo(_overgrown_garden, "half.jpg")])
    move(garden, "finish", users["volunteer2"], 22, 10)
    services.ticket_confirm(ticket=garden, by=member, rating=4, comment="很整齐，路灯也不挡了。", at=ago(21, 18))

    # 6. A loose handrail, fixed by a contractor for 380 CNY, never confirmed, closed by the committee after
    #    the week; the treasurer pays the bill from the estate's accounts.
    rail = report(resident2, 30, 15, category=C.FACILITIES, place=P.STAIRWELL, building=building2,
                  spot="2单元3楼", description="楼梯扶手松动，一推就晃。")
    move(rail, "accept", chair, 30, 17)
    rail_quote = services.quote_add(ticket=rail, by=chair, contractor=contractors["yonggu"], amount=Decimal("380.00"),
                                    notes="重新固定扶手，更换四个膨胀螺丝和一段扶手管。", at=ago(29, 9))
    services.quote_choose(ticket=rail, quote=rail_quote, by=chair, reason="只有一家，价格合理。", at=ago(29, 9))
    services.ticket_assign(ticket=rail, by=chair, contractor=contractors["yonggu"], at=ago(29, 10))
    move(rail, "start", chair, 28, 9)
    move(rail, "finish", chair, 28, 12, comment="永固师傅重新打了膨胀螺丝，扶手很牢。")
    move(rail, "close", chair, 20, 9, comment="完工八天未确认，电话回访吴先生说已经好了。")
    rail_quote.refresh_from_db()
    ledger.expense_approve(expense=rail_quote.expense, by=treasurer)
    ledger.expense_pay(expense=rail_quote.expense, method=Method.BANK, by=treasurer)

    # 7. The fire main under building 2: three quotes, 90,000 against 26,000.
    fire = report(head2, 18, 6, (_fire_main, "fire-main.jpg"), category=C.FIRE, place=P.PIPES, building=building2,
                  spot="2栋地下室消防主管", urgency=U.EMERGENCY,
                  description="地下室消防主管接口漏水，地面积水，消防水箱补水泵一直在转。")
    move(fire, "accept", chair, 18, 7)
    services.ticket_comment(ticket=fire, by=chair, at=ago(18, 8),
                            comment="已关闭分段阀门止水，请三家单位来看现场报价。")
    for key, amount, notes, days in [
        ("hongda", Decimal("90000.00"), "更换2栋整条消防主管（约120米）及全部阀门，工期20天。", 15),
        ("antai", Decimal("26000.00"), "更换漏水段主管6米、两个蝶阀和一个止回阀，试压合格，保修两年，工期3天。", 14),
        ("chengxin", Decimal("38500.00"), "更换地下室段主管及阀门，不含试压。", 13),
    ]:
        services.quote_add(ticket=fire, by=member, contractor=contractors[key], amount=amount, notes=notes,
                           at=ago(days, 15))
    chosen = fire.quotes.get(contractor=contractors["antai"])
    services.quote_choose(ticket=fire, quote=chosen, by=chair, at=ago(12, 20),
                          reason="只换漏水的一段和阀门就能解决问题，试压合格并保修两年；90000元的方案要换整条主管，"
                                 "目前没有必要。业委会三人到现场看过。")
    chosen.refresh_from_db()
    # 26,000 is above the approval threshold: two more committee members approve it in the ledger.
    for approver in (member, treasurer):
        ledger.expense_approve(expense=chosen.expense, by=approver)
    services.ticket_assign(ticket=fire, by=chair, contractor=contractors["antai"], at=ago(11, 9),
                           comment="两位委员已批准，请安泰尽快施工。")
    move(fire, "start", chair, 10, 8)

    # 8. A new leak inside a flat: only that household, the committee and building 2's head see it.
    report(resident2, 0, 2, (_kitchen_pipe, "kitchen.jpg"), category=C.PLUMBING, place=P.FLAT,
           household=flat_2_1_502, spot="厨房水槽下", description="厨房水槽下面的水管接头滴水，已经用盆接着。")

    # 9. A street light out for three days and nobody has accepted it yet: overdue.
    report(resident, 3, 21, (_street_light, "light.jpg"), category=C.ELECTRICAL, place=P.LIGHTS,
           spot="停车场东边第二盏", description="路灯不亮，停车场东边一片漆黑。")

    # 10. Loose tiles on a wall: accepted, the committee is gathering quotes.
    tiles = report(head1, 4, 16, category=C.FACILITIES, place=P.BUILDING, building=building1,
                   spot="1栋北面外墙四楼", description="外墙瓷砖松了好几块，前天掉下来一块，楼下走路很危险。")
    move(tiles, "accept", chair, 4, 18)
    services.ticket_comment(ticket=tiles, by=chair, at=ago(3, 10),
                            comment="楼下已拉警戒线。已请两家施工队来看现场，等报价。")
    for key, amount, notes in [
        ("jianan", Decimal("4800.00"), "吊篮作业，铲除松动瓷砖约12平方米，重新粘贴并勾缝，工期2天。"),
        ("chengxin", Decimal("6500.00"), "搭脚手架，铲除并重贴北面四楼外墙瓷砖，工期4天。"),
    ]:
        services.quote_add(ticket=tiles, by=member, contractor=contractors[key], amount=amount, notes=notes,
                           at=ago(1, 16))

    # 11. Not a repair: the committee says so, kindly.
    noise = report(resident, 6, 22, category=C.OTHER, place=P.BUILDING, building=building1,
                   description="楼上邻居装修，晚上十点还在电钻。")
    move(noise, "reject", member, 5, 9,
         comment="这不属于公共维修。已转告楼栋长上门提醒，装修时间为8:00–12:00、14:00–18:00，也可联系居委会调解。")

    counts = {status.label: Ticket.objects.filter(status=status).count() for status in Ticket.Status}
    out.write(f"Repairs: {Ticket.objects.count()} tickets ("
              + ", ".join(f"{label} {n}" for label, n in counts.items()) + ")")
